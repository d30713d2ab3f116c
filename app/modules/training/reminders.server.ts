// Sends and records training reminders and escalations (SOP-TR-001, "Follow up overdue training"):
// `quire remind` and the server's daily run (reminder-schedule.server.ts) call runReminders. The
// rules (which step, whom, what it says) are in reminders.ts; this module reads what they need,
// sends each email (SMTP, or an .eml file in the outbox folder), and records what was sent in
// training_reminders, with an in-app notice per person told and one audit row for the run.

import { createHash } from "node:crypto";

import { now } from "~/clock.server";
import type { QuireConfig } from "~/config.server";
import type { Database, Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { domainOf, lockOutbox, mailSenderFor, type Delivery, type Mail, type MailSender, type MailTransport } from "~/modules/notifications/mail.server";
import { SYSTEM_ACTOR, type Actor } from "~/modules/users/actor";
import { peopleDirectory } from "~/modules/users/users.server";

import { insertNotices, openAssignments } from "./assignments.server";
import {
  REMINDER_RULES,
  composeReminder,
  isReminderRule,
  planReminders,
  type PlannedReminder,
  type RecipientRole,
  type RecordedReminder,
  type ReminderKind,
  type ReminderRule,
  type ReminderWarning,
} from "./reminders";

// The sender moved to the notifications module (one outbox for every notification); these names
// stay here for the reminders' callers.
export { OUTBOX, mailSenderFor, type Delivery, type MailSender } from "~/modules/notifications/mail.server";

export type ReminderTransport = MailTransport;

/** A reminder's email: the one mail type (its outbox file: <sent on>-<assignment id>-<rule>-<employee's user name>). */
export type ReminderMail = Mail;

// ---------------------------------------------------------------------------------------------
// One run at a time per data folder

export class RemindersBusy extends Error {}

/**
 * The data folder's send lock (shared with the document-control notices): the CLI and the
 * server's daily run must not both send the same step in the time between sending and recording.
 */
function lockRun(dataDir: string): () => void {
  return lockOutbox(dataDir, (owner) =>
    owner === null
      ? new RemindersBusy("Another reminder run started at the same moment; try again.")
      : new RemindersBusy(`Another reminder run (process ${owner}) is in progress on this data folder; try again when it has finished.`),
  );
}

// ---------------------------------------------------------------------------------------------
// The run

export interface ReminderRecipientView {
  username: string;
  displayName: string;
  role: RecipientRole;
  email: string;
  /** A copy (Cc) rather than an addressee (To). */
  copy: boolean;
}

export interface SentReminder {
  assignmentId: number;
  user: string;
  doc: string;
  version: string;
  title: string;
  dueOn: string;
  daysOverdue: number;
  rule: ReminderRule;
  kind: ReminderKind;
  recipients: ReminderRecipientView[];
  transport: ReminderTransport;
  /** The outbox file (relative to the data folder); absent for SMTP and in a dry run. */
  file?: string;
  messageId?: string;
}

export interface FailedReminder {
  assignmentId: number;
  user: string;
  doc: string;
  version: string;
  rule: ReminderRule;
  recipients: string[];
  error: string;
}

export interface ReminderRun {
  on: string;
  dryRun: boolean;
  transport: ReminderTransport;
  /** Sent and recorded (in a dry run: what would be). */
  sent: SentReminder[];
  /** Not sent (or not accepted by the SMTP server): not recorded, so the next run tries again. */
  failed: FailedReminder[];
  warnings: ReminderWarning[];
}

export interface ReminderRunOptions {
  /** The day the ladder is worked out for (YYYY-MM-DD, UTC). */
  today: string;
  /** Compute and report only: nothing is sent, written or recorded. */
  dryRun: boolean;
  /** Who runs it, for the audit trail: Quire itself by default. */
  actor?: Actor;
  /** The instant recorded; the clock's now by default. */
  at?: Date;
  /** Tests only: a sender instead of the configured one. */
  sender?: MailSender;
}

type ReminderFolder = { config: QuireConfig; db: Database };

async function recordedReminders(db: Queryable): Promise<RecordedReminder[]> {
  const rows = await db.all<{ assignment_id: number; rule: string; recipient_id: string }>(
    // Only notices about the assignment's current due date count: a date an absence moved starts the ladder again.
    `SELECT r.assignment_id, r.rule, r.recipient_id FROM training_reminders r
       JOIN training_assignments a ON a.id = r.assignment_id AND r.due_on = a.due_on WHERE a.status = 'open'`,
  );
  return rows.filter((r) => isReminderRule(r.rule)).map((r) => ({ assignmentId: r.assignment_id, rule: r.rule as ReminderRule, recipientId: r.recipient_id }));
}

function recipientViews(plan: PlannedReminder): ReminderRecipientView[] {
  return plan.recipients.map((r) => ({ username: r.person.username, displayName: r.person.displayName, role: r.role, email: r.person.email, copy: r.copy }));
}

function view(plan: PlannedReminder, transport: ReminderTransport): SentReminder {
  const a = plan.assignment;
  return {
    assignmentId: a.id,
    user: plan.employee.username,
    doc: a.docId,
    version: a.version,
    title: a.title,
    dueOn: a.dueOn,
    daysOverdue: plan.daysOverdue,
    rule: plan.rule,
    kind: plan.kind,
    recipients: recipientViews(plan),
    transport,
  };
}

function mailOf(plan: PlannedReminder, from: string, on: string, at: Date): ReminderMail {
  const message = composeReminder(plan);
  const a = plan.assignment;
  const address = (r: PlannedReminder["recipients"][number]) => ({ name: r.person.displayName, address: r.person.email });
  // The same step to the same people on the same day has the same Message-ID: a copy sent twice
  // (see runReminders) is recognised as one message by mail clients that deduplicate.
  const whom = createHash("sha256")
    .update(plan.recipients.map((r) => r.person.id).join("\n"))
    .digest("hex")
    .slice(0, 10);
  return {
    from,
    to: plan.recipients.filter((r) => !r.copy).map(address),
    cc: plan.recipients.filter((r) => r.copy).map(address),
    subject: message.subject,
    text: message.text,
    messageId: `<quire.${on}.${a.id}.${plan.rule}.${whom}@${domainOf(from)}>`,
    date: at,
    // RFC 3834: an automatic message; out-of-office replies should not answer it.
    headers: { "Auto-Submitted": "auto-generated", "X-Quire-Assignment": String(a.id), "X-Quire-Reminder": plan.rule },
    fileStem: `${on}-${a.id}-${plan.rule}-${plan.employee.username}`,
  };
}

/**
 * Works out the reminders and escalations due on `today` and, unless it is a dry run, sends each
 * and records it.
 *
 * Order, so that a crash can never record a notice that was not sent: every email is sent (SMTP)
 * or written and synced to disk (outbox) first; then one transaction records the recipients each
 * transport accepted (training_reminders), their in-app notices and the run's audit row. A crash
 * or error between the two leaves notices sent but not recorded, and the next run sends them
 * again: that duplicate is the only one possible (the lock file keeps a second run from sending
 * meanwhile, and an email with the same Message-ID is the same message to most mail clients).
 * A notice that fails to send is not recorded either, so the next run tries it again.
 */
export async function runReminders(q: ReminderFolder, options: ReminderRunOptions): Promise<ReminderRun> {
  const release = options.dryRun ? () => undefined : lockRun(q.config.dataDir);
  let opened: MailSender | null = null;
  try {
    const sender = (opened = options.sender ?? mailSenderFor(q.config));
    const [assignments, people, recorded] = await Promise.all([openAssignments(q.db), peopleDirectory(q.db), recordedReminders(q.db)]);
    const plan = planReminders({ today: options.today, assignments, people, recorded });
    const run: ReminderRun = { on: options.today, dryRun: options.dryRun, transport: sender.transport, sent: [], failed: [], warnings: plan.warnings };
    if (options.dryRun) {
      run.sent = plan.reminders.map((p) => view(p, sender.transport));
      return run;
    }
    const at = options.at ?? now(q.config);
    const delivered: { plan: PlannedReminder; delivery: Delivery }[] = [];
    for (const p of plan.reminders) {
      const failure = (recipients: string[], error: string): FailedReminder => ({
        assignmentId: p.assignment.id,
        user: p.employee.username,
        doc: p.assignment.docId,
        version: p.assignment.version,
        rule: p.rule,
        recipients,
        error,
      });
      try {
        const delivery = await sender.send(mailOf(p, q.config.mailFrom, options.today, at));
        const accepted = new Set(delivery.accepted);
        const told = p.recipients.filter((r) => accepted.has(r.person.email.toLowerCase()));
        const refused = p.recipients.filter((r) => !accepted.has(r.person.email.toLowerCase()));
        if (refused.length > 0)
          run.failed.push(
            failure(
              refused.map((r) => r.person.username),
              "the mail server did not accept these recipients",
            ),
          );
        if (told.length > 0) delivered.push({ plan: { ...p, recipients: told }, delivery });
      } catch (error) {
        run.failed.push(
          failure(
            p.recipients.map((r) => r.person.username),
            (error as Error).message,
          ),
        );
      }
    }
    if (delivered.length > 0) await recordRun(q, delivered, sender.transport, options, at, run);
    run.sent = delivered.map(({ plan: p, delivery }) => ({
      ...view(p, sender.transport),
      ...(delivery.file ? { file: delivery.file } : {}),
      messageId: delivery.messageId,
    }));
    return run;
  } finally {
    opened?.close();
    release();
  }
}

async function recordRun(
  q: ReminderFolder,
  delivered: { plan: PlannedReminder; delivery: Delivery }[],
  transport: ReminderTransport,
  options: ReminderRunOptions,
  at: Date,
  run: ReminderRun,
): Promise<void> {
  const stamp = at.toISOString();
  await q.db.transaction(async (tx) => {
    for (const { plan: p, delivery } of delivered) {
      for (const r of p.recipients) {
        // A row already there was recorded by a run that sent the same step meanwhile: keep the first.
        await tx.run(
          `INSERT INTO training_reminders (assignment_id, rule, due_on, recipient_id, recipient_email, recipient_role, copy, sent_on, sent_at, transport, message_id, file)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (assignment_id, due_on, rule, recipient_id) DO NOTHING`,
          [
            p.assignment.id,
            p.rule,
            p.assignment.dueOn,
            r.person.id,
            r.person.email,
            r.role,
            r.copy ? 1 : 0,
            options.today,
            stamp,
            transport,
            delivery.messageId,
            delivery.file,
          ],
        );
      }
    }
    await insertNotices(
      tx,
      delivered.flatMap(({ plan: p }) => {
        const message = composeReminder(p).notice;
        return p.recipients.map((r) => ({ userId: r.person.id, kind: p.kind, docId: p.assignment.docId, version: p.assignment.version, message }));
      }),
      at,
    );
    const byRule = Object.fromEntries(REMINDER_RULES.map((rule) => [rule, delivered.filter((d) => d.plan.rule === rule).length]).filter(([, n]) => n !== 0));
    await recordAudit(
      tx,
      {
        ...(options.actor ?? SYSTEM_ACTOR),
        action: "training.remind",
        objectType: "training-reminders",
        objectId: options.today,
        newValues: {
          on: options.today,
          transport,
          notices: delivered.length,
          recipients: delivered.reduce((n, d) => n + d.plan.recipients.length, 0),
          byRule,
          sent: delivered.map(
            ({ plan: p }) =>
              `${p.assignment.docId} v${p.assignment.version} ${p.rule} for ${p.employee.username}: ${p.recipients.map((r) => `${r.person.username} (${r.role})`).join(", ")}`,
          ),
          failed: run.failed.map((f) => `${f.doc} v${f.version} ${f.rule} for ${f.user}: ${f.recipients.join(", ")}`),
          warnings: run.warnings.map((w) => w.message),
        },
      },
      at,
    );
  });
}
