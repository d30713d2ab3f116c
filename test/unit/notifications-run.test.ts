import fs from "node:fs";
import path from "node:path";

import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import type { Mail, MailSender } from "~/modules/notifications/mail.server";
import { NotificationsBusy, runNotifications } from "~/modules/notifications/notifications.server";
import { SYSTEM_ACTOR } from "~/modules/users/actor";

import { ensureTemplate } from "../helpers/data-folder";
import { openCopy } from "../helpers/factories";

// runNotifications on the project demo as init leaves it on 25 November 2026: CR-2026-0009 (SOP-DV-001)
// waits for its reviewer, CR-2026-0008 (SOP-TR-001) for approval; POL-QA-001's periodic review is
// 295 days overdue; controlled copy SOP-CM-001-1.1-C002 is to recall from a site with no address.

const TODAY = "2026-11-25";
const opened: Quire[] = [];

// The project demo's template is built by a real init the first time (about a minute on a busy machine).
beforeAll(() => ensureTemplate("project-demo"), 300_000);

afterEach(async () => {
  for (const q of opened.splice(0)) await q.db.close();
});

async function demo(): Promise<Quire> {
  const q = await openCopy("project-demo", `${TODAY}T09:00:00Z`);
  opened.push(q);
  return q;
}

/** A sender that hands each mail to `decide`: the addresses it accepts, or a throw. */
function fakeSender(decide: (mail: Mail) => string[] = (m) => [...m.to, ...m.cc].map((a) => a.address)): MailSender & { mails: Mail[] } {
  const mails: Mail[] = [];
  return {
    transport: "smtp",
    mails,
    async send(mail) {
      mails.push(mail);
      return { messageId: mail.messageId, file: null, accepted: decide(mail) };
    },
    close: () => undefined,
  };
}

async function rows(q: Quire) {
  return q.db.all<{ kind: string; subject_key: string; recipient_name: string; recipient_role: string; copy: number }>(
    "SELECT kind, subject_key, recipient_name, recipient_role, copy FROM notifications ORDER BY id",
  );
}

async function audits(q: Quire) {
  return q.db.all<{ username: string; new_values: string }>("SELECT username, new_values FROM audit_events WHERE action = 'notifications.send' ORDER BY seq");
}

describe("runNotifications (SOP-DC-001 notices through the one outbox)", () => {
  it("sends each notice due, records who was told, their in-app notices and one audit row; a second run sends nothing", async () => {
    const q = await demo();
    const sender = fakeSender();
    const run = await runNotifications(q, TODAY, { sender });
    expect(run.sent.map((s) => `${s.key}: ${s.recipients.map((r) => `${r.username}/${r.role}${r.copy ? "/cc" : ""}`).join(", ")}`)).toEqual([
      "change:CR-2026-0009:review:round-1: reviewer/reviewer",
      "change:CR-2026-0008:approve:round-1: qa/approver",
      "review-overdue-30:POL-QA-001:2026-02-03: exec/executive-management, qa/quality-manager/cc, reviewer/quality-manager/cc",
      "copy-recall:SOP-CM-001-1.1-C002: dc/document-controller, qa/document-controller",
    ]);
    expect(run.failed).toEqual([]);
    const review = sender.mails[0]!;
    expect(review.to).toEqual([{ name: "Rafael Ortiz", address: "reviewer@demo.quire.invalid" }]);
    expect(review.subject).toMatch(/^Review requested: CR-2026-0009 SOP-DV-001 /);
    expect(review.text).toContain("In Quire: /changes/CR-2026-0009");
    expect(review.headers["X-Quire-Key"]).toBe("change:CR-2026-0009:review:round-1");
    expect(sender.mails[3]!.text).toContain("The holder has no email address in Quire");

    expect((await rows(q)).map((r) => `${r.kind} ${r.recipient_name} ${r.recipient_role}${r.copy ? " cc" : ""}`)).toEqual([
      "change-review Rafael Ortiz reviewer",
      "change-approval Quinn Avery approver",
      "review-overdue-30 Elena Vance executive-management",
      "review-overdue-30 Quinn Avery quality-manager cc",
      "review-overdue-30 Rafael Ortiz quality-manager cc",
      "copy-recall Daniel Cho document-controller",
      "copy-recall Quinn Avery document-controller",
    ]);
    const notices = await q.db.all<{ username: string; kind: string; message: string }>(
      "SELECT u.username, n.kind, n.message FROM training_notices n JOIN users u ON u.id = n.user_id WHERE n.kind LIKE 'change-%' OR n.kind LIKE 'review-%' OR n.kind = 'copy-recall' ORDER BY n.id",
    );
    expect(notices.map((n) => `${n.username} ${n.kind}`)).toEqual([
      "reviewer change-review",
      "qa change-approval",
      "exec review-overdue-30",
      "qa review-overdue-30",
      "reviewer review-overdue-30",
      "dc copy-recall",
      "qa copy-recall",
    ]);
    const audit = await audits(q);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.username).toBe("system");
    expect(JSON.parse(audit[0]!.new_values)).toMatchObject({ on: TODAY, notifications: 4, recipients: 7, byKind: { "change-review": 1, "copy-recall": 1 } });

    const again = await runNotifications(q, TODAY, { sender: fakeSender() });
    expect(again.sent).toEqual([]);
    expect(await rows(q)).toHaveLength(7);
    expect(await audits(q)).toHaveLength(1);
  });

  it("records nothing for a notice that was not sent or not accepted, so the next run tries it again", async () => {
    const q = await demo();
    const run = await runNotifications(q, TODAY, {
      sender: fakeSender((mail) => {
        if (mail.subject.startsWith("Controlled copy")) throw new Error("connection refused");
        // The mail server refuses the quality manager's address.
        return [...mail.to, ...mail.cc].map((a) => a.address).filter((a) => !a.startsWith("qa@"));
      }),
    });
    expect(run.sent.map((s) => s.key)).toEqual(["change:CR-2026-0009:review:round-1", "review-overdue-30:POL-QA-001:2026-02-03"]);
    expect(run.failed.map((f) => `${f.key}: ${f.recipients.join()} ${f.error}`)).toEqual([
      "change:CR-2026-0008:approve:round-1: qa the mail server did not accept these recipients",
      "review-overdue-30:POL-QA-001:2026-02-03: qa the mail server did not accept these recipients",
      "copy-recall:SOP-CM-001-1.1-C002: dc,qa connection refused",
    ]);
    expect((await rows(q)).map((r) => `${r.kind} ${r.recipient_name}`)).toEqual([
      "change-review Rafael Ortiz",
      "review-overdue-30 Elena Vance",
      "review-overdue-30 Rafael Ortiz",
    ]);
    const retry = await runNotifications(q, TODAY, { sender: fakeSender() });
    expect(retry.sent.map((s) => `${s.key}: ${s.recipients.map((r) => r.username).join()}`)).toEqual([
      "change:CR-2026-0008:approve:round-1: qa",
      "review-overdue-30:POL-QA-001:2026-02-03: qa",
      "copy-recall:SOP-CM-001-1.1-C002: dc,qa",
    ]);
  });

  it("sends nothing in a dry run, and writes .eml files to the outbox without SMTP", async () => {
    const q = await demo();
    const dry = await runNotifications(q, TODAY, { dryRun: true });
    expect(dry.sent).toHaveLength(4);
    expect(fs.existsSync(path.join(q.config.dataDir, "outbox"))).toBe(false);
    expect(await rows(q)).toEqual([]);
    const run = await runNotifications(q, TODAY);
    expect(run.transport).toBe("outbox");
    expect(run.sent.map((s) => s.file)).toEqual([
      "outbox/2026-11-25-change-CR-2026-0009-review-round-1.eml",
      "outbox/2026-11-25-change-CR-2026-0008-approve-round-1.eml",
      "outbox/2026-11-25-review-overdue-30-POL-QA-001-2026-02-03.eml",
      "outbox/2026-11-25-copy-recall-SOP-CM-001-1.1-C002.eml",
    ]);
    for (const s of run.sent) expect(fs.existsSync(path.join(q.config.dataDir, s.file!))).toBe(true);
  });

  it("keeps its records: no update, no delete", async () => {
    const q = await demo();
    await runNotifications(q, TODAY, { sender: fakeSender() });
    await expect(q.db.transaction((tx) => tx.run("UPDATE notifications SET recipient_email = 'x@example.org'"))).rejects.toThrow(/never updated/);
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM notifications"))).rejects.toThrow(/never deleted/);
    await expect(
      q.db.transaction((tx) =>
        tx.run(
          `INSERT INTO notifications (kind, subject_key, recipient, recipient_id, recipient_name, recipient_email, recipient_role, copy, sent_on, sent_at, transport, message_id, file)
           SELECT kind, subject_key, recipient, recipient_id, recipient_name, recipient_email, recipient_role, copy, sent_on, sent_at, transport, message_id, file FROM notifications LIMIT 1`,
        ),
      ),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("refuses to run beside another sending run (the reminders' lock)", async () => {
    const q = await demo();
    const lock = path.join(q.config.dataDir, "remind.lock");
    fs.writeFileSync(lock, String(process.pid));
    await expect(runNotifications(q, TODAY, { sender: fakeSender(), actor: SYSTEM_ACTOR })).rejects.toThrow(NotificationsBusy);
    expect(fs.existsSync(lock)).toBe(true);
    fs.rmSync(lock);
  });
});
