import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

import { runQuire } from "../helpers/cli";
import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// The fixture's demo: QM-001 v1.0 (24 months) and FRM-TS-001 v1.0 (36 months) effective 2025-02-03,
// SOP-TS-001 v2.0 (12 months) effective 2026-03-02. On 2027-02-10 QM-001's review (2027-02-03) is
// 7 days overdue, SOP-TS-001's (2027-03-02) due in 20 days, FRM-TS-001's (2028-02-03) not yet due.
const TODAY = "2027-02-10";

let server: RunningServer;
let dataDir: string;
let qa: HttpClient;
let staff: HttpClient;
let dc: HttpClient;

async function query<T>(sql: string, params: string[] = []): Promise<T[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

/** A table body's rows as arrays of cell texts. */
function rows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]!
        .replace(/<br\/?>/g, " ")
        .replace(/<[^>]+>/g, "")
        .replace(/&amp;/g, "&")
        .trim(),
    ),
  );
}

const row = (html: string, id: string) => rows(html).find((r) => r[0] === id);

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo-review-day")); // set up at TODAY 08:00
  server = await startServer(dataDir, { QUIRE_NOW: `${TODAY}T09:00:00Z` });
  qa = await signedIn(server.url, "qa");
  staff = await signedIn(server.url, "cra1");
  dc = await signedIn(server.url, "dc");
});
afterAll(async () => {
  await server?.stop();
});

describe("due and overdue reviews (GET /reviews)", () => {
  it("lists due and overdue reviews by default, with counts and filters, to anyone who reads documents", async () => {
    const { status, text } = await staff.get("/reviews");
    expect(status).toBe(200);
    expect(rows(text).map((r) => [r[0], r[6], r[7]])).toEqual([
      ["QM-001", "2027-02-03 7 days overdue", "Overdue"],
      ["SOP-TS-001", "2027-03-02 20 days left", "Due"],
    ]);
    expect(text).toMatch(/data-count="overdue">1</);
    expect(text).toMatch(/data-count="due">1</);
    expect(text).toMatch(/data-count="scheduled">1</);
    expect(text).not.toContain('href="/documents/QM-001/review"'); // staff cannot sign reviews
    expect(rows((await staff.get("/reviews?status=overdue")).text).map((r) => r[0])).toEqual(["QM-001"]);
    expect(rows((await staff.get("/reviews?status=due")).text).map((r) => r[0])).toEqual(["SOP-TS-001"]);
    expect(rows((await staff.get("/reviews?status=all")).text).map((r) => r[0])).toEqual(["QM-001", "SOP-TS-001", "FRM-TS-001"]);
    // An unknown filter falls back to the default instead of failing.
    expect((await staff.get("/reviews?status=nonsense")).status).toBe(200);
    expect((await qa.get("/reviews")).text).toContain('href="/documents/QM-001/review"');
  });
});

describe("signed periodic review (/documents/:id/review)", () => {
  it("refuses staff with 403 on GET and POST, and answers 404 for an unknown document", async () => {
    expect((await staff.get("/documents/QM-001/review")).status).toBe(403);
    const post = await staff.post("/documents/QM-001/review", { password: DEMO_PASSWORD });
    expect(post.status).toBe(403);
    expect(post.text).toContain("You do not have the permission document.approve");
    expect((await qa.get("/documents/SOP-XX-999/review")).status).toBe(404);
  });

  it("shows the version in force, the signing statement, the printed name and the change-request alternative", async () => {
    const { status, text } = await qa.get("/documents/QM-001/review");
    expect(status).toBe(200);
    expect(text).toContain("I have reviewed this document and no change is needed.");
    expect(text).toContain("Quinn Avery");
    expect(text).toContain("Periodic review");
    expect(text).toContain('href="/changes/new?doc=QM-001&amp;reason=Periodic%20review"');
    expect(text).toContain("No periodic review has been recorded yet.");
  });

  it("refuses a wrong password with 400, audits it and signs nothing", async () => {
    const res = await qa.post("/documents/QM-001/review", {
      intent: "periodic-review",
      outcome: "no-change",
      password: "wrong-password",
      comment: "Looked fine.",
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain("The password is not correct, so nothing was signed.");
    const failed = await query<{ username: string; new_values: string }>(
      "SELECT username, new_values FROM audit_events WHERE action = 'signature.password.failed'",
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.username).toBe("qa");
    expect(JSON.parse(failed[0]!.new_values)).toMatchObject({ reason: "wrong password", failedAttempts: 1 });
    expect(await query("SELECT id FROM signatures WHERE meaning = 'Periodic review'")).toHaveLength(0);
    expect(await query("SELECT id FROM periodic_reviews")).toHaveLength(0);
    // A missing password is a validation answer, not an attempt.
    const blank = await qa.post("/documents/QM-001/review", { intent: "periodic-review", password: "" });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain("Re-enter your password to sign");
  });

  it("signs 'no change needed', restarting the interval: the list and library show the new date", async () => {
    const res = await qa.post("/documents/QM-001/review", {
      intent: "periodic-review",
      outcome: "no-change",
      password: DEMO_PASSWORD,
      comment: "Checked against ICH E6(R3).",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/documents/QM-001/review?notice=periodic-review-signed");

    const page = await qa.get("/documents/QM-001/review?notice=periodic-review-signed");
    expect(page.text).toContain("Periodic review signed: no change needed.");
    expect(rows(page.text)[0]).toEqual(expect.arrayContaining([TODAY, "1.0", "No change needed", "Checked against ICH E6(R3)."]));
    expect(page.text).toContain("2029-02-10");

    const [signature] = await query<{ meaning: string; printed_name: string; content_hash: string; signed_at: string }>(
      "SELECT meaning, printed_name, content_hash, signed_at FROM signatures WHERE meaning = 'Periodic review'",
    );
    const [version] = await query<{ content_hash: string }>("SELECT content_hash FROM document_versions WHERE doc_id = 'QM-001' AND version = '1.0'");
    expect(signature).toEqual({
      meaning: "Periodic review",
      printed_name: "Quinn Avery",
      content_hash: version!.content_hash,
      signed_at: `${TODAY}T09:00:00.000Z`,
    });
    expect(await query("SELECT seq FROM audit_events WHERE action = 'document.periodic-review' AND object_id = 'QM-001'")).toHaveLength(1);

    const list = await staff.get("/reviews?status=all");
    expect(row(list.text, "QM-001")?.slice(5, 8)).toEqual([TODAY, "2029-02-10 731 days left", "Not yet due"]);
    expect(rows((await staff.get("/reviews")).text).map((r) => r[0])).toEqual(["SOP-TS-001"]);
    expect(row((await staff.get("/")).text, "QM-001")?.[7]).toBe("2029-02-10");
  });
});

describe("withdrawal (/documents/:id/retire, then the request's approvals)", () => {
  it("refuses staff with 403, a past date and a missing reason with 400", async () => {
    expect((await staff.get("/documents/FRM-TS-001/retire")).status).toBe(403);
    expect((await staff.post("/documents/FRM-TS-001/retire", { reason: "No longer used.", effectiveFrom: TODAY })).status).toBe(403);
    // An author reads the page but may not raise the request (document.withdraw is the document controller's).
    const author = await signedIn(server.url, "author");
    expect((await author.get("/documents/FRM-TS-001/retire")).text).not.toContain("Request the withdrawal");
    expect((await author.post("/documents/FRM-TS-001/retire", { reason: "No longer used by anyone.", effectiveFrom: TODAY })).status).toBe(403);
    const past = await dc.post("/documents/FRM-TS-001/retire", { reason: "Replaced by the electronic CRF.", effectiveFrom: "2027-02-09" });
    expect(past.status).toBe(400);
    expect(past.text).toContain("The retirement date cannot be in the past");
    const noReason = await dc.post("/documents/FRM-TS-001/retire", { reason: "", effectiveFrom: TODAY });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain("Give the reason for retiring the document");
    expect(await query("SELECT doc_id FROM retirements")).toHaveLength(0);
    expect(await query("SELECT id FROM change_requests WHERE kind = 'withdrawal'")).toHaveLength(0);
  });

  it("retires a document once the request is approved; library, document page and history show Retired", async () => {
    const form = await dc.get("/documents/FRM-TS-001/retire");
    expect(form.status).toBe(200);
    expect(form.text).toContain("Request the withdrawal");
    const requested = await dc.post("/documents/FRM-TS-001/retire", { reason: "Replaced by the electronic CRF module.", effectiveFrom: TODAY });
    expect(requested.status).toBe(302);
    const location = requested.headers.get("location")!;
    const crId = /^\/changes\/(CR-\d{4}-\d{4})\/withdrawal\?notice=withdrawal-requested$/.exec(location)?.[1];
    expect(crId, location).toBeDefined();
    expect(await query("SELECT doc_id FROM retirements")).toHaveLength(0);
    expect((await dc.get(location)).text).toContain("The withdrawal request is open.");
    // The change request's own address leads to the withdrawal page; the register lists it.
    const plain = await qa.get(`/changes/${crId}`);
    expect([plain.status, plain.headers.get("location")]).toEqual([302, `/changes/${crId}/withdrawal`]);
    expect(rows((await qa.get("/changes")).text).find((r) => r[0]?.startsWith(crId!))?.[1]).toContain("(withdrawal)");

    const page = await qa.get(`/changes/${crId}/withdrawal`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Give the final approval");
    expect(page.text).toContain("I retire this document for the reason below.");
    const contentHash = /name="contentHash" value="([0-9a-f]{64})"/.exec(page.text)![1]!;
    // Segregation of duties: the requester does not approve; staff cannot sign at all.
    const own = await dc.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: DEMO_PASSWORD, contentHash });
    expect(own.status).toBe(400);
    expect(own.text).toContain("You requested this withdrawal, so another person approves it.");
    expect((await staff.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: DEMO_PASSWORD, contentHash })).status).toBe(403);
    const wrong = await qa.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: "not the password", contentHash });
    expect(wrong.status).toBe(400);
    expect(await query("SELECT doc_id FROM retirements")).toHaveLength(0);

    const res = await qa.post(`/changes/${crId}/withdrawal`, { intent: "sign", password: DEMO_PASSWORD, contentHash });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/documents/FRM-TS-001/retire?notice=document-retired");
    const done = await qa.get("/documents/FRM-TS-001/retire?notice=document-retired");
    expect(done.text).toContain("The document is retired with your signed reason.");
    expect(done.text).toContain("Replaced by the electronic CRF module.");
    expect(done.text).toContain(`/changes/${crId}/withdrawal`);

    const [retirement] = await query<{ effective_from: string; reason: string; meaning: string; printed_name: string; cr_id: string; state: string }>(
      `SELECT r.effective_from, r.reason, s.meaning, s.printed_name, s.cr_id, c.state
         FROM retirements r JOIN signatures s ON s.id = r.signature_id JOIN change_requests c ON c.id = s.cr_id WHERE r.doc_id = 'FRM-TS-001'`,
    );
    expect(retirement).toEqual({
      effective_from: TODAY,
      reason: "Replaced by the electronic CRF module.",
      meaning: "Retired",
      printed_name: "Quinn Avery",
      cr_id: crId,
      state: "approved",
    });
    expect(
      await query("SELECT seq FROM audit_events WHERE action = 'document.retire' AND object_id = 'FRM-TS-001' AND reason = ?", [
        "Replaced by the electronic CRF module.",
      ]),
    ).toHaveLength(1);

    expect(row((await staff.get("/")).text, "FRM-TS-001")?.slice(4, 8)).toEqual(["1.0", "Retired", "2025-02-03", "–"]);
    const doc = await staff.get("/documents/FRM-TS-001");
    expect(doc.status).toBe(200);
    expect(doc.text).toContain('<span class="badge badge-retired">Retired</span>');
    const history = await staff.get("/documents/FRM-TS-001/history");
    expect(rows(history.text)[0]?.slice(0, 3)).toEqual(["v1.0", "Retired", `2025-02-03 – ${TODAY}`]);
    // No review is due for a retired document, and none can be signed.
    expect(rows((await staff.get("/reviews?status=all")).text).map((r) => r[0])).not.toContain("FRM-TS-001");
    expect((await qa.get("/documents/FRM-TS-001/review")).text).toContain("a retired document has no periodic review");

    const again = await dc.post("/documents/FRM-TS-001/retire", { reason: "Retire it once more, please.", effectiveFrom: TODAY });
    expect(again.status).toBe(400);
    expect(again.text).toContain("FRM-TS-001 is already retired from 2027-02-10");
  });

  it("makes `quire effective` say no version was in force on a later date", () => {
    const r = runQuire(["effective", "--doc", "FRM-TS-001", "--on", "2027-06-01"], { QUIRE_DATA_DIR: dataDir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "FRM-TS-001 on 2027-06-01: no version was effective (the document was retired from 2027-02-10; the last version in force was 1.0).\n",
    );
  });
});
