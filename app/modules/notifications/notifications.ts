// Who is told what about document control (issues 12 and 13, SOP-DC-001), as pure rules: the inputs
// are read by notifications.server.ts, which sends, records and audits. Each notification is one
// occurrence (a kind and a subject key: a change request's review round, a comment, a document's
// review date, a copy) and reaches each person once: `recorded` names who was told before.

import { isOpenComment } from "~/modules/change-control/comments";
import type { ReviewScheduleEntry } from "~/modules/documents/periodic-review";

export const NOTIFICATION_KINDS = [
  "change-review",
  "change-approval",
  "change-comment",
  "review-due",
  "review-overdue",
  "review-overdue-30",
  "copy-recall",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * SOP-DC-001 "Perform periodic review": Quire notifies the document owner sixty days before the due
 * date. A parameter of the run (this is its default) until it moves into a controlled configuration.
 */
export const REVIEW_NOTICE_DAYS = 60;

/** SOP-DC-001: a review still overdue 30 days after its date is escalated to executive management. */
export const REVIEW_ESCALATION_DAYS = 30;

/** The job function executive management holds (as the training ladder reads it, SOP-TR-001). */
export const EXECUTIVE_MANAGEMENT = "executive-management";

export type NoticeRole =
  "reviewer" | "approver" | "author" | "owner" | "owner-lead" | "quality-manager" | "executive-management" | "document-controller" | "copy-holder";

const ROLE_LABELS: Record<NoticeRole, string> = {
  reviewer: "reviewer",
  approver: "approver",
  author: "author",
  owner: "document owner",
  "owner-lead": "owner function lead",
  "quality-manager": "quality manager",
  "executive-management": "executive management",
  "document-controller": "document controller",
  "copy-holder": "copy holder",
};

export function noticeRoleLabel(role: NoticeRole): string {
  return ROLE_LABELS[role];
}

/** Someone a notification addresses: a Quire user (id set) or a copy holder outside Quire (id null). */
export interface Addressee {
  id: string | null;
  username: string | null;
  displayName: string;
  email: string;
}

/** A user as the rules need them (from the people directory). */
export interface DirectoryPerson {
  id: string;
  username: string;
  displayName: string;
  email: string;
  active: boolean;
  managerId: string | null;
  roles: readonly string[];
  jobFunctions: readonly string[];
  /** The permissions the person's roles grant. */
  permissions: readonly string[];
}

export interface NoticeRecipient {
  person: Addressee;
  role: NoticeRole;
  /** True for a copy (Cc), false for an addressee (To). */
  copy: boolean;
}

/** The unique key of a told person: user id, or an outside address in lower case. */
export function recipientKey(a: Addressee): string {
  return a.id ?? a.email.trim().toLowerCase();
}

export interface PlannedNotification {
  kind: NotificationKind;
  /** Which occurrence, e.g. change:CR-2026-0004:review:round-1 or copy-recall:SOP-CM-001-1.1-C002. */
  key: string;
  docId: string | null;
  /** Where in Quire the work is done (a path). */
  link: string;
  subject: string;
  /** The email's lead and requests, before the facts and the "sent to" line. */
  lines: string[];
  /** One line for the in-app notice. */
  notice: string;
  /** The people told now: those named who were not told before. */
  recipients: NoticeRecipient[];
  /** Everyone named (told now or before), for the message's "sent to" line. */
  named: NoticeRecipient[];
}

export type NotificationWarningCode = "no-owner" | "no-quality-manager" | "no-executive-management" | "no-document-controller" | "no-recipient";

export interface NotificationWarning {
  code: NotificationWarningCode;
  message: string;
}

/** A notification recorded as sent to that person. */
export interface RecordedNotification {
  kind: NotificationKind;
  key: string;
  recipient: string;
}

export function isNotificationKind(value: string): value is NotificationKind {
  return (NOTIFICATION_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Groups of people

function addressee(p: DirectoryPerson): Addressee {
  return { id: p.id, username: p.username, displayName: p.displayName, email: p.email };
}

function active(people: readonly DirectoryPerson[]): DirectoryPerson[] {
  return people.filter((p) => p.active).sort((a, b) => a.username.localeCompare(b.username));
}

/** Quality managers hold the role or the job function (as the training ladder reads them). */
export function qualityManagers(people: readonly DirectoryPerson[]): Addressee[] {
  return active(people)
    .filter((p) => p.roles.includes("quality-manager") || p.jobFunctions.includes("quality-manager"))
    .map(addressee);
}

/** Executive management is the job function (there is no such role). */
export function executiveManagement(people: readonly DirectoryPerson[]): Addressee[] {
  return active(people)
    .filter((p) => p.jobFunctions.includes(EXECUTIVE_MANAGEMENT))
    .map(addressee);
}

/** Document controllers: whoever may issue and recall controlled copies (permission copies.issue). */
export function documentControllers(people: readonly DirectoryPerson[]): Addressee[] {
  return active(people)
    .filter((p) => p.permissions.includes("copies.issue"))
    .map(addressee);
}

/** A document's owner is a job function (frontmatter `owner`): its active holders (job function or role of that name). */
export function ownersOf(owner: string, people: readonly DirectoryPerson[]): Addressee[] {
  return active(people)
    .filter((p) => p.jobFunctions.includes(owner) || p.roles.includes(owner))
    .map(addressee);
}

/** The owner function's lead: the active line managers of its holders (Quire has no other record of a function's lead). */
export function ownerLeads(owner: string, people: readonly DirectoryPerson[]): Addressee[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const leads = new Map<string, DirectoryPerson>();
  for (const p of active(people)) {
    if (!(p.jobFunctions.includes(owner) || p.roles.includes(owner)) || p.managerId === null) continue;
    const manager = byId.get(p.managerId);
    if (manager?.active) leads.set(manager.id, manager);
  }
  return active([...leads.values()]).map(addressee);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/**
 * Who holds a controlled copy, as the register names them (copy_issues.recipient is free text): a
 * Quire user when the text is their user name, display name or email address; an outside person
 * with an address when the text contains one ("Dr. Marquez <marquez@site.org>"); otherwise a name
 * only, whom the document controllers must reach themselves.
 */
export function copyHolder(recipient: string, people: readonly DirectoryPerson[]): Addressee | null {
  const text = recipient.trim().toLowerCase();
  const user = active(people).find((p) => [p.username, p.displayName, p.email].some((v) => v.trim().toLowerCase() === text));
  if (user) return addressee(user);
  const email = EMAIL.exec(recipient)?.[0];
  if (!email) return null;
  const name = recipient
    .replace(/<[^>]*>/, "")
    .replace(email, "")
    .trim()
    .replace(/,$/, "")
    .trim();
  return { id: null, username: null, displayName: name || email, email };
}

// ---------------------------------------------------------------------------------------------
// Comments to resolve

export interface ChangeComment {
  id: number;
  userId: string;
  kind: "comment" | "rejection" | "withdrawal";
  at: string;
  body: string;
  /** The author's resolution (changed the text, or recorded why no change is needed); null while open. */
  resolution?: unknown;
}

/**
 * SOP-DC-001 "Review the draft": the author resolves every comment. A reviewer's comment (or
 * rejection) on a change request that is open (Draft or In review) is to resolve until the author
 * records its resolution; the author's own remarks never are.
 */
export function isCommentToResolve(cr: { state: string; authorId: string }, comment: ChangeComment): boolean {
  if (cr.state !== "draft" && cr.state !== "in-review") return false;
  // A rejection sends the change back to Draft: it is answered by submitting a revised draft.
  if (comment.kind === "rejection") return cr.state === "draft" && comment.userId !== cr.authorId;
  return isOpenComment({ kind: comment.kind, userId: comment.userId, resolution: comment.resolution ?? null }, cr.authorId);
}

// ---------------------------------------------------------------------------------------------
// Periodic review steps

export type ReviewStep = "review-due" | "review-overdue" | "review-overdue-30";

/** The highest periodic-review step reached on a day (days left negative: overdue), or null. */
export function reviewStep(daysLeft: number, noticeDays: number = REVIEW_NOTICE_DAYS): ReviewStep | null {
  if (daysLeft <= -REVIEW_ESCALATION_DAYS) return "review-overdue-30";
  if (daysLeft < 0) return "review-overdue";
  if (daysLeft <= noticeDays) return "review-due";
  return null;
}

// ---------------------------------------------------------------------------------------------
// The plan

/** An open change request as the rules need it, with who has a task on it now. */
export interface ChangeInput {
  id: string;
  /** A withdrawal request has no draft or reviewers: only its approvals are asked for. */
  kind?: "revision" | "withdrawal";
  docId: string;
  title: string;
  state: string;
  authorId: string;
  /** The review round: how many times the author has signed a submission. */
  round: number;
  /** Named reviewers who have not signed this round (changeTasks.review). */
  reviewerIds: readonly string[];
  /** Those who may approve it now (changeTasks.approve). */
  approverIds: readonly string[];
  comments: readonly ChangeComment[];
}

export interface CopyInput {
  copyId: string;
  docId: string;
  version: string;
  recipient: string;
  location: string;
  versionStatus: string;
}

export interface NotificationInput {
  today: string;
  people: readonly DirectoryPerson[];
  changes: readonly ChangeInput[];
  reviews: readonly ReviewScheduleEntry[];
  /** Copies to recall on `today`. */
  copies: readonly CopyInput[];
  recorded: readonly RecordedNotification[];
  /** Days before a periodic review's date that the owner is told (default 60). */
  reviewNoticeDays?: number;
}

export interface NotificationPlan {
  notifications: PlannedNotification[];
  warnings: NotificationWarning[];
}

type Draft = Omit<PlannedNotification, "recipients" | "named">;

/** Adds people in order of role; a person named twice keeps their first role. */
class Named {
  readonly list: NoticeRecipient[] = [];
  private readonly seen = new Set<string>();

  add(people: readonly Addressee[], role: NoticeRole, copy = false): void {
    for (const person of people) {
      const key = recipientKey(person);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push({ person, role, copy });
    }
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Every notification due on `today` and the people not yet told it. Nobody to tell: a warning,
 * nothing planned (a later run sends it once someone holds the role). A repeated run plans nothing new.
 */
export function planNotifications(input: NotificationInput): NotificationPlan {
  const told = new Set(input.recorded.map((r) => `${r.kind}\n${r.key}\n${r.recipient}`));
  const byId = new Map(input.people.map((p) => [p.id, p]));
  const user = (id: string) => {
    const p = byId.get(id);
    return p?.active ? addressee(p) : null;
  };
  const users = (ids: readonly string[]) => ids.map(user).filter((p): p is Addressee => p !== null);
  const warnings = new Map<string, NotificationWarning>();
  const warn = (code: NotificationWarningCode, message: string) => warnings.set(`${code}\n${message}`, { code, message });
  const notifications: PlannedNotification[] = [];
  const plan = (draft: Draft, named: Named) => {
    if (named.list.length === 0) {
      warn("no-recipient", `Nobody to send ${draft.key} to: it is sent once someone holds the roles it names`);
      return;
    }
    const recipients = named.list.filter((r) => !told.has(`${draft.kind}\n${draft.key}\n${recipientKey(r.person)}`));
    if (recipients.length > 0) notifications.push({ ...draft, recipients, named: named.list });
  };
  const qms = qualityManagers(input.people);
  const controllers = documentControllers(input.people);

  for (const cr of input.changes) {
    const link = `/changes/${cr.id}`;
    const what = `${cr.id} (${cr.docId}, ${cr.title})`;
    if (cr.state === "in-review") {
      const reviewers = new Named();
      reviewers.add(users(cr.reviewerIds), "reviewer");
      if (cr.reviewerIds.length > 0)
        plan(
          {
            kind: "change-review",
            key: `change:${cr.id}:review:round-${cr.round}`,
            docId: cr.docId,
            link,
            subject: `Review requested: ${cr.id} ${cr.docId} ${cr.title}`,
            lines: [
              `Change request ${what} has been submitted for review${cr.round > 1 ? ` (round ${cr.round}: the author revised the draft)` : ""}.`,
              "",
              "You are a named reviewer: read the redline, comment, and sign it as reviewed in Quire (SOP-DC-001, Review the draft; within 5 working days).",
            ],
            notice: `${cr.id}: review requested on ${cr.docId}${cr.round > 1 ? ` (round ${cr.round})` : ""}.`,
          },
          reviewers,
        );
      const approvers = new Named();
      approvers.add(users(cr.approverIds), "approver");
      if (cr.approverIds.length > 0)
        plan(
          {
            kind: "change-approval",
            key: `change:${cr.id}:approve:round-${cr.round}`,
            docId: cr.docId,
            link,
            subject: `${cr.kind === "withdrawal" ? "Withdrawal" : "Ready"} for approval: ${cr.id} ${cr.docId} ${cr.title}`,
            lines:
              cr.kind === "withdrawal"
                ? [
                    `Withdrawal request ${what} asks to withdraw the document.`,
                    "",
                    "The next approval is yours: check that no document in force still refers to it, then approve or reject the withdrawal in Quire (SOP-DC-001, Withdraw obsolete documents).",
                  ]
                : [
                    `Every named reviewer has signed change request ${what}: it is ready for approval.`,
                    "",
                    "You may approve it: check that every comment is closed, then approve or reject it in Quire (SOP-DC-001, Approve the document).",
                  ],
            notice: `${cr.id}: ready for your approval (${cr.docId}).`,
          },
          approvers,
        );
    }
    const author = user(cr.authorId);
    for (const c of cr.comments) {
      if (!isCommentToResolve(cr, c) || !author) continue;
      const by = byId.get(c.userId)?.displayName ?? "A reviewer";
      const named = new Named();
      named.add([author], "author");
      plan(
        {
          kind: "change-comment",
          key: `change:${cr.id}:comment:${c.id}`,
          docId: cr.docId,
          link,
          subject: `${c.kind === "rejection" ? "Rejected" : "Comment to resolve"}: ${cr.id} ${cr.docId} ${cr.title}`,
          lines: [
            `${by} ${c.kind === "rejection" ? "rejected" : "commented on"} change request ${what} on ${c.at.slice(0, 10)}:`,
            "",
            ...c.body.split("\n").map((l) => `> ${l}`),
            "",
            "As the author, resolve it: change the draft, or record in a comment why no change is needed (SOP-DC-001, Review the draft).",
          ],
          notice: `${cr.id}: ${by} ${c.kind === "rejection" ? "rejected the change" : "left a comment"} to resolve.`,
        },
        named,
      );
    }
  }

  for (const r of input.reviews) {
    const step = reviewStep(r.daysLeft, input.reviewNoticeDays ?? REVIEW_NOTICE_DAYS);
    if (step === null) continue;
    const owners = ownersOf(r.owner, input.people);
    const named = new Named();
    const doc = `${r.docId} v${r.version} "${r.title}"`;
    const late = plural(-r.daysLeft, "day");
    const link = `/documents/${r.docId}/review`;
    const key = `${step}:${r.docId}:${r.nextReview}`;
    if (owners.length === 0) warn("no-owner", `Nobody holds ${r.owner}, the owner of ${r.docId}: its periodic review notices go to the document controllers`);
    if (step === "review-due") {
      named.add(owners, "owner");
      if (owners.length === 0) named.add(controllers, "document-controller");
      plan(
        {
          kind: step,
          key,
          docId: r.docId,
          link,
          subject: `Periodic review due on ${r.nextReview}: ${r.docId} ${r.title}`,
          lines: [
            `The periodic review of ${doc} is due on ${r.nextReview}, in ${plural(r.daysLeft, "day")}.`,
            "",
            "As its owner, review it and record the outcome in Quire: confirmed without change, revision needed (a change request), or withdrawal (SOP-DC-001, Perform periodic review).",
          ],
          notice: `${r.docId}: periodic review due on ${r.nextReview}.`,
        },
        named,
      );
    } else if (step === "review-overdue") {
      // SOP-DC-001: "escalated by the quality manager to the owner function lead".
      if (qms.length === 0) warn("no-quality-manager", "No active person is a quality manager (role or job function)");
      named.add(qms, "quality-manager");
      named.add(ownerLeads(r.owner, input.people), "owner-lead");
      named.add(owners.length > 0 ? owners : controllers, owners.length > 0 ? "owner" : "document-controller", true);
      plan(
        {
          kind: step,
          key,
          docId: r.docId,
          link,
          subject: `Overdue periodic review: ${r.docId} ${r.title} (due ${r.nextReview})`,
          lines: [
            `The periodic review of ${doc} was due on ${r.nextReview} and is ${late} overdue.`,
            "",
            "Quality manager: escalate it to the owner function lead (SOP-DC-001, Perform periodic review).",
            `Owner: record the outcome in Quire. If it is still overdue ${REVIEW_ESCALATION_DAYS} days after its date, it is escalated to executive management.`,
          ],
          notice: `${r.docId}: periodic review ${late} overdue (due ${r.nextReview}).`,
        },
        named,
      );
    } else {
      if (qms.length === 0) warn("no-quality-manager", "No active person is a quality manager (role or job function)");
      const execs = executiveManagement(input.people);
      if (execs.length === 0) warn("no-executive-management", `No active person holds the job function ${EXECUTIVE_MANAGEMENT}`);
      named.add(execs, "executive-management");
      named.add(qms, "quality-manager", true);
      named.add(owners.length > 0 ? owners : controllers, owners.length > 0 ? "owner" : "document-controller", true);
      plan(
        {
          kind: step,
          key,
          docId: r.docId,
          link,
          subject: `Escalation to executive management: periodic review of ${r.docId} is ${late} overdue`,
          lines: [
            `The periodic review of ${doc} was due on ${r.nextReview} and is ${late} overdue. It is escalated to executive management (SOP-DC-001, Perform periodic review).`,
            "",
            "Executive management: provide what the owner function needs to complete the review, with the quality manager.",
          ],
          notice: `${r.docId}: periodic review ${late} overdue (due ${r.nextReview}), escalated to executive management.`,
        },
        named,
      );
    }
  }

  if (input.copies.length > 0 && controllers.length === 0) warn("no-document-controller", "No active person may issue controlled copies (copies.issue)");
  for (const c of input.copies) {
    const holder = copyHolder(c.recipient, input.people);
    const named = new Named();
    if (holder) named.add([holder], "copy-holder");
    // A holder Quire cannot write to is reached by the document controllers themselves.
    named.add(controllers, "document-controller", holder !== null);
    plan(
      {
        kind: "copy-recall",
        key: `copy-recall:${c.copyId}`,
        docId: c.docId,
        link: `/copies/${c.copyId}`,
        subject: `Controlled copy to recall: ${c.copyId}`,
        lines: [
          `Controlled copy ${c.copyId} of ${c.docId} v${c.version} is no longer in force (the version is ${c.versionStatus}): it is to be recalled.`,
          "",
          `Held by: ${c.recipient}, ${c.location}.`,
          holder
            ? "Copy holder: return the copy to the document controller, or destroy it and tell them so."
            : "The holder has no email address in Quire: document controller, contact them to retrieve the copy or confirm its destruction.",
          "Document controller: record its return or destruction in the copy register (SOP-DC-001, Distribute and control copies).",
        ],
        notice: `${c.copyId}: controlled copy to recall (${c.docId} v${c.version} is ${c.versionStatus}).`,
      },
      named,
    );
  }
  return { notifications, warnings: [...warnings.values()] };
}

/** The email's body: the lines, the link, who it was sent to, and why it was sent. */
export function notificationText(n: PlannedNotification): string {
  const names = (xs: NoticeRecipient[]) => xs.map((x) => `${x.person.displayName} (${noticeRoleLabel(x.role)})`).join(", ");
  const to = n.named.filter((x) => !x.copy);
  const cc = n.named.filter((x) => x.copy);
  return [
    ...n.lines,
    "",
    `In Quire: ${n.link}`,
    `Sent to: ${names(to)}${cc.length > 0 ? `; copy to ${names(cc)}` : ""}`,
    "",
    `This is an automatic notification from Quire under SOP-DC-001 (Document Control): ${n.kind}, ${n.key}.`,
    "",
  ].join("\n");
}
