import type { Command } from "commander";

export function notifyCommand(program: Command): void {
  program
    .command("notify")
    .description("Send every notification due today: the training reminders (as `quire remind`) and the document-control notices (SOP-DC-001).")
    .option("--on <date>", "the day to work them out for, YYYY-MM-DD (UTC); default: today")
    .option("--dry-run", "show what would be sent; send, write and record nothing")
    .option(
      "--json",
      'print {"on","dryRun","transport","reminders":<quire remind --json>,"notices":{"sent":[{kind,key,doc,subject,link,recipients,transport,file?}],"failed","warnings"}}',
    )
    .addHelpText(
      "after",
      [
        "",
        "Document-control notices (SOP-DC-001), each to each person once, however often it runs:",
        "  change-review      a change request submitted for review (each round): its named reviewers who have not signed",
        "  change-approval    every reviewer has signed: the quality managers who may approve it",
        "  change-comment     a reviewer's comment or rejection on an open change request: its author, to resolve",
        "  review-due         a periodic review due within 60 days: the document's owner function",
        "  review-overdue     past its date: the quality managers and the owner function's line managers (copy to the owners)",
        "  review-overdue-30  30 days past its date: executive management (copy to the quality managers and owners)",
        "  copy-recall        a controlled copy of a superseded or retired version: its holder when Quire has their address,",
        "                     and the document controllers (copies.issue)",
        "",
        "Sent through QUIRE_SMTP_URL when set, otherwise written as .eml files to <QUIRE_DATA_DIR>/outbox/; each Quire user",
        "told also gets an in-app notice (My training). Exit 0 when everything due was sent (warnings included); 1 when",
        "something could not be sent (it is tried again next run) or another run is in progress; 2 for a bad date.",
      ].join("\n"),
    )
    .action(async (raw: unknown) => (await import("./notify.action")).notify(raw));
}
