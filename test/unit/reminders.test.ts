import { describe, expect, it } from "vitest";

import { readConfig } from "~/config.server";
import { nextRunAfter, pastTimeOfDay } from "~/modules/training/reminder-schedule.server";
import {
  composeReminder,
  planReminders,
  reachedRule,
  type DirectoryPerson,
  type OpenAssignment,
  type PlannedReminder,
  type RecordedReminder,
  type ReminderInput,
} from "~/modules/training/reminders";

// SOP-TR-001, "Follow up overdue training", on crafted people and assignments.

function personOf(username: string, extra: Partial<DirectoryPerson> = {}): DirectoryPerson {
  return {
    id: `id-${username}`,
    username,
    displayName: username.toUpperCase(),
    email: `${username}@example.org`,
    active: true,
    managerId: null,
    roles: ["staff"],
    jobFunctions: ["cra"],
    ...extra,
  };
}

/** A small organisation: ceo (executive management), qa (quality manager), trainer, boss (line manager), emp (employee). */
function organisation(): DirectoryPerson[] {
  return [
    personOf("ceo", { roles: ["staff"], jobFunctions: ["executive-management"] }),
    personOf("qa", { roles: ["quality-manager"], jobFunctions: ["quality-manager"], managerId: "id-ceo" }),
    personOf("trainer", { roles: ["training-coordinator"], jobFunctions: ["training-coordinator"], managerId: "id-qa" }),
    personOf("boss", { jobFunctions: ["project-manager"], managerId: "id-ceo" }),
    personOf("emp", { managerId: "id-boss" }),
  ];
}

function assignment(id: number, dueOn: string, userId = "id-emp", docId = "SOP-CM-001"): OpenAssignment {
  return { id, userId, docId, version: "2.0", title: "Clinical Monitoring", dueOn };
}

function plan(input: Partial<ReminderInput> & { today: string }) {
  return planReminders({ assignments: [], people: organisation(), recorded: [], ...input });
}

/** Who a planned reminder tells, as "username:role" (with "+cc" for a copy). */
function whom(r: PlannedReminder): string[] {
  return r.recipients.map((x) => `${x.person.username}:${x.role}${x.copy ? "+cc" : ""}`);
}

function recordedFor(r: PlannedReminder): RecordedReminder[] {
  return r.recipients.map((x) => ({ assignmentId: r.assignment.id, rule: r.rule, recipientId: x.person.id }));
}

describe("the step an assignment has reached on a day", () => {
  it("reminds from 5 working days before the due date, counted over weekends", () => {
    // Due Tuesday 15 December 2026: 5 working days before is Tuesday 8 December.
    expect(reachedRule("2026-12-15", "2026-12-07")).toBeNull();
    expect(reachedRule("2026-12-15", "2026-12-08")).toBe("before-5");
    expect(reachedRule("2026-12-15", "2026-12-14")).toBe("before-5");
    // Due Monday 14 December: the weekend does not count, so the reminder starts Monday 7 December.
    expect(reachedRule("2026-12-14", "2026-12-06")).toBeNull(); // Sunday
    expect(reachedRule("2026-12-14", "2026-12-07")).toBe("before-5");
    // Due Wednesday 9 December: back over the weekend to Wednesday 2 December.
    expect(reachedRule("2026-12-09", "2026-12-01")).toBeNull();
    expect(reachedRule("2026-12-09", "2026-12-02")).toBe("before-5");
    // Due on a Saturday (12 December): five working days before is Monday 7 December.
    expect(reachedRule("2026-12-12", "2026-12-04")).toBeNull();
    expect(reachedRule("2026-12-12", "2026-12-07")).toBe("before-5");
  });

  it("says 'due' on the due date, then counts calendar days overdue for the escalations", () => {
    expect(reachedRule("2026-12-15", "2026-12-15")).toBe("due");
    expect(reachedRule("2026-12-15", "2026-12-16")).toBe("overdue-1");
    expect(reachedRule("2026-12-15", "2026-12-24")).toBe("overdue-1"); // 9 days
    expect(reachedRule("2026-12-15", "2026-12-25")).toBe("overdue-10");
    expect(reachedRule("2026-12-15", "2027-01-03")).toBe("overdue-10"); // 19 days
    expect(reachedRule("2026-12-15", "2027-01-04")).toBe("overdue-20");
    expect(reachedRule("2026-12-15", "2027-01-13")).toBe("overdue-20"); // 29 days
    expect(reachedRule("2026-12-15", "2027-01-14")).toBe("overdue-30");
    expect(reachedRule("2026-04-06", "2026-11-25")).toBe("overdue-30"); // 233 days
    // Calendar days, weekends included: due Friday 11 December, overdue-1 on Saturday.
    expect(reachedRule("2026-12-11", "2026-12-12")).toBe("overdue-1");
  });
});

describe("who is told what, on crafted inputs", () => {
  it("sends the 5-day and due-day reminders to the employee only", () => {
    const before = plan({ today: "2026-12-08", assignments: [assignment(1, "2026-12-15")] });
    expect(before.reminders.map((r) => [r.rule, r.kind, whom(r)])).toEqual([["before-5", "reminder", ["emp:employee"]]]);
    const due = plan({ today: "2026-12-15", assignments: [assignment(1, "2026-12-15")], recorded: recordedFor(before.reminders[0]!) });
    expect(due.reminders.map((r) => [r.rule, whom(r)])).toEqual([["due", ["emp:employee"]]]);
    expect(plan({ today: "2026-12-07", assignments: [assignment(1, "2026-12-15")] }).reminders).toEqual([]);
  });

  it("follows the ladder: employee and line manager; line manager and training coordinators; quality managers; executive management", () => {
    const a = [assignment(1, "2026-12-15")];
    expect(plan({ today: "2026-12-16", assignments: a }).reminders.map(whom)).toEqual([["emp:employee", "boss:line-manager"]]);
    const ten = plan({ today: "2026-12-25", assignments: a }).reminders[0]!;
    expect([ten.rule, ten.kind, whom(ten)]).toEqual(["overdue-10", "escalation", ["boss:line-manager", "trainer:training-coordinator", "emp:employee+cc"]]);
    const twenty = plan({ today: "2027-01-04", assignments: a }).reminders[0]!;
    expect([twenty.rule, whom(twenty)]).toEqual(["overdue-20", ["qa:quality-manager", "emp:employee+cc", "boss:line-manager+cc"]]);
    const thirty = plan({ today: "2027-01-14", assignments: a }).reminders[0]!;
    expect([thirty.rule, thirty.daysOverdue, whom(thirty)]).toEqual(["overdue-30", 30, ["ceo:executive-management", "qa:quality-manager"]]);
  });

  it("catches up on missed runs with the highest step reached only, never one already recorded", () => {
    // First run 233 days late: the 30-day escalation alone, not the reminders and escalations before it.
    const first = plan({ today: "2026-11-25", assignments: [assignment(7, "2026-04-06")] });
    expect(first.reminders.map((r) => r.rule)).toEqual(["overdue-30"]);
    // Run again the same day, or any later day: nothing.
    const recorded = recordedFor(first.reminders[0]!);
    expect(plan({ today: "2026-11-25", assignments: [assignment(7, "2026-04-06")], recorded }).reminders).toEqual([]);
    expect(plan({ today: "2027-06-01", assignments: [assignment(7, "2026-04-06")], recorded }).reminders).toEqual([]);
    // Runs missed between day 10 and day 25: day 25 sends the 20-day step, never the earlier ones again or late.
    const ten = plan({ today: "2026-12-25", assignments: [assignment(1, "2026-12-15")] }).reminders[0]!;
    const later = plan({ today: "2027-01-09", assignments: [assignment(1, "2026-12-15")], recorded: recordedFor(ten) });
    expect(later.reminders.map((r) => r.rule)).toEqual(["overdue-20"]);
    // A step recorded, days pass within it: nothing (the 1-day reminder is not sent after the 10-day step).
    expect(plan({ today: "2027-01-01", assignments: [assignment(1, "2026-12-15")], recorded: recordedFor(ten) }).reminders).toEqual([]);
  });

  it("tells only the people a step has not told yet (a line manager set since, a send that failed)", () => {
    const people = organisation().map((p) => (p.username === "emp" ? { ...p, managerId: null } : p));
    const first = plan({ today: "2026-12-16", people, assignments: [assignment(1, "2026-12-15")] });
    expect(first.reminders.map(whom)).toEqual([["emp:employee"]]);
    // The line manager is set the next day: they get the 1-day reminder, the employee not again.
    const second = plan({ today: "2026-12-17", assignments: [assignment(1, "2026-12-15")], recorded: recordedFor(first.reminders[0]!) });
    expect(second.reminders.map(whom)).toEqual([["boss:line-manager"]]);
    expect(second.reminders[0]!.named.map((r) => r.person.username)).toEqual(["emp", "boss"]);
  });

  it("names a missing or deactivated line manager in the report, once per person, and still tells the others", () => {
    const people = organisation().map((p) => (p.username === "emp" ? { ...p, managerId: null } : p));
    const a = [assignment(1, "2026-12-15"), assignment(2, "2026-12-15", "id-emp", "WI-CM-001")];
    const result = plan({ today: "2026-12-25", people, assignments: a });
    expect(result.reminders.map(whom)).toEqual([
      ["trainer:training-coordinator", "emp:employee+cc"],
      ["trainer:training-coordinator", "emp:employee+cc"],
    ]);
    expect(result.warnings).toEqual([
      {
        code: "no-line-manager",
        username: "emp",
        message: "emp (EMP) has no line manager: give them one (2 notices: SOP-CM-001 v2.0 overdue-10 for emp, WI-CM-001 v2.0 overdue-10 for emp)",
      },
    ]);
    const gone = organisation().map((p) => (p.username === "boss" ? { ...p, active: false } : p));
    const inactive = plan({ today: "2026-12-16", people: gone, assignments: [assignment(1, "2026-12-15")] });
    expect(inactive.reminders.map(whom)).toEqual([["emp:employee"]]);
    expect(inactive.warnings.map((w) => w.code)).toEqual(["line-manager-inactive"]);
    // Reminders before the due date need no line manager: no warning.
    expect(plan({ today: "2026-12-08", people, assignments: [assignment(1, "2026-12-15")] }).warnings).toEqual([]);
  });

  it("tells a person once, in the first role the step names them in, and the employee always as the employee", () => {
    // qa is also the line manager: the 20-day step addresses them as quality manager only.
    const people = organisation().map((p) => (p.username === "emp" ? { ...p, managerId: "id-qa" } : p));
    expect(plan({ today: "2027-01-04", people, assignments: [assignment(1, "2026-12-15")] }).reminders.map(whom)).toEqual([
      ["qa:quality-manager", "emp:employee+cc"],
    ]);
    // The training coordinator's own overdue training: told as the employee, not as coordinator.
    const own = plan({ today: "2026-12-25", assignments: [assignment(3, "2026-12-15", "id-trainer")] });
    expect(own.reminders.map(whom)).toEqual([["qa:line-manager", "trainer:employee+cc"]]);
  });

  it("escalates to the quality managers alone when nobody holds executive management, and warns; with nobody at all, plans nothing and warns", () => {
    const noExec = organisation().filter((p) => p.username !== "ceo");
    const result = plan({ today: "2027-01-14", people: noExec, assignments: [assignment(1, "2026-12-15")] });
    expect(result.reminders.map(whom)).toEqual([["qa:quality-manager"]]);
    expect(result.warnings.map((w) => w.code)).toEqual(["no-executive-management"]);
    const nobody = organisation().filter((p) => p.username !== "ceo" && p.username !== "qa");
    const empty = plan({ today: "2027-01-14", people: nobody, assignments: [assignment(1, "2026-12-15")] });
    expect(empty.reminders).toEqual([]);
    expect(empty.warnings.map((w) => w.code)).toEqual(["no-recipient"]);
  });

  it("ignores the assignments of deactivated people and the deactivated holders of a role", () => {
    const people = organisation().map((p) => (p.username === "emp" || p.username === "trainer" ? { ...p, active: false } : p));
    expect(plan({ today: "2026-12-25", people, assignments: [assignment(1, "2026-12-15")] }).reminders).toEqual([]);
    const a = [assignment(4, "2026-12-15", "id-boss")];
    const result = plan({ today: "2026-12-25", people, assignments: a });
    expect(result.reminders.map(whom)).toEqual([["ceo:line-manager", "boss:employee+cc"]]);
    expect(result.warnings.map((w) => w.code)).toEqual(["no-training-coordinator"]);
  });
});

describe("the messages", () => {
  const reached = (today: string) => plan({ today, assignments: [assignment(1, "2026-12-15")] }).reminders[0]!;

  it("names the document, version and due date", () => {
    const m = composeReminder(reached("2026-12-08"));
    expect(m.subject).toBe("Training due on 2026-12-15: SOP-CM-001 v2.0 Clinical Monitoring");
    expect(m.text).toContain('SOP-CM-001 v2.0 "Clinical Monitoring" is due on 2026-12-15');
    expect(m.text).toContain("Sent to: EMP (employee)");
    expect(m.notice).toBe("SOP-CM-001 v2.0: your training is due on 2026-12-15.");
  });

  it("says at 20 days that the employee must stop the tasks the document governs, at 30 that a deviation may be due", () => {
    const twenty = composeReminder(reached("2027-01-04"));
    expect(twenty.subject).toBe("Escalation to the quality manager: EMP's training on SOP-CM-001 v2.0 is 20 days overdue");
    expect(twenty.text).toContain("EMP must stop performing tasks governed by SOP-CM-001 until the training is complete.");
    expect(twenty.text).toContain("Sent to: QA (quality manager); copy to EMP (employee), BOSS (line manager)");
    expect(twenty.notice).toContain("must stop performing tasks governed by SOP-CM-001");
    const thirty = composeReminder(reached("2027-01-14"));
    expect(thirty.text).toContain("a deviation under SOP-DV-001");
    expect(thirty.text).toContain("escalated to executive management");
    expect(thirty.notice).toContain("SOP-DV-001");
    expect(composeReminder(reached("2026-12-25")).text).toContain("agree a completion date");
  });
});

describe("the server's daily run", () => {
  it("fires at the next HH:MM (UTC) after now, and catches up at start after the day's time", () => {
    expect(nextRunAfter("07:00", new Date("2026-11-25T06:59:00Z")).toISOString()).toBe("2026-11-25T07:00:00.000Z");
    expect(nextRunAfter("07:00", new Date("2026-11-25T07:00:00Z")).toISOString()).toBe("2026-11-26T07:00:00.000Z");
    expect(nextRunAfter("23:30", new Date("2026-12-31T23:45:00Z")).toISOString()).toBe("2027-01-01T23:30:00.000Z");
    expect(pastTimeOfDay("07:00", new Date("2026-11-25T06:59:59Z"))).toBe(false);
    expect(pastTimeOfDay("07:00", new Date("2026-11-25T07:00:00Z"))).toBe(true);
  });
});

describe("the reminder settings", () => {
  it("reads QUIRE_SMTP_URL, QUIRE_MAIL_FROM and QUIRE_REMIND_AT, and refuses what they cannot be", () => {
    expect(readConfig({})).toMatchObject({ smtpUrl: undefined, mailFrom: "Quire <quire@localhost>", remindAt: undefined });
    const set = readConfig({ QUIRE_SMTP_URL: "smtp://user:secret@mail.example.org:587", QUIRE_MAIL_FROM: "QMS <qms@example.org>", QUIRE_REMIND_AT: "06:30" });
    expect(set).toMatchObject({ smtpUrl: "smtp://user:secret@mail.example.org:587", mailFrom: "QMS <qms@example.org>", remindAt: "06:30" });
    expect(() => readConfig({ QUIRE_SMTP_URL: "https://mail.example.org" })).toThrow(
      "Invalid environment variable QUIRE_SMTP_URL: must be an smtp:// or smtps:// URL",
    );
    for (const bad of ["6:30", "24:00", "07:60", "0700"]) expect(() => readConfig({ QUIRE_REMIND_AT: bad })).toThrow(/QUIRE_REMIND_AT: must be a time HH:MM/);
  });
});
