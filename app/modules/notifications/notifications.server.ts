// Sends and records the document-control notifications (issues 12 and 13, SOP-DC-001): review and
// approval tasks, comments to resolve, periodic reviews coming due or overdue, controlled copies to
// recall. `quire notify` and the server's daily run call runNotifications. The rules (who is told
// what) are in notifications.ts; this module reads what they need, sends each email through the one
// sender (mail.server.ts), and records what was sent in `notifications`, with an in-app notice per
// Quire user told and one audit row for the run.

import { createHash } from "node:crypto";

import { now } from "~/clock.server";
import type { Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { commentsOf, listChangeRequests, type ChangeRequest } from "~/modules/change-control/change-control.server";
import { changeTasks } from "~/modules/change-control/change-view.server";
import { documentControlRules } from "~/modules/change-control/routing.server";
import { listRegister } from "~/modules/copies/register.server";
import { reviewsDue } from "~/modules/documents/periodic-review.server";
import { signaturesOfChange } from "~/modules/signatures/signatures.server";
import { insertNotices } from "~/modules/training/assignments.server";
import { SYSTEM_ACTOR, type Actor } from "~/modules/users/actor";
import type { CurrentUser } from "~/modules/users/auth.server";
import { isRole, permissionsOf } from "~/modules/users/permissions";
import { peopleDirectory } from "~/modules/users/users.server";
import type { Quire } from "~/quire";

import { domainOf, lockOutbox, mailSenderFor, type Delivery, type Mail, type MailSender, type MailTransport } from "./mail.server";
import {
  NOTIFICATION_KINDS,
  isNotificationKind,
  notificationText,
  planNotifications,
  recipientKey,
  type ChangeInput,
  type DirectoryPerson,
  type NoticeRole,
  type NotificationInput,
  type NotificationKind,
  type NotificationWarning,
  type PlannedNotification,
  type RecordedNotification,
} from "./notifications";

export class NotificationsBusy extends Error {}

export interface NotificationRecipientView {
  username: string | null;
  displayName: string;
  email: string;
  role: NoticeRole;
  copy: boolean;
}

export interface SentNotification {
  kind: NotificationKind;
  key: string;
  doc: string | null;
  subject: string;
  link: string;
  recipients: NotificationRecipientView[];
  transport: MailTransport;
  /** The outbox file (relative to the data folder); absent for SMTP and in a dry run. */
  file?: string;
  messageId?: string;
}

export interface FailedNotification {
  kind: NotificationKind;
  key: string;
  recipients: string[];
  error: string;
}

export interface NotificationRun {
  on: string;
  dryRun: boolean;
  transport: MailTransport;
  /** Sent and recorded (in a dry run: what would be). */
  sent: SentNotification[];
  /** Not sent (or not accepted by the SMTP server): not recorded, so the next run tries again. */
  failed: FailedNotification[];
  warnings: NotificationWarning[];
}

export interface NotificationRunOptions {
  /** Compute and report only: nothing is sent, written or recorded. */
  dryRun?: boolean;
  /** Who runs it, for the audit trail: Quire itself by default. */
  actor?: Actor;
  /** The instant recorded; the clock's now by default. */
  at?: Date;
  /** Days before a periodic review's date that its owner is told (SOP-DC-001: sixty). */
  reviewNoticeDays?: number;
  /** Tests only: a sender instead of the configured one. */
  sender?: MailSender;
}

// ---------------------------------------------------------------------------------------------
// Reading what the rules need

/** Every user with the permissions their roles grant. */
export async function notificationDirectory(db: Queryable): Promise<DirectoryPerson[]> {
  return (await peopleDirectory(db)).map((p) => ({ ...p, permissions: [...permissionsOf(p.roles)] }));
}

/** A person as change control's task list reads a viewer (no session: the run is Quire's own). */
function viewerOf(p: DirectoryPerson): CurrentUser {
  return {
    id: p.id,
    username: p.username,
    displayName: p.displayName,
    roles: p.roles.filter(isRole),
    jobFunctions: [...p.jobFunctions],
    permissions: [...permissionsOf(p.roles)],
    mustChangePassword: false,
    sessionId: "",
    clientAddress: null,
  };
}

/**
 * The open change requests with who has a task on each now: the same `changeTasks` that lists a
 * person's work decides who is told, so the email and the task list never disagree.
 */
async function changeInputs(q: Quire, people: readonly DirectoryPerson[]): Promise<ChangeInput[]> {
  const all = await listChangeRequests(q.db);
  const open = all.filter((cr) => cr.state === "draft" || cr.state === "in-review");
  const reviewers = new Map<string, string[]>();
  const approvers = new Map<string, string[]>();
  for (const p of people.filter((x) => x.active)) {
    const tasks = await changeTasks(q, viewerOf(p), open);
    for (const cr of tasks.review) reviewers.set(cr.id, [...(reviewers.get(cr.id) ?? []), p.id]);
    for (const cr of tasks.approve) approvers.set(cr.id, [...(approvers.get(cr.id) ?? []), p.id]);
  }
  return Promise.all(
    open.map(async (cr: ChangeRequest) => ({
      id: cr.id,
      kind: cr.kind,
      docId: cr.docId,
      title: cr.title,
      state: cr.state,
      authorId: cr.authorId,
      round: (await signaturesOfChange(q.db, cr.id)).filter((s) => s.meaning === "Authored").length,
      reviewerIds: reviewers.get(cr.id) ?? [],
      approverIds: approvers.get(cr.id) ?? [],
      comments: await commentsOf(q.db, cr.id),
    })),
  );
}

async function recordedNotifications(db: Queryable): Promise<RecordedNotification[]> {
  const rows = await db.all<{ kind: string; subject_key: string; recipient: string }>("SELECT kind, subject_key, recipient FROM notifications");
  return rows.filter((r) => isNotificationKind(r.kind)).map((r) => ({ kind: r.kind as NotificationKind, key: r.subject_key, recipient: r.recipient }));
}

/** Everything planNotifications reads, on a day. The review notice is SOP-DC-001's in force that day unless given. */
export async function notificationInput(q: Quire, today: string, noticeDays?: number): Promise<NotificationInput> {
  const reviewNoticeDays = noticeDays ?? (await documentControlRules(q, today)).periodicReviewNoticeDays;
  const people = await notificationDirectory(q.db);
  const [changes, reviews, copies, recorded] = await Promise.all([
    changeInputs(q, people),
    reviewsDue(q, today),
    listRegister(q.db, { status: "to-recall", doc: null }, today),
    recordedNotifications(q.db),
  ]);
  return { today, people, changes, reviews, copies, recorded, reviewNoticeDays };
}

// ---------------------------------------------------------------------------------------------
// The run

function recipientViews(n: PlannedNotification): NotificationRecipientView[] {
  return n.recipients.map((r) => ({ username: r.person.username, displayName: r.person.displayName, email: r.person.email, role: r.role, copy: r.copy }));
}

function view(n: PlannedNotification, transport: MailTransport): SentNotification {
  return { kind: n.kind, key: n.key, doc: n.docId, subject: n.subject, link: n.link, recipients: recipientViews(n), transport };
}

/** A key as part of a file name or Message-ID: letters, digits, dots and hyphens. */
function slug(key: string): string {
  return key.replace(/[^A-Za-z0-9.-]+/g, "-");
}

function mailOf(n: PlannedNotification, from: string, on: string, at: Date): Mail {
  const address = (r: PlannedNotification["recipients"][number]) => ({ name: r.person.displayName, address: r.person.email });
  // The same notification to the same people on the same day has the same Message-ID: a copy sent
  // twice (a crash between sending and recording) is one message to mail clients that deduplicate.
  const whom = createHash("sha256")
    .update(n.recipients.map((r) => recipientKey(r.person)).join("\n"))
    .digest("hex")
    .slice(0, 10);
  return {
    from,
    to: n.recipients.filter((r) => !r.copy).map(address),
    cc: n.recipients.filter((r) => r.copy).map(address),
    subject: n.subject,
    text: notificationText(n),
    messageId: `<quire.${on}.${slug(n.key)}.${whom}@${domainOf(from)}>`,
    date: at,
    // RFC 3834: an automatic message; out-of-office replies should not answer it.
    headers: { "Auto-Submitted": "auto-generated", "X-Quire-Notification": n.kind, "X-Quire-Key": n.key },
    fileStem: `${on}-${slug(n.key)}`,
  };
}

/**
 * Works out the document-control notifications due on `today` and, unless it is a dry run, sends
 * each and records it. As for training reminders (runReminders): every email is sent or written to
 * the outbox first, then one transaction records the recipients the transport accepted, their
 * in-app notices and the run's audit row; a notification not sent is not recorded, so the next run
 * tries it again. The data folder's send lock keeps a second run from sending meanwhile.
 */
export async function runNotifications(q: Quire, today: string, options: NotificationRunOptions = {}): Promise<NotificationRun> {
  const dryRun = options.dryRun ?? false;
  const release = dryRun
    ? () => undefined
    : lockOutbox(q.config.dataDir, (owner) =>
        owner === null
          ? new NotificationsBusy("Another notification run started at the same moment; try again.")
          : new NotificationsBusy(
              `Another notification or reminder run (process ${owner}) is in progress on this data folder; try again when it has finished.`,
            ),
      );
  let opened: MailSender | null = null;
  try {
    const sender = (opened = options.sender ?? mailSenderFor(q.config));
    const plan = planNotifications(await notificationInput(q, today, options.reviewNoticeDays));
    const run: NotificationRun = { on: today, dryRun, transport: sender.transport, sent: [], failed: [], warnings: plan.warnings };
    if (dryRun) {
      run.sent = plan.notifications.map((n) => view(n, sender.transport));
      return run;
    }
    const at = options.at ?? now(q.config);
    const delivered: { n: PlannedNotification; delivery: Delivery }[] = [];
    for (const n of plan.notifications) {
      const who = (r: PlannedNotification["recipients"][number]) => r.person.username ?? r.person.email;
      try {
        const delivery = await sender.send(mailOf(n, q.config.mailFrom, today, at));
        const accepted = new Set(delivery.accepted);
        const told = n.recipients.filter((r) => accepted.has(r.person.email.toLowerCase()));
        const refused = n.recipients.filter((r) => !accepted.has(r.person.email.toLowerCase()));
        if (refused.length > 0)
          run.failed.push({ kind: n.kind, key: n.key, recipients: refused.map(who), error: "the mail server did not accept these recipients" });
        if (told.length > 0) delivered.push({ n: { ...n, recipients: told }, delivery });
      } catch (error) {
        run.failed.push({ kind: n.kind, key: n.key, recipients: n.recipients.map(who), error: (error as Error).message });
      }
    }
    if (delivered.length > 0) await recordRun(q, delivered, sender.transport, today, options.actor ?? SYSTEM_ACTOR, at, run);
    run.sent = delivered.map(({ n, delivery }) => ({
      ...view(n, sender.transport),
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
  q: Quire,
  delivered: { n: PlannedNotification; delivery: Delivery }[],
  transport: MailTransport,
  today: string,
  actor: Actor,
  at: Date,
  run: NotificationRun,
): Promise<void> {
  const stamp = at.toISOString();
  await q.db.transaction(async (tx) => {
    for (const { n, delivery } of delivered) {
      for (const r of n.recipients) {
        // A row already there was recorded by a run that sent the same notification meanwhile: keep the first.
        await tx.run(
          `INSERT INTO notifications (kind, subject_key, recipient, recipient_id, recipient_name, recipient_email, recipient_role, copy, doc_id, sent_on, sent_at, transport, message_id, file)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject_key, recipient) DO NOTHING`,
          [
            n.kind,
            n.key,
            recipientKey(r.person),
            r.person.id,
            r.person.displayName,
            r.person.email,
            r.role,
            r.copy ? 1 : 0,
            n.docId,
            today,
            stamp,
            transport,
            delivery.messageId,
            delivery.file,
          ],
        );
      }
    }
    // In-app notices for the Quire users told (a copy holder outside Quire has only the email).
    await insertNotices(
      tx,
      delivered.flatMap(({ n }) =>
        n.recipients.flatMap((r) => (r.person.id === null ? [] : [{ userId: r.person.id, kind: n.kind, docId: n.docId, version: null, message: n.notice }])),
      ),
      at,
    );
    const byKind = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, delivered.filter((d) => d.n.kind === k).length]).filter(([, count]) => count !== 0));
    await recordAudit(
      tx,
      {
        ...actor,
        action: "notifications.send",
        objectType: "notifications",
        objectId: today,
        newValues: {
          on: today,
          transport,
          notifications: delivered.length,
          recipients: delivered.reduce((count, d) => count + d.n.recipients.length, 0),
          byKind,
          sent: delivered.map(({ n }) => `${n.key}: ${n.recipients.map((r) => `${r.person.username ?? r.person.email} (${r.role})`).join(", ")}`),
          failed: run.failed.map((f) => `${f.key}: ${f.recipients.join(", ")}`),
          warnings: run.warnings.map((w) => w.message),
        },
      },
      at,
    );
  });
}
