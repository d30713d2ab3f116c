import type { Command } from "commander";

export function remindCommand(program: Command): void {
  program
    .command("remind")
    .description("Send the training reminders and escalations due today (SOP-TR-001, Follow up overdue training).")
    .option("--on <date>", "the day to work the ladder out for, YYYY-MM-DD (UTC); default: today")
    .option("--dry-run", "show what would be sent; send, write and record nothing")
    .option("--json", 'print {"on","dryRun","transport","sent":[{assignmentId,user,doc,version,dueOn,rule,recipients,transport,file?}],"failed","warnings"}')
    .addHelpText(
      "after",
      [
        "",
        "The ladder: 5 working days before the due date and on it, a reminder to the employee; 1 day overdue, to the",
        "employee and line manager; 10, an escalation to the line manager and training coordinators (copy to the",
        "employee); 20, to the quality managers (copy to the employee and line manager: the employee must stop",
        "performing tasks governed by the document); 30, to executive management and the quality managers (a",
        "deviation under SOP-DV-001 if a study task was performed untrained). Only the highest step reached is sent,",
        "and never twice to the same person: run it as often as you like.",
        "",
        "Sent through QUIRE_SMTP_URL when set, otherwise written as .eml files to <QUIRE_DATA_DIR>/outbox/.",
        "Exit 0 when everything due was sent (warnings, such as a missing line manager, included); 1 when a notice",
        "could not be sent (it is tried again next run) or another run is in progress; 2 for a bad date.",
      ].join("\n"),
    )
    .action(async (raw: unknown) => (await import("./remind.action")).remind(raw));
}
