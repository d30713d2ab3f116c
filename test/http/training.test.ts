import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { parseQuiz, type Quiz } from "~/modules/training/quiz";

import { PROJECT_CONTENT, copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// The project demo on 2026-11-25: pm1 (Priya Nair) joined on 2026-11-17, so her induction is due
// 2026-12-15; SOP-CM-001 v2.0 has a knowledge check. cra3 failed SOP-CM-001's three times (locked).

let server: RunningServer;
let dataDir: string;
let pm1: HttpClient;
let quiz: Quiz;

function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
  return queryDataFolder<T>(dataDir, sql, params);
}

async function assignmentOf(username: string, docId: string): Promise<{ id: number; status: string; version: string }> {
  const [row] = await query<{ id: number; status: string; version: string }>(
    "SELECT a.id, a.status, a.version FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = ? AND a.doc_id = ? ORDER BY a.id DESC LIMIT 1",
    [username, docId],
  );
  return row!;
}

function hiddenValue(html: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1]!;
}

function answersFor(right: boolean): Record<string, string[]> {
  const form: Record<string, string[]> = {};
  for (const q of quiz.questions) {
    form[`q.${q.id}`] = right ? q.options.filter((o) => o.correct).map((o) => o.id) : [q.options.find((o) => !o.correct)!.id];
  }
  return form;
}

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  pm1 = await signedIn(server.url, "pm1");
  const parsed = parseQuiz("sops/SOP-CM-001.quiz.yaml", fs.readFileSync(path.join(PROJECT_CONTENT, "sops", "SOP-CM-001.quiz.yaml"), "utf8"));
  if (!parsed.ok) throw new Error("the demo quiz does not parse");
  quiz = parsed.quiz;
});
afterAll(async () => {
  await server?.stop();
});

describe("My training (GET /training)", () => {
  it("lists what the person must do, due first, with a count in the menu", async () => {
    const { status, text } = await pm1.get("/training");
    expect(status).toBe(200);
    const open = await query<{ n: number }>(
      "SELECT count(*) AS n FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'pm1' AND a.status = 'open'",
    );
    expect(open[0]!.n).toBeGreaterThan(0);
    expect(text).toContain(`<span class="nav-count" aria-label="${open[0]!.n} open">${open[0]!.n}</span>`);
    expect(text).toContain("SOP-CM-001");
    expect(text).toContain('Due <time dateTime="2026-12-15">2026-12-15</time>');
    expect(text).toContain("Induction curriculum");
  });

  it("refuses an inspector, who acknowledges nothing", async () => {
    const inspector = await signedIn(server.url, "inspector");
    expect((await inspector.get("/training")).status).toBe(403);
  });
});

describe("reading, the knowledge check and signing (/training/:id)", () => {
  it("shows the version and its questions, never the answers", async () => {
    const a = await assignmentOf("pm1", "SOP-CM-001");
    const { status, text } = await pm1.get(`/training/${a.id}`);
    expect(status).toBe(200);
    expect(text).toContain("Knowledge check");
    expect(text).toContain(quiz.questions[0]!.prompt.replace(/'/g, "&#x27;"));
    expect(text).not.toMatch(/"correct"/);
    expect(text).not.toContain("Sign: read and understood"); // not before the knowledge check is passed
  });

  it("refuses a signature before the knowledge check is passed, and stale or foreign answer sets, recording nothing", async () => {
    const a = await assignmentOf("pm1", "SOP-CM-001");
    const page = (await pm1.get(`/training/${a.id}`)).text;
    const quizHash = hiddenValue(page, "quizHash");
    const sign = await pm1.post(`/training/${a.id}`, { intent: "acknowledge", password: DEMO_PASSWORD, contentHash: "a".repeat(64) });
    expect(sign.status).toBe(409);
    const [version] = await query<{ content_hash: string }>("SELECT content_hash FROM document_versions WHERE doc_id = 'SOP-CM-001' AND version = ?", [
      a.version,
    ]);
    const signRight = await pm1.post(`/training/${a.id}`, { intent: "acknowledge", password: DEMO_PASSWORD, contentHash: version!.content_hash });
    expect(signRight.status).toBe(409);
    expect(signRight.text).toContain("Pass the knowledge check (pass mark 80%) before you sign read and understood.");
    const later = await pm1.post(`/training/${a.id}`, { intent: "quiz", attempt: "2", quizHash, ...answersFor(true) });
    expect(later.status).toBe(409);
    expect(later.text).toContain("These answers are for attempt 2, but attempt 1 is next");
    const other = await pm1.post(`/training/${a.id}`, { intent: "quiz", attempt: "1", quizHash: "b".repeat(64), ...answersFor(true) });
    expect(other.text).toContain("These answers are for another knowledge check");
    const unknown = await pm1.post(`/training/${a.id}`, {
      intent: "quiz",
      attempt: "1",
      quizHash,
      ...answersFor(true),
      [`q.${quiz.questions[0]!.id}`]: "no-such-option",
    });
    expect(unknown.status).toBe(409);
    expect(unknown.text).toContain("nothing was recorded");
    expect(await query("SELECT * FROM quiz_attempts WHERE assignment_id = ?", [a.id])).toEqual([]);
    expect(
      await query(
        "SELECT * FROM signatures WHERE meaning = 'Read and understood' AND user_id = (SELECT id FROM users WHERE username = 'pm1') AND doc_id = 'SOP-CM-001'",
      ),
    ).toEqual([]);
  });

  it("grades on the server, keeps every attempt, then lets the trainee sign with their password", async () => {
    const a = await assignmentOf("pm1", "SOP-CM-001");
    const [{ seq }] = (await query<{ seq: number }>("SELECT max(seq) AS seq FROM audit_events")) as [{ seq: number }];
    const quizHash = hiddenValue((await pm1.get(`/training/${a.id}`)).text, "quizHash");
    const failed = await pm1.post(`/training/${a.id}`, { intent: "quiz", attempt: "1", quizHash, ...answersFor(false) });
    expect(failed.status).toBe(200);
    expect(failed.text).toContain("Not passed: 0%");
    const passed = await pm1.post(`/training/${a.id}`, { intent: "quiz", attempt: "2", quizHash, ...answersFor(true) });
    expect(passed.text).toContain(`Passed: 100% (${quiz.questions.length} of ${quiz.questions.length} right)`);
    expect(await query("SELECT attempt, score, passed FROM quiz_attempts WHERE assignment_id = ? ORDER BY attempt", [a.id])).toEqual([
      { attempt: 1, score: 0, passed: 0 },
      { attempt: 2, score: 100, passed: 1 },
    ]);

    const page = (await pm1.get(`/training/${a.id}`)).text;
    expect(page).toContain("Sign: read and understood");
    const contentHash = hiddenValue(page, "contentHash");
    const wrong = await pm1.post(`/training/${a.id}`, { intent: "acknowledge", password: "not-the-password", contentHash });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The password is not correct, so nothing was signed.");
    const signed = await pm1.post(`/training/${a.id}`, { intent: "acknowledge", password: DEMO_PASSWORD, contentHash });
    expect(signed.status).toBe(302);
    expect(signed.headers.get("location")).toBe("/training?notice=training-signed");
    expect((await assignmentOf("pm1", "SOP-CM-001")).status).toBe("completed");
    const actions = await query<{ action: string }>("SELECT action FROM audit_events WHERE seq > ? AND username = 'pm1' ORDER BY seq", [seq]);
    expect(actions.map((r) => r.action)).toEqual([
      "training.quiz.failed",
      "training.quiz.passed",
      "signature.password.failed",
      "signature.sign",
      "training.complete",
    ]);
    const again = await pm1.post(`/training/${a.id}`, { intent: "acknowledge", password: DEMO_PASSWORD, contentHash });
    expect(again.status).toBe(409);
    expect(again.text).toContain("You already signed SOP-CM-001");
  });

  it("answers 404 for someone else's assignment, reading or signing", async () => {
    const a = await assignmentOf("pm1", "SOP-TR-001");
    const cra1 = await signedIn(server.url, "cra1");
    expect((await cra1.get(`/training/${a.id}`)).status).toBe(404);
    expect((await cra1.post(`/training/${a.id}`, { intent: "acknowledge", password: DEMO_PASSWORD, contentHash: "a".repeat(64) })).status).toBe(404);
    expect((await cra1.get("/training/not-a-number")).status).toBe(404);
  });

  it("shows a knowledge check locked after its attempts are used", async () => {
    const cra3 = await signedIn(server.url, "cra3");
    const a = await assignmentOf("cra3", "SOP-CM-001");
    const { text } = await cra3.get(`/training/${a.id}`);
    expect(text).toContain("Locked: all 3 attempts are used.");
    expect(text).not.toContain("Submit answers");
    expect(text).not.toContain("Sign: read and understood");
  });
});

describe("notices (inspection question 12: how the people affected found out)", () => {
  it("tells staff on the library page, lists the notice, and records when they read it", async () => {
    // cra2 leaves notices unread in the demo: three minor revisions that needed no retraining.
    const cra2 = await signedIn(server.url, "cra2");
    const home = await cra2.get("/");
    expect(home.text).toMatch(/1 training item is overdue\. 3 new notices\. <a[^>]*href="\/training"[^>]*>Open My training<\/a>/);
    const page = await cra2.get("/training");
    expect(page.text).toContain(
      "SOP-ES-001 Electronic Records and Electronic Signatures v1.1 takes effect on 2026-11-02. It is a minor revision that needs no retraining",
    );
    expect((await cra2.post("/training", {})).status).toBe(302);
    const [read] = await query<{ new_values: string }>("SELECT new_values FROM audit_events WHERE action = 'training.notice.read' AND username = 'cra2'");
    expect(JSON.parse(read!.new_values).notices).toEqual([
      expect.stringMatching(/^\d+ SOP-CM-001 v1\.1$/),
      expect.stringMatching(/^\d+ WI-CM-001 v1\.1$/),
      expect.stringMatching(/^\d+ SOP-ES-001 v1\.1$/),
    ]);
    expect((await cra2.get("/")).text).not.toContain("new notice");
    expect((await cra2.get("/training")).text).not.toContain("I have read these notices");
  });
});

describe("training sessions through the pages (FRM-TR-001)", () => {
  it("records a session the trainer delivered, signed with the password, and names bad fields", async () => {
    const trainer = await signedIn(server.url, "trainer");
    const [cra1] = await query<{ id: string }>("SELECT id FROM users WHERE username = 'cra1'");
    const form = {
      intent: "session",
      title: "Deviation log walkthrough",
      kind: "virtual",
      heldOn: "2026-11-24",
      durationMinutes: "45",
      content: "How to record and classify a protocol deviation in the log.",
      attendees: [cra1!.id],
      documents: ["SOP-DV-001 1.0"],
      password: DEMO_PASSWORD,
    };
    const bad = await trainer.post("/training/sessions/new", { ...form, content: "short" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Describe what was covered (at least 10 characters).");
    const wrong = await trainer.post("/training/sessions/new", { ...form, password: "nope" });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The password is not correct");
    const ok = await trainer.post("/training/sessions/new", form);
    expect(ok.status).toBe(302);
    const list = await (await signedIn(server.url, "cra1")).get("/training/sessions");
    expect(list.text).toContain("Deviation log walkthrough");
    expect(list.text).toContain("SOP-DV-001 v1.0");
  });
});

describe("a knowledge check edited with its document in a change request", () => {
  it("saves the quiz with the draft, shows its problems by line, and keeps it on the branch", async () => {
    const author = await signedIn(server.url, "author");
    const [cr] = await query<{ id: string }>("SELECT id FROM change_requests WHERE doc_id = 'WI-DM-001' AND state = 'draft'");
    const editor = await author.get(`/changes/${cr!.id}/edit`);
    expect(editor.text).toContain("work-instructions/WI-DM-001.quiz.yaml");
    const source = /<textarea id="source"[^>]*>([\s\S]*?)<\/textarea>/
      .exec(editor.text)![1]!
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&amp;/g, "&");
    const head = /name="expectedHead" value="([0-9a-f]{40})"/.exec(editor.text)![1]!;
    const broken = "passMark: 80\nquestions: []\n";
    expect((await author.post(`/changes/${cr!.id}/edit`, { source, expectedHead: head, quiz: broken })).status).toBe(302);
    const after = await author.get(`/changes/${cr!.id}/edit`);
    expect(after.text).toMatch(/Line 2, column \d+: /);
    const [saved] = await query<{ new_values: string }>(
      "SELECT new_values FROM audit_events WHERE action = 'change-request.draft.save' ORDER BY seq DESC LIMIT 1",
    );
    expect(JSON.parse(saved!.new_values).quizHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
