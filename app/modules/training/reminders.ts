// Reminders and escalation of training (SOP-TR-001, step "Follow up overdue training"), pure: which
// step of the ladder an open assignment has reached on a day, whom that step tells, what the
// message says, and what the run must report. app/modules/training/reminders.server.ts sends and
// records what these rules decide.
//
//   "Quire sends reminders 5 working days before a due date and on the due date. Overdue training
//    is escalated: 1 day overdue -> reminder to the employee and line manager; 10 -> escalation to
//    the line manager, who agrees a completion date; 20 -> escalation to the quality manager; the
//    employee must stop performing tasks governed by the untrained document; 30 -> escalation to
//    executive management and, if a study task was performed untrained, a deviation under SOP-DV-001."

import { daysOverdue, type Assignment } from "./training";
import { addWorkingDays } from "./working-days";

export const REMINDER_RULES = ["before-5", "due", "overdue-1", "overdue-10", "overdue-20", "overdue-30"] as const;
export type ReminderRule = (typeof REMINDER_RULES)[number];

export const RECIPIENT_ROLES = ["employee", "line-manager", "quality-manager", "executive-management", "training-coordinator"] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

/** The first reminder goes out this many working days before the due date. */
export const REMIND_WORKING_DAYS_BEFORE = 5;

/** The job function whose active holders are "executive management" (content/job-functions.yaml). */
export const EXECUTIVE_MANAGEMENT = "executive-management";

export type ReminderKind = "reminder" | "escalation";

interface Step {
  kind: ReminderKind;
  /** Addressed (To), then copied (Cc); a person named twice is told once, in the first role. */
  to: readonly RecipientRole[];
  cc: readonly RecipientRole[];
  /** The roles without whom the step misses its point: the run warns when none of them can be told. */
  needs: readonly RecipientRole[];
  /** Calendar days overdue from which the step is reached (overdue steps only). */
  overdueDays?: number;
}

/** The ladder, in order: a later step is a higher one. */
export const LADDER: Record<ReminderRule, Step> = {
  "before-5": { kind: "reminder", to: ["employee"], cc: [], needs: [] },
  due: { kind: "reminder", to: ["employee"], cc: [], needs: [] },
  "overdue-1": { kind: "reminder", to: ["employee", "line-manager"], cc: [], needs: ["line-manager"], overdueDays: 1 },
  "overdue-10": {
    kind: "escalation",
    to: ["line-manager", "training-coordinator"],
    cc: ["employee"],
    needs: ["line-manager", "training-coordinator"],
    overdueDays: 10,
  },
  "overdue-20": { kind: "escalation", to: ["quality-manager"], cc: ["employee", "line-manager"], needs: ["quality-manager", "line-manager"], overdueDays: 20 },
  "overdue-30": {
    kind: "escalation",
    to: ["executive-management", "quality-manager"],
    cc: [],
    needs: ["executive-management", "quality-manager"],
    overdueDays: 30,
  },
};

export function isReminderRule(value: string): value is ReminderRule {
  return (REMINDER_RULES as readonly string[]).includes(value);
}

/**
 * The highest step an open assignment due on `dueOn` has reached on `today`, or null before the
 * first: 'before-5' from 5 working days before the due date, 'due' on it, 'overdue-N' once it is
 * N calendar days overdue (SOP-TR-001 counts overdue days as calendar days: daysOverdue).
 */
export function reachedRule(dueOn: string, today: string): ReminderRule | null {
  const overdue = daysOverdue({ status: "open", dueOn }, today);
  for (const rule of [...REMINDER_RULES].reverse()) {
    const days = LADDER[rule].overdueDays;
    if (days !== undefined && overdue >= days) return rule;
  }
  if (today >= dueOn) return "due";
  if (today >= addWorkingDays(dueOn, -REMIND_WORKING_DAYS_BEFORE)) return "before-5";
  return null;
}

/** A person as a notice addresses them. */
export interface Person {
  id: string;
  username: string;
  displayName: string;
  email: string;
}

/** Everyone a notice could name, active or not, with what makes them a recipient. */
export interface DirectoryPerson extends Person {
  active: boolean;
  managerId: string | null;
  roles: readonly string[];
  jobFunctions: readonly string[];
}

/** An open assignment as the ladder needs it. */
export type OpenAssignment = Pick<Assignment, "id" | "userId" | "docId" | "version" | "title" | "dueOn">;

/** A notice an earlier run recorded: that step of that assignment reached that person. */
export interface RecordedReminder {
  assignmentId: number;
  rule: ReminderRule;
  recipientId: string;
}

export interface Recipient {
  person: Person;
  role: RecipientRole;
  /** True for a copy (Cc), false for an addressee (To). */
  copy: boolean;
}

export interface PlannedReminder {
  assignment: OpenAssignment;
  employee: Person;
  rule: ReminderRule;
  kind: ReminderKind;
  daysOverdue: number;
  /** The people told now: those of the step not told before (by an earlier run). */
  recipients: Recipient[];
  /** Everyone the step names today (told now or before), for the message's "sent to" line. */
  named: Recipient[];
}

export type ReminderWarningCode =
  "no-line-manager" | "line-manager-inactive" | "no-quality-manager" | "no-executive-management" | "no-training-coordinator" | "no-recipient";

export interface ReminderWarning {
  code: ReminderWarningCode;
  /** The employee the warning is about (null for a missing group: no quality manager, ...). */
  username: string | null;
  message: string;
}

export interface ReminderInput {
  today: string;
  assignments: readonly OpenAssignment[];
  people: readonly DirectoryPerson[];
  recorded: readonly RecordedReminder[];
}

export interface ReminderPlan {
  reminders: PlannedReminder[];
  warnings: ReminderWarning[];
}

/** The groups a step can address, from the directory: active people only. */
export interface ReminderGroups {
  qualityManagers: Person[];
  executiveManagement: Person[];
  trainingCoordinators: Person[];
}

function person(p: Person): Person {
  return { id: p.id, username: p.username, displayName: p.displayName, email: p.email };
}

/**
 * Quality managers and training coordinators hold the role or the job function of that name;
 * executive management is the job function `executive-management` (there is no such role).
 */
export function reminderGroups(people: readonly DirectoryPerson[]): ReminderGroups {
  const active = people.filter((p) => p.active).sort((a, b) => a.username.localeCompare(b.username));
  const holding = (name: string) => active.filter((p) => p.roles.includes(name) || p.jobFunctions.includes(name)).map(person);
  return {
    qualityManagers: holding("quality-manager"),
    executiveManagement: active.filter((p) => p.jobFunctions.includes(EXECUTIVE_MANAGEMENT)).map(person),
    trainingCoordinators: holding("training-coordinator"),
  };
}

function noticeLabel(a: OpenAssignment, rule: ReminderRule, employee: Person): string {
  return `${a.docId} v${a.version} ${rule} for ${employee.username}`;
}

/** Gathers warnings of one kind about one person (or group), so a run reports each once. */
class Warnings {
  private readonly found = new Map<string, { code: ReminderWarningCode; username: string | null; lead: string; items: string[] }>();

  add(code: ReminderWarningCode, username: string | null, lead: string, item: string): void {
    const key = `${code}\n${username ?? ""}\n${lead}`;
    const known = this.found.get(key);
    if (known) known.items.push(item);
    else this.found.set(key, { code, username, lead, items: [item] });
  }

  list(): ReminderWarning[] {
    return [...this.found.values()].map((w) => ({
      code: w.code,
      username: w.username,
      message: `${w.lead} (${w.items.length === 1 ? "1 notice" : `${w.items.length} notices`}: ${w.items.join(", ")})`,
    }));
  }
}

/**
 * The notices due on `today`. For each open assignment of an active person, only the highest step
 * reached is considered (catch-up: after missed runs, the earlier steps are not sent one by one),
 * and only to the people that step names who were not told it before (`recorded`): a repeated run
 * sends nothing new, and a person the step names later (a line manager set since) is told then.
 * Nobody named by a step: a warning, nothing planned (a later run sends it once someone is).
 */
export function planReminders(input: ReminderInput): ReminderPlan {
  const byId = new Map(input.people.map((p) => [p.id, p]));
  const groups = reminderGroups(input.people);
  const told = new Set(input.recorded.map((r) => `${r.assignmentId}\n${r.rule}\n${r.recipientId}`));
  const warnings = new Warnings();
  const reminders: PlannedReminder[] = [];
  const ordered = [...input.assignments].sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.docId.localeCompare(b.docId) || a.id - b.id);
  for (const a of ordered) {
    const employeeRow = byId.get(a.userId);
    if (!employeeRow?.active) continue;
    const rule = reachedRule(a.dueOn, input.today);
    if (rule === null) continue;
    const employee = person(employeeRow);
    const step = LADDER[rule];
    const managerRow = employeeRow.managerId === null ? null : (byId.get(employeeRow.managerId) ?? null);
    const manager = managerRow?.active ? person(managerRow) : null;
    const holders: Record<RecipientRole, Person[]> = {
      employee: [employee],
      "line-manager": manager ? [manager] : [],
      "quality-manager": groups.qualityManagers,
      "executive-management": groups.executiveManagement,
      "training-coordinator": groups.trainingCoordinators,
    };
    // The employee is always told as the employee; anyone else in the first role that names them.
    const named: Recipient[] = [];
    const seen = new Set<string>();
    const add = (role: RecipientRole, copy: boolean) => {
      for (const p of holders[role]) {
        if (seen.has(p.id) || (role !== "employee" && p.id === employee.id && [...step.to, ...step.cc].includes("employee"))) continue;
        seen.add(p.id);
        named.push({ person: p, role, copy });
      }
    };
    for (const role of step.to) add(role, false);
    for (const role of step.cc) add(role, true);
    const recipients = named.filter((r) => !told.has(`${a.id}\n${rule}\n${r.person.id}`));
    const item = noticeLabel(a, rule, employee);
    if (named.length === 0) {
      warnings.add("no-recipient", employee.username, `Nobody to send the ${rule} step to: it is sent once someone holds the roles it names`, item);
      continue;
    }
    if (recipients.length === 0) continue;
    // What the step misses, named in the run's report: never a reason not to send the rest.
    if (step.needs.includes("line-manager") && !manager) {
      if (managerRow) {
        warnings.add(
          "line-manager-inactive",
          employee.username,
          `${employee.username} (${employee.displayName}) has a deactivated line manager, ${managerRow.username}: give them an active one`,
          item,
        );
      } else {
        warnings.add("no-line-manager", employee.username, `${employee.username} (${employee.displayName}) has no line manager: give them one`, item);
      }
    }
    if (step.needs.includes("quality-manager") && groups.qualityManagers.length === 0) {
      warnings.add("no-quality-manager", null, "No active person is a quality manager (role or job function)", item);
    }
    if (step.needs.includes("executive-management") && groups.executiveManagement.length === 0) {
      warnings.add("no-executive-management", null, `No active person holds the job function ${EXECUTIVE_MANAGEMENT}`, item);
    }
    if (step.needs.includes("training-coordinator") && groups.trainingCoordinators.length === 0) {
      warnings.add("no-training-coordinator", null, "No active person is a training coordinator (role or job function)", item);
    }
    reminders.push({
      assignment: a,
      employee,
      rule,
      kind: step.kind,
      daysOverdue: daysOverdue({ status: "open", dueOn: a.dueOn }, input.today),
      recipients,
      named,
    });
  }
  return { reminders, warnings: warnings.list() };
}

// ---------------------------------------------------------------------------------------------
// The message: one email per step of an assignment (To and Cc as the step says), one in-app notice
// per person told.

const ROLE_LABELS: Record<RecipientRole, string> = {
  employee: "employee",
  "line-manager": "line manager",
  "quality-manager": "quality manager",
  "executive-management": "executive management",
  "training-coordinator": "training coordinator",
};

export function roleLabel(role: RecipientRole): string {
  return ROLE_LABELS[role];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function documentLabel(a: OpenAssignment): string {
  return `${a.docId} v${a.version} "${a.title}"`;
}

export interface ReminderMessage {
  subject: string;
  text: string;
  /** One line for the in-app notice (the home page shows it after a link to the document). */
  notice: string;
}

/** The subject, body and in-app line of a planned reminder. */
export function composeReminder(r: PlannedReminder): ReminderMessage {
  const a = r.assignment;
  const who = r.employee.displayName;
  const doc = documentLabel(a);
  const late = plural(r.daysOverdue, "day");
  let subject: string;
  let lead: string;
  let asks: string[];
  let notice: string;
  switch (r.rule) {
    case "before-5":
      subject = `Training due on ${a.dueOn}: ${a.docId} v${a.version} ${a.title}`;
      lead = `${who}, your read-and-understood training on ${doc} is due on ${a.dueOn}.`;
      asks = ["Read the document in Quire (My training) and sign it as read and understood by the due date."];
      notice = `${a.docId} v${a.version}: your training is due on ${a.dueOn}.`;
      break;
    case "due":
      subject = `Training due today: ${a.docId} v${a.version} ${a.title}`;
      lead = `${who}, your read-and-understood training on ${doc} is due today, ${a.dueOn}.`;
      asks = ["Read the document in Quire (My training) and sign it as read and understood today."];
      notice = `${a.docId} v${a.version}: your training is due today (${a.dueOn}).`;
      break;
    case "overdue-1":
      subject = `Overdue training: ${a.docId} v${a.version} ${a.title} (${who}, due ${a.dueOn})`;
      lead = `${who}'s read-and-understood training on ${doc} was due on ${a.dueOn} and is ${late} overdue.`;
      asks = [
        `${who}: complete it in Quire (My training) as soon as you can.`,
        "Line manager: please release them for it. Until trained, they must not perform a task governed by this document (SOP-TR-001).",
      ];
      notice = `${a.docId} v${a.version}: ${who}'s training was due on ${a.dueOn} and is ${late} overdue.`;
      break;
    case "overdue-10":
      subject = `Escalation: ${who}'s training on ${a.docId} v${a.version} is ${late} overdue`;
      lead = `${who}'s read-and-understood training on ${doc} was due on ${a.dueOn} and is ${late} overdue. It is escalated to the line manager (SOP-TR-001).`;
      asks = [
        "Line manager: agree a completion date with the employee; the training coordinator follows it up.",
        `${who}: until trained, do not perform a task governed by ${a.docId}.`,
      ];
      notice = `${a.docId} v${a.version}: ${who}'s training is ${late} overdue (due ${a.dueOn}), escalated to the line manager to agree a completion date.`;
      break;
    case "overdue-20":
      subject = `Escalation to the quality manager: ${who}'s training on ${a.docId} v${a.version} is ${late} overdue`;
      lead = `${who}'s read-and-understood training on ${doc} was due on ${a.dueOn} and is ${late} overdue. It is escalated to the quality manager (SOP-TR-001).`;
      asks = [
        `${who} must stop performing tasks governed by ${a.docId} until the training is complete.`,
        "Quality manager: make sure they do, and follow the training up with the line manager.",
      ];
      notice = `${a.docId} v${a.version}: ${who}'s training is ${late} overdue (due ${a.dueOn}). ${who} must stop performing tasks governed by ${a.docId} until trained.`;
      break;
    case "overdue-30":
      subject = `Escalation to executive management: ${who}'s training on ${a.docId} v${a.version} is ${late} overdue`;
      lead = `${who}'s read-and-understood training on ${doc} was due on ${a.dueOn} and is ${late} overdue. It is escalated to executive management (SOP-TR-001).`;
      asks = [
        `If ${who} performed a study task governed by ${a.docId} while untrained, the quality manager raises a deviation under SOP-DV-001.`,
        "Executive management: act on the persistent non-compliance with the line manager.",
      ];
      notice = `${a.docId} v${a.version}: ${who}'s training is ${late} overdue (due ${a.dueOn}), escalated to executive management. If a study task was performed untrained, raise a deviation under SOP-DV-001.`;
      break;
  }
  const to = r.named.filter((x) => !x.copy);
  const cc = r.named.filter((x) => x.copy);
  const names = (xs: Recipient[]) => xs.map((x) => `${x.person.displayName} (${roleLabel(x.role)})`).join(", ");
  const text = [
    lead,
    "",
    ...asks,
    "",
    `Document: ${a.docId} version ${a.version}, ${a.title}`,
    `Employee: ${r.employee.displayName} (${r.employee.username})`,
    `Due date: ${a.dueOn}${r.daysOverdue > 0 ? ` (${late} overdue)` : ""}`,
    `Sent to: ${names(to)}${cc.length > 0 ? `; copy to ${names(cc)}` : ""}`,
    "",
    `This is an automatic ${r.kind} from Quire under SOP-TR-001 (Training and Qualification), step "Follow up overdue training" (${r.rule}).`,
    "",
  ].join("\n");
  return { subject, text, notice };
}
