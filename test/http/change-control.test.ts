import fs from "node:fs";
import path from "node:path";

import { simpleGit } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database, type SqlParams } from "~/db/db.server";
import { sha256 } from "~/modules/content/render.server";
import { ContentRepository } from "~/modules/content/repository.server";

import { runQuire } from "../helpers/cli";
import { TestClock } from "../helpers/clock";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * The document-control path through the built server and a real git repository: open a change
 * request, edit the draft (validator, stale head), submit, review (wrong password), approve with
 * an effective date, and see the version become effective and the old one superseded.
 */
let server: RunningServer;
let dataDir: string;
const users: Record<string, HttpClient> = {};
const clock = new TestClock("2026-11-25T09:00:00Z");

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo-early")); // set up at 2026-11-25T08:00, an hour before the clock
  server = await startServer(dataDir, clock.env);
  for (const name of ["author", "reviewer", "qa", "cra1", "admin"]) users[name] = await signedIn(server.url, name);
});
afterAll(async () => {
  await server?.stop();
});

async function dbValue<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.get<T>(sql, params);
  } finally {
    await db.close();
  }
}

/** The content hash the change request's page shows (what a signer would sign). */
async function shownHash(): Promise<string> {
  const page = await users.qa!.get(`/changes/${crId}`);
  return /data-content-hash="([0-9a-f]{64})"/.exec(page.text)?.[1] ?? "";
}

function hidden(html: string, name: string): string {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
}

function textareaSource(html: string): string {
  const raw = /<textarea id="source"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1] ?? "";
  return raw
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");
}

const NEW_CR = {
  target: "existing",
  docId: "SOP-TS-001",
  reason: "Add the monitoring visit follow-up letter step required by the sponsor.",
  revision: "major",
  retrainingRequired: "yes",
  proposedEffectiveDate: "2026-12-01",
  capaRef: "CAPA-2026-014",
  reviewerIds: [] as string[],
};

let reviewerId = "";
let crId = "";

describe("change requests through the server", () => {
  it("lets only authors open a change request, and says what is wrong with bad input", async () => {
    expect((await users.cra1!.get("/changes/new")).status).toBe(403);
    const form = await users.author!.get("/changes/new");
    expect(form.status).toBe(200);
    const reviewer = await dbValue<{ id: string }>("SELECT id FROM users WHERE username = 'reviewer'");
    reviewerId = reviewer!.id;
    expect(form.text).toContain(`value="${reviewerId}"`);

    const past = await users.author!.post("/changes/new", { ...NEW_CR, reviewerIds: [reviewerId], proposedEffectiveDate: "2026-11-01" });
    expect(past.status).toBe(400);
    expect(past.text).toContain("The proposed effective date 2026-11-01 is in the past");
    const unknown = await users.author!.post("/changes/new", { ...NEW_CR, reviewerIds: [reviewerId], docId: "SOP-XX-999" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("There is no controlled document SOP-XX-999");
    const duplicate = await users.author!.post("/changes/new", { ...NEW_CR, reviewerIds: [reviewerId], target: "new", title: "Another", type: "sop" });
    expect(duplicate.status).toBe(400);
    expect(duplicate.text).toContain("Document id SOP-TS-001 is already used");
    const empty = await users.author!.post("/changes/new", {});
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Give the reason for the change");
    const before = await dbValue<{ n: number }>("SELECT count(*) AS n FROM change_requests");

    const opened = await users.author!.post("/changes/new", { ...NEW_CR, reviewerIds: [reviewerId] });
    expect(opened.status).toBe(302);
    crId = /^\/changes\/(CR-2026-\d{4})\/edit$/.exec(opened.headers.get("location") ?? "")?.[1] ?? "";
    expect(crId).not.toBe("");
    // Nothing was half-written by the refused attempts: exactly one new change request.
    expect(await dbValue("SELECT count(*) AS n FROM change_requests")).toEqual({ n: before!.n + 1 });
    const list = await users.qa!.get("/changes?state=open");
    expect(list.text).toContain(crId);
    expect(list.text).toContain("Draft");
  });

  it("saves edits as commits on the branch, refuses a stale head, and shows validator problems with line:column", async () => {
    const editor = await users.author!.get(`/changes/${crId}/edit`);
    expect(editor.status).toBe(200);
    expect((await users.reviewer!.get(`/changes/${crId}/edit`)).status).toBe(403);
    const head = hidden(editor.text, "expectedHead");
    const source = textareaSource(editor.text);
    expect(source).toContain("id: SOP-TS-001");

    const broken = source.replace("## Purpose", "## Purpose\n\n<Unknown thing />");
    const preview = await users.author!.post(`/changes/${crId}/preview`, { source: broken });
    const previewed = JSON.parse(preview.text) as { problems: { line: number; column: number; message: string }[]; html: string | null };
    expect(previewed.html).toBeNull();
    const line = broken.split("\n").findIndex((l) => l.includes("<Unknown")) + 1;
    expect(previewed.problems[0]).toMatchObject({ line, column: 1 });

    const saved = await users.author!.post(`/changes/${crId}/edit`, { source: broken, expectedHead: head });
    expect(saved.status).toBe(302);
    const stale = await users.author!.post(`/changes/${crId}/edit`, { source: source + "\nLost edit.\n", expectedHead: head });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain("The draft changed since you opened it");

    const submitBroken = await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: "quire-demo-2026" });
    expect(submitBroken.status).toBe(400);
    expect(submitBroken.text).toContain("fix them before submitting");
    expect(submitBroken.text).toContain(`${line}:1`);

    const fixed = source.replace("## Purpose", "## Purpose\n\nThe monitor sends a follow-up letter within 5 working days of each visit.");
    const again = await users.author!.get(`/changes/${crId}/edit`);
    const good = await users.author!.post(`/changes/${crId}/edit`, { source: fixed, expectedHead: hidden(again.text, "expectedHead") });
    expect(good.status).toBe(302);
    const goodPreview = JSON.parse((await users.author!.post(`/changes/${crId}/preview`, { source: fixed })).text) as { html: string };
    expect(goodPreview.html).toContain("follow-up letter within 5 working days");

    const repo = new ContentRepository(path.join(dataDir, "content"));
    const branchHead = await repo.branchHead(`cr/${crId}`);
    expect(await repo.readFile(branchHead!, "sops/SOP-TS-001.mdx")).toBe(fixed);
  });

  it("signs Authored on submit, refusing a wrong password (audited, counted toward lockout)", async () => {
    const wrong = await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: "not-my-password" });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("The password is not correct, so nothing was signed");
    expect(await dbValue("SELECT failed_signins AS n FROM users WHERE username = 'author'")).toEqual({ n: 1 });
    expect(await dbValue("SELECT count(*) AS n FROM audit_events WHERE action = 'signature.password.failed' AND username = 'author'")).toEqual({ n: 1 });
    expect(await dbValue("SELECT count(*) AS n FROM signatures WHERE cr_id = ?", [crId])).toEqual({ n: 0 });

    const ok = await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: "quire-demo-2026" });
    expect(ok.status).toBe(302);
    const page = await users.qa!.get(`/changes/${crId}`);
    expect(page.text).toContain("In review");
    expect(page.text).toMatch(/data-meaning="Authored" data-standing="counts"/);
    expect(page.text).toContain("1 named reviewer(s) have not signed the current content as reviewed.");
  });

  it("enforces who may do what and the state machine", async () => {
    expect(
      (
        await users.cra1!.post(`/changes/${crId}`, {
          intent: "approve",
          contentHash: await shownHash(),
          password: "quire-demo-2026",
          effectiveDate: "2026-12-01",
        })
      ).status,
    ).toBe(403);
    expect((await users.author!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: "quire-demo-2026" })).status).toBe(403);
    const early = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: "quire-demo-2026",
      effectiveDate: "2026-12-01",
    });
    expect(early.status).toBe(400);
    expect(early.text).toContain("named reviewer(s) have not signed");
    const again = await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: "quire-demo-2026" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("is already in review with this content; edit the draft to resubmit a revision.");
    expect((await users.qa!.get("/changes/CR-2026-9999")).status).toBe(404);
    expect((await users.qa!.post("/changes/CR-2026-9999", { intent: "comment", body: "x" })).status).toBe(404);
  });

  it("refuses a signature on content the signer was not shown", async () => {
    const stale = await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: "0".repeat(64), password: "quire-demo-2026" });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain("The draft changed after this page was opened, so nothing was signed");
    const missing = await users.reviewer!.post(`/changes/${crId}`, { intent: "review", password: "quire-demo-2026" });
    expect(missing.status).toBe(400);
    expect(await dbValue("SELECT count(*) AS n FROM signatures WHERE cr_id = ? AND meaning = 'Reviewed'", [crId])).toEqual({ n: 0 });
  });

  it("invalidates a review signature visibly when the draft changes after it", async () => {
    const wrong = await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: "wrong-password-1" });
    expect(wrong.status).toBe(400);
    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: "quire-demo-2026" })).status).toBe(
      302,
    );
    // One signature per signer, meaning and round: a second "Reviewed" is refused and not offered.
    const twice = await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: "quire-demo-2026" });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain("You have already signed this content");
    expect((await users.reviewer!.get(`/changes/${crId}`)).text).not.toContain("Sign as reviewed");
    expect(await dbValue<{ n: number }>("SELECT count(*) AS n FROM signatures WHERE cr_id = ? AND meaning = 'Reviewed'", [crId])).toEqual({ n: 1 });
    const editor = await users.author!.get(`/changes/${crId}/edit`);
    const edited = textareaSource(editor.text).replace("5 working days", "five working days");
    expect((await users.author!.post(`/changes/${crId}/edit`, { source: edited, expectedHead: hidden(editor.text, "expectedHead") })).status).toBe(302);
    const page = await users.qa!.get(`/changes/${crId}`);
    expect(page.text).toMatch(/data-meaning="Reviewed" data-standing="content-changed"/);
    expect(page.text).toContain("Not valid: the content changed after this signature");
    const blocked = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: "quire-demo-2026",
      effectiveDate: "2026-12-01",
    });
    expect(blocked.status).toBe(400);
    expect(blocked.text).toContain("The author has not signed the current content");
    // The author may resubmit the revision (a new round) without a rejection first.
    expect((await users.author!.get(`/changes/${crId}`)).text).toContain("Sign and submit");
  });

  it("rejects with a reason back to Draft; resubmitted, reviewed and approved it becomes a tagged version", async () => {
    const noReason = await users.reviewer!.post(`/changes/${crId}`, { intent: "reject", reason: "" });
    expect(noReason.status).toBe(400);
    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "reject", reason: "Please say who signs the follow-up letter." })).status).toBe(302);
    let page = await users.author!.get(`/changes/${crId}`);
    expect(page.text).toContain("Draft");
    expect(page.text).toContain("Please say who signs the follow-up letter.");

    expect((await users.author!.post(`/changes/${crId}`, { intent: "submit", contentHash: await shownHash(), password: "quire-demo-2026" })).status).toBe(302);
    // Each person's task list on /changes: the reviewer has it to review, QA not yet to approve.
    const tasks = (html: string, group: string) => new RegExp(`data-tasks="${group}"[\\s\\S]*?</ul>`).exec(html)?.[0] ?? "";
    expect(tasks((await users.reviewer!.get("/changes")).text, "review")).toContain(crId);
    expect(tasks((await users.qa!.get("/changes")).text, "approve")).not.toContain(crId);
    expect((await users.reviewer!.post(`/changes/${crId}`, { intent: "review", contentHash: await shownHash(), password: "quire-demo-2026" })).status).toBe(
      302,
    );
    expect(tasks((await users.reviewer!.get("/changes")).text, "review")).not.toContain(crId);
    expect(tasks((await users.qa!.get("/changes")).text, "approve")).toContain(crId);
    const pastDate = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: "quire-demo-2026",
      effectiveDate: "2026-11-20",
    });
    expect(pastDate.status).toBe(400);
    expect(pastDate.text).toContain("The effective date 2026-11-20 is in the past");
    expect(
      (
        await users.author!.post(`/changes/${crId}`, {
          intent: "approve",
          contentHash: await shownHash(),
          password: "quire-demo-2026",
          effectiveDate: "2026-12-01",
        })
      ).status,
    ).toBe(403);

    const approved = await users.qa!.post(`/changes/${crId}`, {
      intent: "approve",
      contentHash: await shownHash(),
      password: "quire-demo-2026",
      effectiveDate: "2026-12-01",
    });
    expect(approved.status).toBe(302);
    page = await users.qa!.get(`/changes/${crId}`);
    expect(page.text).toContain("Approved");
    expect(page.text).toContain("SOP-TS-001 v3.0");

    const repo = new ContentRepository(path.join(dataDir, "content"));
    expect(await repo.hasTag("SOP-TS-001/v3.0")).toBe(true);
    const trailers = await repo.trailers((await repo.branchHead("main"))!);
    const content = await repo.readFile((await repo.branchHead("main"))!, "sops/SOP-TS-001.mdx");
    expect(trailers.get("Quire-Change-Request")).toEqual([crId]);
    for (const key of ["Quire-Authored-By", "Quire-Reviewed-By", "Quire-Approved-By"]) {
      expect(trailers.get(key)?.[0], key).toMatch(new RegExp(`sha256:${sha256(content)}$`));
    }
    expect(trailers.get("Quire-Approved-By")?.[0]).toMatch(/^Quinn Avery <qa> 2026-11-25T09:00:00Z/);
  });

  it("shows the new version as approved until its effective date, then effective with the old one superseded", async () => {
    let doc = await users.cra1!.get("/documents/SOP-TS-001?version=3.0");
    expect(doc.text).toContain("Approved, effective from 2026-12-01: not yet in force.");
    expect(doc.text).toMatch(/Approved<\/strong> by Quinn Avery/);
    // Each signature shown is bound to this version's content (Part 11 §11.70), and says so.
    expect(doc.text).toMatch(/Approved<\/strong> by Quinn Avery[\s\S]*?sha256 [0-9a-f]{12}… = this content/);
    const redlinePage = await users.cra1!.get("/documents/SOP-TS-001/redline?from=2.0&to=3.0");
    expect(redlinePage.text).toContain(`href="/changes/${crId}"`);
    const today = await users.cra1!.get("/documents/SOP-TS-001");
    expect(today.text).toContain('data-version="2.0"');
    // The version in force says a new one is coming, and links to it.
    expect(today.text).toContain("Version 3.0 is approved and takes effect on 2026-12-01; until then this version is in force.");
    expect(today.text).toContain('href="/documents/SOP-TS-001?version=3.0"');

    clock.set("2026-12-01T08:00:00Z");
    for (const name of Object.keys(users)) users[name] = await signedIn(server.url, name);
    doc = await users.cra1!.get("/documents/SOP-TS-001");
    expect(doc.text).toContain('data-version="3.0"');
    const history = await users.cra1!.get("/documents/SOP-TS-001/history");
    expect(history.text).toMatch(
      /data-version="3.0"[\s\S]*?Effective[\s\S]*?Authored: Ayesha Rahman[\s\S]*?Reviewed: Rafael Ortiz[\s\S]*?Approved: Quinn Avery/,
    );
    expect(history.text).toMatch(/data-version="2.0"[\s\S]*?Superseded/);
    expect(history.text).toContain(`/changes/${crId}`);

    const before = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-11-30", "--json"], { QUIRE_DATA_DIR: dataDir });
    expect(JSON.parse(before.stdout)).toMatchObject({ version: "2.0", effectiveTo: "2026-12-01" });
    const after = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-12-01", "--json"], { QUIRE_DATA_DIR: dataDir });
    expect(JSON.parse(after.stdout)).toMatchObject({ version: "3.0", effectiveFrom: "2026-12-01", effectiveTo: null });
  });

  it("withdraws with a reason, and the audit trail still verifies", async () => {
    const opened = await users.author!.post("/changes/new", { ...NEW_CR, reviewerIds: [reviewerId], revision: "minor", proposedEffectiveDate: "2026-12-15" });
    const second = /^\/changes\/(CR-2026-\d{4})\/edit$/.exec(opened.headers.get("location") ?? "")?.[1];
    expect(second).toBe(`CR-2026-${String(Number(crId.slice(-4)) + 1).padStart(4, "0")}`);
    // An author who prefers git pushes to the CR's branch; the editor then works from that head.
    const work = path.join(tempDir("quire-clone-"), "work");
    await simpleGit().clone(path.join(dataDir, "content"), work, ["--branch", `cr/${second}`]);
    const clone = simpleGit(work).addConfig("user.name", "Ayesha Rahman").addConfig("user.email", "author@example.org");
    const file = path.join(work, "sops", "SOP-TS-001.mdx");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("## Purpose", "## Purpose\n\nPushed from a clone with git."));
    await clone.add(".").commit(`${second}: edit with git`).push("origin", `cr/${second}`);
    const pushed = (await clone.revparse(["HEAD"])).trim();
    const editor = await users.author!.get(`/changes/${second}/edit`);
    expect(hidden(editor.text, "expectedHead")).toBe(pushed);
    expect(textareaSource(editor.text)).toContain("Pushed from a clone with git.");
    // The pushed commit is in the audit trail, with its git author, once Quire has seen it.
    const pushedRow = await dbValue<{ new_values: string }>(
      "SELECT new_values FROM audit_events WHERE action = 'change-request.draft.pushed' AND object_id = ?",
      [second!],
    );
    expect(JSON.parse(pushedRow!.new_values)).toMatchObject({
      head: pushed,
      commits: [{ commit: pushed, author: "Ayesha Rahman <author@example.org>", subject: `${second}: edit with git` }],
    });
    await users.author!.get(`/changes/${second}/edit`);
    expect(await dbValue("SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.draft.pushed' AND object_id = ?", [second!])).toEqual({ n: 1 });

    // The author changes who reviews, with a reason; nobody else can.
    const qaId = (await dbValue<{ id: string }>("SELECT id FROM users WHERE username = 'qa'"))!.id;
    expect((await users.reviewer!.post(`/changes/${second}`, { intent: "reviewers", reviewerIds: [qaId], reason: "Not mine to change" })).status).toBe(403);
    const none = await users.author!.post(`/changes/${second}`, { intent: "reviewers", reason: "Nobody at all" });
    expect(none.status).toBe(400);
    expect(none.text).toContain("Name at least one reviewer");
    const self = await users.author!.post(`/changes/${second}`, {
      intent: "reviewers",
      reviewerIds: [reviewerId, (await dbValue<{ id: string }>("SELECT id FROM users WHERE username = 'author'"))!.id],
      reason: "Review it myself",
    });
    expect(self.status).toBe(400);
    expect(self.text).toContain("You cannot review your own change");
    const changed = await users.author!.post(`/changes/${second}`, {
      intent: "reviewers",
      reviewerIds: [reviewerId, qaId],
      reason: "QA to review the wording too.",
    });
    expect(changed.status).toBe(302);
    expect((await users.author!.get(`/changes/${second}`)).text).toMatch(/Reviewers<\/dt><dd><ul class="plain">[\s\S]*Quinn Avery/);
    expect(await dbValue("SELECT count(*) AS n FROM audit_events WHERE action = 'change-request.reviewers' AND object_id = ?", [second!])).toEqual({ n: 1 });

    expect((await users.reviewer!.post(`/changes/${second}`, { intent: "withdraw", reason: "Not mine to withdraw" })).status).toBe(403);
    expect((await users.author!.post(`/changes/${second}`, { intent: "withdraw", reason: "Merged into the next major revision." })).status).toBe(302);
    expect((await users.author!.get(`/changes/${second}`)).text).toContain("Withdrawn");
    const verify = runQuire(["audit", "verify", "--json"], { QUIRE_DATA_DIR: dataDir });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });
});
