import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";

// `quire notify` on the project demo as init leaves it on 25 November 2026, run for 5 December 2026:
// CR-2026-0009 (SOP-DV-001) waits for its reviewer (Rafael Ortiz), CR-2026-0008 (SOP-TR-001) for
// approval; SOP-TR-001's periodic review (owner: training coordinator, Tessa Lund) is due on
// 2027-02-03, 60 days later; controlled copy SOP-CM-001-1.1-C002 is to recall from a site without
// an address, so the document controller (Quinn Avery, copies.issue) is told.

const ON = "2026-12-05";
let dataDir: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
}, 300_000);

function notify(...args: string[]) {
  return runQuire(["notify", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-25T09:00:00Z" });
}

interface NoticeJson {
  kind: string;
  key: string;
  recipients: { username: string | null; role: string; copy: boolean }[];
  file?: string;
}

interface NotifyJson {
  on: string;
  reminders: { sent: { file?: string }[] };
  notices: { sent: NoticeJson[]; failed: unknown[] };
}

function outbox(): string[] {
  const dir = path.join(dataDir, "outbox");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** An .eml's unfolded headers and its body (quoted-printable soft breaks joined). */
function eml(file: string): { header: (name: string) => string | undefined; body: string } {
  const raw = fs.readFileSync(path.join(dataDir, file), "utf8");
  const split = raw.indexOf("\r\n\r\n");
  const headers = new Map(
    raw
      .slice(0, split)
      .replace(/\r\n[ \t]+/g, " ")
      .split("\r\n")
      .map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as const),
  );
  const body = raw
    .slice(split + 4)
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { header: (name) => headers.get(name), body };
}

describe("quire notify (issue 13: every notification through one outbox)", () => {
  it("writes an .eml per notice due (a review task, a periodic review due in 60 days, a copy to recall) with the reminders, and nothing on a second run", async () => {
    const first = notify("--on", ON, "--json");
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const run = JSON.parse(first.stdout) as NotifyJson;
    expect(run.on).toBe(ON);
    expect(run.notices.failed).toEqual([]);
    const byKey = new Map(run.notices.sent.map((n) => [n.key, n]));

    const review = byKey.get("change:CR-2026-0009:review:round-1")!;
    expect(review.recipients.map((r) => `${r.username} ${r.role}`)).toEqual(["reviewer reviewer"]);
    const reviewMail = eml(review.file!);
    expect(reviewMail.header("to")).toBe("Rafael Ortiz <reviewer@demo.quire.invalid>");
    expect(reviewMail.header("subject")).toMatch(/^Review requested: CR-2026-0009 SOP-DV-001 /);
    expect(reviewMail.body).toContain("In Quire: /changes/CR-2026-0009");

    const due = byKey.get("review-due:SOP-TR-001:2027-02-03")!;
    expect(due.recipients.map((r) => `${r.username} ${r.role}`)).toEqual(["trainer owner"]);
    const dueMail = eml(due.file!);
    expect(dueMail.header("to")).toBe("Tessa Lund <trainer@demo.quire.invalid>");
    expect(dueMail.header("subject")).toBe("Periodic review due on 2027-02-03: SOP-TR-001 Training and Qualification");
    expect(dueMail.body).toContain("is due on 2027-02-03, in 60 days");

    const recall = byKey.get("copy-recall:SOP-CM-001-1.1-C002")!;
    expect(recall.recipients.map((r) => `${r.username} ${r.role}`)).toEqual(["dc document-controller", "qa document-controller"]);
    const recallMail = eml(recall.file!);
    expect(recallMail.header("subject")).toBe("Controlled copy to recall: SOP-CM-001-1.1-C002");
    expect(recallMail.body).toContain("Held by: Dr. Elena Marquez, Principal Investigator, Site 104");

    // Every message sent is in the outbox: the reminders' and the notices'.
    const files = [...run.reminders.sent, ...run.notices.sent].map((s) => path.basename(s.file!)).sort();
    expect(outbox()).toEqual(files);
    const rows = await queryDataFolder<{ n: number }>(dataDir, "SELECT count(*) AS n FROM notifications");
    expect(rows[0]!.n).toBe(run.notices.sent.reduce((n, s) => n + s.recipients.length, 0));
    const audits = await queryDataFolder<{ username: string }>(dataDir, "SELECT username FROM audit_events WHERE action = 'notifications.send'");
    expect(audits.map((a) => a.username)).toEqual([expect.stringMatching(/^cli:/)]);

    const again = notify("--on", ON, "--json");
    expect(again.status).toBe(0);
    const second = JSON.parse(again.stdout) as NotifyJson;
    expect([second.reminders.sent, second.notices.sent]).toEqual([[], []]);
    expect(outbox()).toEqual(files);
    expect(notify("--on", ON).stdout).toContain(`No document-control notices due on ${ON}: nothing sent.\n`);
  });

  it("shows in a dry run what is due and sends nothing; refuses a bad date with exit 2", () => {
    const fresh = notify("--on", "2026-12-06", "--dry-run");
    expect(fresh.status).toBe(0);
    expect(fresh.stdout).toMatch(/Dry run for 2026-12-06: \d+ document-control notices? to \d+ recipients? would be sent to the outbox/);
    const bad = notify("--on", "2026-13-01");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("quire: --on must be a date YYYY-MM-DD\n");
  });
});
