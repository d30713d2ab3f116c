import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { noticesOf } from "~/modules/training/assignments.server";
import { RemindersBusy, mailSenderFor, runReminders, type MailSender, type ReminderMail } from "~/modules/training/reminders.server";
import { addWorkingDays } from "~/modules/training/working-days";
import { SYSTEM_ACTOR } from "~/modules/users/actor";
import { UserInputError, getUserByUsername, setManager, setUserActive } from "~/modules/users/users.server";

import { copyDataFolder } from "../helpers/data-folder";
import { adminOf, createTestUser } from "../helpers/factories";

// runReminders on a real data folder (the fixture demo): send first, record after, and only what
// was sent. A new CRA's induction is due 20 working days after 30 November 2026.

const START = "2026-11-30";
const DUE = addWorkingDays(START, 20); // 2026-12-28
const opened: Quire[] = [];

afterEach(async () => {
  for (const q of opened.splice(0)) await q.db.close();
});

async function folder(manager: string | null = "cra1"): Promise<{ q: Quire; employee: string; manager: string | null }> {
  const { config } = await copyDataFolder("fixture-demo");
  const q = await open({ ...config, fixedNow: `${START}T09:00:00Z` });
  opened.push(q);
  const { id } = await createTestUser(q, "newcra", { jobFunctions: ["cra"] });
  const managerId = manager === null ? null : (await getUserByUsername(q.db, manager))!.id;
  if (managerId) await q.db.transaction((tx) => setManager(tx, id, managerId, SYSTEM_ACTOR, new Date(`${START}T09:00:00Z`)));
  return { q, employee: id, manager: managerId };
}

/** A sender that hands each mail to `decide`: the addresses it accepts, or a throw. */
function fakeSender(decide: (mail: ReminderMail, n: number) => string[]): MailSender & { mails: ReminderMail[] } {
  const mails: ReminderMail[] = [];
  return {
    transport: "smtp",
    mails,
    async send(mail) {
      mails.push(mail);
      return { messageId: mail.messageId, file: null, accepted: decide(mail, mails.length) };
    },
    close: () => undefined,
  };
}

const everyone = (mail: ReminderMail) => [...mail.to, ...mail.cc].map((a) => a.address);

async function rows(q: Quire) {
  return q.db.all<{
    assignment_id: number;
    rule: string;
    recipient_email: string;
    recipient_role: string;
    copy: number;
    transport: string;
    file: string | null;
  }>("SELECT assignment_id, rule, recipient_email, recipient_role, copy, transport, file FROM training_reminders ORDER BY id");
}

async function remindAudits(q: Quire) {
  return q.db.all<{ username: string; object_id: string; new_values: string }>(
    "SELECT username, object_id, new_values FROM audit_events WHERE action = 'training.remind' ORDER BY seq",
  );
}

describe("runReminders", () => {
  it("records a notice only once it is sent: a failed send is not recorded, and the next run sends it", async () => {
    const { q, employee } = await folder();
    const open = (await q.db.all<{ id: number }>("SELECT id FROM training_assignments WHERE user_id = ? AND status = 'open'", [employee])).length;
    expect(open).toBeGreaterThan(1);
    const day20 = "2027-01-17";
    const failing = fakeSender((mail, n) => {
      if (n === 1) throw new Error("421 try again later");
      return everyone(mail);
    });
    const first = await runReminders(q, { today: day20, dryRun: false, sender: failing });
    expect(first.failed).toEqual([expect.objectContaining({ rule: "overdue-20", user: "newcra", error: "421 try again later" })]);
    expect(first.sent).toHaveLength(open - 1);
    // The quality managers (qa, and reviewer, who holds the function too) are addressed; the employee and line manager copied.
    expect(failing.mails[1]!.to.map((a) => a.address)).toEqual(["qa@demo.quire.invalid", "reviewer@demo.quire.invalid"]);
    expect(failing.mails[1]!.cc.map((a) => a.address)).toEqual(["newcra@example.org", "cra1@demo.quire.invalid"]);
    expect(failing.mails[1]!.text).toContain("must stop performing tasks governed by");
    expect(await rows(q)).toHaveLength((open - 1) * 4);
    expect((await rows(q)).map((r) => r.recipient_role).slice(0, 4)).toEqual(["quality-manager", "quality-manager", "employee", "line-manager"]);
    const audits = await remindAudits(q);
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]!.new_values)).toMatchObject({
      on: day20,
      transport: "smtp",
      notices: open - 1,
      recipients: (open - 1) * 4,
      byRule: { "overdue-20": open - 1 },
    });
    // Each person told sees it on their training page.
    const qa = (await getUserByUsername(q.db, "qa"))!.id;
    expect((await noticesOf(q.db, qa)).filter((n) => n.kind === "escalation")).toHaveLength(open - 1);

    // The next run (here the same day) sends what failed, and only that.
    const retry = fakeSender(everyone);
    const second = await runReminders(q, { today: day20, dryRun: false, sender: retry });
    expect([second.sent.length, second.failed.length, retry.mails.length]).toEqual([1, 0, 1]);
    expect(await rows(q)).toHaveLength(open * 4);
    // Then nothing: no email, no row, no audit row.
    const idle = fakeSender(everyone);
    const third = await runReminders(q, { today: "2027-01-20", dryRun: false, sender: idle });
    expect([third.sent.length, idle.mails.length, (await remindAudits(q)).length]).toEqual([0, 0, 2]);
  });

  it("starts the ladder again for a due date an approved absence moved", async () => {
    const { q, employee } = await folder();
    const first = fakeSender(everyone);
    // Five working days before DUE: the before-5 reminder for each open item.
    const before = addWorkingDays(DUE, -5);
    const sent = await runReminders(q, { today: before, dryRun: false, sender: first });
    expect(sent.sent.map((s) => s.rule)).toEqual(sent.sent.map(() => "before-5"));
    // An absence from the day after, returning 2027-01-18: due dates move to 10 working days after return.
    const { requestExemption, decideExemption } = await import("~/modules/training/exemptions.server");
    const trainer = (await getUserByUsername(q.db, "trainer"))!;
    const qa = (await getUserByUsername(q.db, "qa"))!;
    const at = new Date(`${before}T12:00:00Z`);
    const id = await q.db.transaction((tx) =>
      requestExemption(
        tx,
        { person: { id: employee, username: "newcra" }, absentFrom: addWorkingDays(before, 1), returnsOn: "2027-01-18", reason: "Sick leave" },
        { userId: trainer.id, username: "trainer", clientAddress: null },
        at,
      ),
    );
    const moved = await q.db.transaction((tx) => decideExemption(tx, id, "approved", "", { userId: qa.id, username: "qa", clientAddress: null }, at));
    const newDue = moved.newDueOn;
    // Nothing more until five working days before the new date; then before-5 again, for the new date.
    const quiet = fakeSender(everyone);
    expect((await runReminders(q, { today: DUE, dryRun: false, sender: quiet })).sent).toEqual([]);
    const again = fakeSender(everyone);
    const resent = await runReminders(q, { today: addWorkingDays(newDue, -5), dryRun: false, sender: again });
    expect(resent.sent.map((s) => [s.rule, s.dueOn])).toEqual(sent.sent.map(() => ["before-5", newDue]));
  });

  it("records only the recipients the mail server accepted, and sends to the others on the next run", async () => {
    const { q } = await folder();
    const onlyQa = fakeSender(() => ["qa@demo.quire.invalid", "reviewer@demo.quire.invalid"]);
    const first = await runReminders(q, { today: "2027-01-17", dryRun: false, sender: onlyQa });
    expect(first.sent.every((s) => s.recipients.map((r) => r.username).join() === "qa,reviewer")).toBe(true);
    expect(first.failed.every((f) => f.recipients.join() === "newcra,cra1")).toBe(true);
    const next = fakeSender(everyone);
    await runReminders(q, { today: "2027-01-17", dryRun: false, sender: next });
    expect(next.mails.every((m) => m.to.length === 0 && m.cc.map((a) => a.address).join() === "newcra@example.org,cra1@demo.quire.invalid")).toBe(true);
  });

  it("writes .eml files to the outbox, never over an earlier one, and names a missing line manager", async () => {
    const { q, employee } = await folder(null);
    const day1 = addWorkingDays(DUE, 1);
    const first = await runReminders(q, { today: day1, dryRun: false, actor: { userId: null, username: "cli:tester", clientAddress: null } });
    expect(first.transport).toBe("outbox");
    expect(first.warnings).toEqual([expect.objectContaining({ code: "no-line-manager", username: "newcra" })]);
    expect(first.sent.every((s) => s.rule === "overdue-1" && s.recipients.map((r) => r.role).join() === "employee")).toBe(true);
    const file = first.sent[0]!.file!;
    expect(file).toBe(`outbox/${day1}-${first.sent[0]!.assignmentId}-overdue-1-newcra.eml`);
    const eml = fs.readFileSync(path.join(q.config.dataDir, file), "utf8");
    expect(eml).toMatch(/^To: "?Person newcra"? <newcra@example\.org>\r$/m);
    expect(eml).toMatch(/^Auto-Submitted: auto-generated\r$/m);
    expect((await remindAudits(q))[0]!.username).toBe("cli:tester");

    // A line manager is set the same day: the next run tells them, in files of their own.
    const cra1 = (await getUserByUsername(q.db, "cra1"))!.id;
    await q.db.transaction((tx) => setManager(tx, employee, cra1, SYSTEM_ACTOR, new Date()));
    const second = await runReminders(q, { today: day1, dryRun: false });
    expect(second.warnings).toEqual([]);
    expect(second.sent.map((s) => s.recipients.map((r) => r.username).join())).toEqual(first.sent.map(() => "cra1"));
    expect(second.sent[0]!.file).toBe(file.replace(/\.eml$/, "-2.eml"));
    expect(fs.readFileSync(path.join(q.config.dataDir, file), "utf8")).toBe(eml);
  });

  it("writes nothing in a dry run", async () => {
    const { q } = await folder();
    const sender = fakeSender(everyone);
    const run = await runReminders(q, { today: "2027-01-17", dryRun: true, sender });
    expect(run.sent.length).toBeGreaterThan(0);
    expect([sender.mails.length, (await rows(q)).length, (await remindAudits(q)).length]).toEqual([0, 0, 0]);
    expect(fs.existsSync(path.join(q.config.dataDir, "outbox"))).toBe(false);
  });

  it("refuses to run beside another run, and takes over the lock of one that died", async () => {
    const { q } = await folder();
    const lock = path.join(q.config.dataDir, "remind.lock");
    fs.writeFileSync(lock, String(process.pid));
    await expect(runReminders(q, { today: "2027-01-17", dryRun: false, sender: fakeSender(everyone) })).rejects.toThrow(RemindersBusy);
    expect((await runReminders(q, { today: "2027-01-17", dryRun: true })).sent.length).toBeGreaterThan(0);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    fs.writeFileSync(lock, String(dead));
    expect((await runReminders(q, { today: "2027-01-17", dryRun: false, sender: fakeSender(everyone) })).sent.length).toBeGreaterThan(0);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("keeps training_reminders as a record: rows are never updated or deleted", async () => {
    const { q } = await folder();
    await runReminders(q, { today: "2027-01-17", dryRun: false, sender: fakeSender(everyone) });
    await expect(q.db.transaction((tx) => tx.run("UPDATE training_reminders SET recipient_email = 'x@example.org'"))).rejects.toThrow(/never updated/);
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM training_reminders"))).rejects.toThrow(/never deleted/);
  });
});

/** Just enough of an SMTP server for nodemailer: accepts every recipient but `refuse`, keeps each message. */
async function smtpServer(refuse: string): Promise<{ port: number; messages: { rcpt: string[]; data: string }[]; close(): Promise<void> }> {
  const messages: { rcpt: string[]; data: string }[] = [];
  const server = net.createServer((socket) => {
    let buffer = "";
    let rcpt: string[] = [];
    let data: string | null = null;
    socket.write("220 test ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          messages.push({ rcpt, data: data + buffer.slice(0, end) });
          buffer = buffer.slice(end + 5);
          data = null;
          rcpt = [];
          socket.write("250 queued\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 test\r\n");
        else if (verb === "RCPT") {
          const address = /<([^>]*)>/.exec(line)?.[1] ?? "";
          if (address === refuse) socket.write("550 no such user\r\n");
          else {
            rcpt.push(address);
            socket.write("250 ok\r\n");
          }
        } else if (verb === "DATA") {
          data = "";
          socket.write("354 go on\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("runReminders through SMTP", () => {
  it("sends through QUIRE_SMTP_URL and records only the recipients the server accepted", async () => {
    const smtp = await smtpServer("cra1@demo.quire.invalid");
    try {
      const { q } = await folder();
      const config = { ...q.config, smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: "Quire <quire@example.org>" };
      const run = await runReminders({ config, db: q.db }, { today: "2027-01-17", dryRun: false, sender: mailSenderFor(config) });
      expect(run.transport).toBe("smtp");
      expect(run.sent.length).toBeGreaterThan(0);
      expect(run.sent.every((s) => s.transport === "smtp" && s.file === undefined && s.recipients.map((r) => r.username).join() === "qa,reviewer,newcra")).toBe(
        true,
      );
      expect(run.failed.map((f) => f.recipients.join())).toEqual(run.sent.map(() => "cra1"));
      expect(smtp.messages).toHaveLength(run.sent.length);
      expect(smtp.messages[0]!.rcpt).toEqual(["qa@demo.quire.invalid", "reviewer@demo.quire.invalid", "newcra@example.org"]);
      expect(smtp.messages[0]!.data).toMatch(/^From: Quire <quire@example\.org>\r$/m);
      expect(smtp.messages[0]!.data).toMatch(/^Message-ID: <quire\.2027-01-17\.\d+\.overdue-20\.[0-9a-f]{10}@example\.org>\r$/m);
      expect((await rows(q)).every((r) => r.transport === "smtp" && r.file === null)).toBe(true);
      expect(await rows(q)).toHaveLength(run.sent.length * 3);
    } finally {
      await smtp.close();
    }
  });
});

describe("setManager", () => {
  it("sets a line manager with an audit row, and refuses oneself, a loop and a deactivated account", async () => {
    const { q, employee } = await folder();
    const at = new Date(`${START}T10:00:00Z`);
    const id = async (u: string) => (await getUserByUsername(q.db, u))!.id;
    const event = await q.db.get<{ object_id: string; old_values: string; new_values: string }>(
      "SELECT object_id, old_values, new_values FROM audit_events WHERE action = 'user.manager.set' AND object_id = 'newcra'",
    );
    expect(event).toEqual({ object_id: "newcra", old_values: '{"manager":null}', new_values: '{"manager":"cra1"}' });
    expect(await q.db.transaction((tx) => setManager(tx, employee, null, SYSTEM_ACTOR, at))).toBe(true);
    expect(await q.db.transaction((tx) => setManager(tx, employee, null, SYSTEM_ACTOR, at))).toBe(false);
    await expect(q.db.transaction((tx) => setManager(tx, employee, employee, SYSTEM_ACTOR, at))).rejects.toThrow(UserInputError);
    // qa reports to exec in the demo: exec cannot report to qa.
    await expect(q.db.transaction(async (tx) => setManager(tx, await id("exec"), await id("qa"), SYSTEM_ACTOR, at))).rejects.toThrow(/reports to exec/);
    await setUserActive(q, await id("cra2"), false, await adminOf(q), "left");
    await expect(q.db.transaction(async (tx) => setManager(tx, employee, await id("cra2"), SYSTEM_ACTOR, at))).rejects.toThrow(/deactivated/);
  });
});
