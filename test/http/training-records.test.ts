import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// The project demo on 2026-11-25. SOP-CM-001 v2.0 (effective 2026-04-06) is in the curriculum of
// CRAs and project managers: cra1 signed it, cra2 never did (overdue since 2026-04-06), cra3 joined
// on 2026-10-21 (induction due 2026-11-18, overdue, knowledge check locked), pm1 joined on
// 2026-11-17 (due 2026-12-15).

let server: RunningServer;
let dataDir: string;
let trainer: HttpClient;
let qa: HttpClient;

function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
  return queryDataFolder<T>(dataDir, sql, params);
}

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

function cell(html: string, docId: string, fn: string): string {
  const row = new RegExp(`<tr data-doc="${docId}">([\\s\\S]*?)</tr>`).exec(html)![1]!;
  return textOf(new RegExp(`<td class="([^"]*)" data-fn="${fn}">([\\s\\S]*?)</td>`).exec(row)![0]!).trim();
}

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  trainer = await signedIn(server.url, "trainer");
  qa = await signedIn(server.url, "qa");
});
afterAll(async () => {
  await server?.stop();
});

describe("the training matrix (inspection question 13)", () => {
  it("counts, per job function and document, who is current, due and overdue", async () => {
    const { status, text } = await trainer.get("/training/matrix");
    expect(status).toBe(200);
    expect(cell(text, "SOP-CM-001", "cra")).toBe("1/3 2 overdue");
    expect(cell(text, "SOP-CM-001", "project-manager")).toBe("0/1 1 due");
    expect(cell(text, "QM-001", "quality-manager")).toBe("2/2");
    expect(text).toMatch(/<td class="matrix-overdue" data-fn="cra">/);
    // Forms need no training; functions nobody holds get no column.
    expect(text).not.toContain('data-doc="FRM-TR-001"');
    expect(text).not.toContain(">Biostatistician<");
  });

  it("is for those who read training records: inspectors yes, staff no", async () => {
    expect((await (await signedIn(server.url, "inspector")).get("/training/matrix")).status).toBe(200);
    expect((await (await signedIn(server.url, "cra1")).get("/training/matrix")).status).toBe(403);
  });
});

describe("one version's training (inspection questions 11 and 12)", () => {
  it("lists who must be trained, who is, who is overdue and how long they took", async () => {
    const { status, text } = await qa.get("/training/documents/SOP-CM-001/2.0");
    expect(status).toBe(200);
    expect(textOf(text)).toContain("On 2026-11-25 : 4 must be trained, 1 trained (1 by the due date), 1 due, 2 overdue.");
    const row = (u: string) => textOf(new RegExp(`<tr data-username="${u}">([\\s\\S]*?)</tr>`).exec(text)![1]!).trim();
    expect(row("cra2")).toMatch(/^Carlos Ruiz Overdue 233 days New or revised version approved 2026-03-19 2026-04-06 – – –$/);
    expect(row("cra1")).toMatch(/^Chloe Martin Completed New or revised version approved 2026-03-19 2026-04-06 2026-0[34]-\d\d \d\d:\d\d \d passed, 100%$/);
    expect((await qa.get("/training/documents/SOP-CM-001/9.9")).status).toBe(404);
  });
});

describe("people and transcripts (inspection question 10)", () => {
  it("lists people with overdue training, filtered, and who is qualified", async () => {
    const { text } = await trainer.get("/training/people?status=overdue");
    const names = [...text.matchAll(/<tr data-username="([^"]+)">/g)].map((m) => m[1]);
    expect(names).toEqual(["cra2", "cra3"]);
    const all = await trainer.get("/training/people?fn=cra");
    const cra1 = textOf(/<tr data-username="cra1">([\s\S]*?)<\/tr>/.exec(all.text)![1]!);
    expect(cra1).toContain("Clinical Research Associate");
  });

  it("shows a person's every assignment with how it was completed, and exports it as CSV", async () => {
    const page = await qa.get("/training/people/cra1");
    expect(page.status).toBe(200);
    const entries = await query<{ n: number }>("SELECT count(*) AS n FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'cra1'");
    expect([...page.text.matchAll(/<tr data-assignment-id=/g)].length).toBe(entries[0]!.n);
    // Training on versions since superseded stays in the record: SOP-CM-001 v1.0 and v2.0.
    expect(page.text).toContain('href="/training/documents/SOP-CM-001/1.0"');
    expect(page.text).toContain('href="/training/documents/SOP-CM-001/2.0"');
    const csv = await qa.get("/training/people/cra1/csv");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "username,doc_id,version,title,status,cause,assigned_at,due_on,signed_at,signature_id,printed_name,content_hash,on_time,quiz_attempts,quiz_best_score,quiz_passed,closed_at",
    );
    expect(lines).toHaveLength(entries[0]!.n + 1);
    expect(lines.find((l) => l.startsWith("cra1,SOP-CM-001,2.0,"))).toMatch(/,completed,approval,.*,Chloe Martin,[0-9a-f]{64},yes,2,100,yes,/);
    expect((await qa.get("/training/people/nobody")).status).toBe(404);
  });

  it("lets a training coordinator, and nobody else, reset a locked knowledge check with a reason", async () => {
    const [a] = await query<{ id: number }>(
      "SELECT a.id FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'cra3' AND a.doc_id = 'SOP-CM-001' AND a.status = 'open'",
    );
    const qaView = await qa.get("/training/people/cra3");
    expect(qaView.text).toContain("Knowledge check locked");
    expect(qaView.text).not.toContain("Reset the knowledge check");
    expect((await qa.post("/training/people/cra3", { assignmentId: String(a!.id), reason: "Retrained in person" })).status).toBe(403);

    expect((await trainer.get("/training/people/cra3")).text).toContain("Reset the knowledge check");
    const noReason = await trainer.post("/training/people/cra3", { assignmentId: String(a!.id), reason: "" });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain("Give the reason for the reset");
    const reset = await trainer.post("/training/people/cra3", { assignmentId: String(a!.id), reason: "Walked through monitoring plan section with cra3" });
    expect(reset.status).toBe(302);
    expect(await query("SELECT action, reason FROM audit_events WHERE action = 'training.quiz.reset'")).toEqual([
      { action: "training.quiz.reset", reason: "Walked through monitoring plan section with cra3" },
    ]);
    const cra3 = await signedIn(server.url, "cra3");
    const page = (await cra3.get(`/training/${a!.id}`)).text;
    expect(page).toContain("Attempt 1 of 3");
    expect(page).toContain("Submit answers");
    const again = await trainer.post("/training/people/cra3", { assignmentId: String(a!.id), reason: "Second reset" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("is not locked");
  });
});

describe("absences (SOP-TR-001 step 8) through the pages", () => {
  it("a coordinator records an absence, a quality manager approves it, and the due dates move", async () => {
    const bad = await trainer.post("/training/people/pm1", {
      intent: "exemption-request",
      absentFrom: "2026-12-01",
      returnsOn: "2026-11-30",
      absenceReason: "Leave",
    });
    expect(bad.status).toBe(409);
    expect(bad.text).toContain("The return date must be after the first day of absence.");
    const ok = await trainer.post("/training/people/pm1", {
      intent: "exemption-request",
      absentFrom: "2026-12-01",
      returnsOn: "2027-01-11",
      absenceReason: "Planned surgery",
    });
    expect(ok.status).toBe(302);
    const [x] = await query<{ id: number }>("SELECT id FROM training_exemptions");
    const page = await qa.get("/training/people/pm1");
    expect(page.text).toContain("Awaiting approval");
    expect(page.text).toContain("Approve: due dates to 2027-01-25");
    expect((await trainer.post("/training/people/pm1", { intent: "exemption-decide", exemptionId: String(x!.id), decision: "approved" })).status).toBe(403);
    expect((await qa.post("/training/people/pm1", { intent: "exemption-decide", exemptionId: String(x!.id), decision: "approved" })).status).toBe(302);
    const due = await query<{ due_on: string }>(
      "SELECT DISTINCT a.due_on FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'pm1' AND a.status = 'open'",
    );
    expect(due).toEqual([{ due_on: "2027-01-25" }]);
    expect((await qa.get("/training/people/pm1")).text).toMatch(/approved by qa; \d+ due dates moved to 2027-01-25/);
  });
});

describe("line managers (who escalations and competence approvals go to)", () => {
  it("an administrator sets a line manager, audited, and a reporting loop is refused", async () => {
    const admin = await signedIn(server.url, "admin");
    const [pm1] = await query<{ id: string }>("SELECT id FROM users WHERE username = 'pm1'");
    const [cra1] = await query<{ id: string }>("SELECT id FROM users WHERE username = 'cra1'");
    const set = await admin.post(`/admin/users/${cra1!.id}`, { intent: "manager", managerId: pm1!.id, reason: "Moved to Priya's team" });
    expect(set.status).toBe(302);
    expect(await query("SELECT manager_id FROM users WHERE username = 'cra1'")).toEqual([{ manager_id: pm1!.id }]);
    const [row] = await query<{ reason: string }>("SELECT reason FROM audit_events WHERE action = 'user.manager.set' ORDER BY seq DESC LIMIT 1");
    expect(row!.reason).toBe("Moved to Priya's team");
    const loop = await admin.post(`/admin/users/${pm1!.id}`, { intent: "manager", managerId: cra1!.id });
    expect(loop.status).toBe(400);
    expect(loop.text).toContain("reports to pm1, so cannot be their line manager");
    expect((await trainer.post(`/admin/users/${cra1!.id}`, { intent: "manager", managerId: "" })).status).toBe(403);
  });
});

describe("training impact on the approval page", () => {
  it("proposes training per job function from the changed sections; a major revision retrains everyone", async () => {
    const [tr] = await query<{ id: string }>("SELECT id FROM change_requests WHERE doc_id = 'SOP-TR-001' AND state = 'in-review'");
    const major = (await qa.get(`/changes/${tr!.id}`)).text;
    expect(major).toContain("<legend>Training impact</legend>");
    expect(major).toContain("A major revision retrains everyone in the audience.");
    expect(textOf(major)).toContain("Changed: Step: Check training effectiveness (added).");
    expect(major).toMatch(/<select id="impact-cra" name="impact.cra" disabled=""/);
    // Staff do not see it.
    expect((await (await signedIn(server.url, "cra1")).get(`/changes/${tr!.id}`)).text).not.toContain("Training impact");
  });
});

describe("trained as of a past date (inspection question 9, for everyone)", () => {
  it("answers for each person assigned the version in force that day", async () => {
    const { text } = await qa.get("/training/as-of?on=2026-04-06&doc=SOP-CM-001");
    expect(textOf(text)).toContain("SOP-CM-001 v2.0 Clinical Monitoring");
    expect(textOf(/<li data-username="cra2">([\s\S]*?)<\/li>/.exec(text)![1]!)).toContain("not trained");
    expect(textOf(/<li data-username="cra1">([\s\S]*?)<\/li>/.exec(text)![1]!)).toMatch(/trained, signed 2026-0[34]-\d\d/);
    // pm1 and cra3 were not assigned it by then: they are not listed.
    expect(text).not.toContain('data-username="pm1"');
    expect(text).not.toContain('data-username="cra3"');
  });
});

describe("curricula (SOP-TR-001 step 1: the coordinator proposes, a quality manager signs)", () => {
  it("shows each function's documents and courses, takes a proposal and a signed decision, and refuses the rest", async () => {
    const page = await trainer.get("/training/curriculum");
    expect(page.status).toBe(200);
    const craRow = textOf(/<tr data-function="cra">([\s\S]*?)<\/tr>/.exec(page.text)![1]!);
    expect(craRow).toContain("ICH E6(R3) Good Clinical Practice (refresh every 36 months)");
    expect(textOf(page.text)).toContain("Add EDC system training (study build and query management) to the Data Manager curriculum.");

    const short = await trainer.post("/training/curriculum", {
      intent: "propose",
      jobFunction: "biostatistician",
      change: "add",
      newTitle: "SAS standards",
      reason: "short",
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain("Give the reason for the change (at least 10 characters).");
    const proposed = await trainer.post("/training/curriculum", {
      intent: "propose",
      jobFunction: "biostatistician",
      change: "add",
      courseId: "",
      newTitle: "SAS programming standards",
      refreshMonths: "24",
      reason: "Statisticians program analyses under the company's SAS standards.",
    });
    expect(proposed.status).toBe(302);
    const [change] = await query<{ id: number; status: string }>(
      "SELECT c.id, c.status FROM curriculum_changes c JOIN training_courses t ON t.id = c.course_id WHERE t.title = 'SAS programming standards'",
    );
    expect(change!.status).toBe("proposed");
    // The coordinator cannot decide; a wrong password signs nothing.
    expect((await trainer.post("/training/curriculum", { intent: `decide-${change!.id}`, decision: "approve", password: "quire-demo-2026" })).status).toBe(403);
    const wrong = await qa.post("/training/curriculum", { intent: `decide-${change!.id}`, decision: "approve", password: "not-it" });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The password is not correct, so nothing was signed.");
    expect((await query<{ status: string }>("SELECT status FROM curriculum_changes WHERE id = ?", [change!.id]))[0]!.status).toBe("proposed");

    expect((await qa.post("/training/curriculum", { intent: `decide-${change!.id}`, decision: "approve", password: "quire-demo-2026" })).status).toBe(302);
    const after = await qa.get("/training/curriculum");
    expect(textOf(/<tr data-function="biostatistician">([\s\S]*?)<\/tr>/.exec(after.text)![1]!)).toContain(
      "SAS programming standards (refresh every 24 months)",
    );
    const [signed] = await query<{ meaning: string; username: string }>(
      "SELECT s.meaning, u.username FROM curriculum_changes c JOIN signatures s ON s.id = c.signature_id JOIN users u ON u.id = s.user_id WHERE c.id = ?",
      [change!.id],
    );
    expect(signed).toEqual({ meaning: "Curriculum approved", username: "qa" });
    const audit = await query<{ action: string }>("SELECT action FROM audit_events WHERE action LIKE 'training.curriculum.%' ORDER BY seq DESC LIMIT 2");
    expect(audit.map((a) => a.action)).toEqual(["training.curriculum.approve", "training.curriculum.propose"]);
  });

  it("shows each person's courses on their record: completed at the GCP session, or not yet", async () => {
    const cra3 = textOf((await trainer.get("/training/people/cra3")).text);
    expect(cra3).toMatch(/ICH E6\(R3\) Good Clinical Practice Current · completed \d{4}-\d\d-\d\d · refresh due \d{4}-\d\d-\d\d/);
    const pm1 = textOf((await trainer.get("/training/people/pm1")).text);
    expect(pm1).toContain("ICH E6(R3) Good Clinical Practice Not completed");
  });
});
