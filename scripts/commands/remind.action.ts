// What `quire remind` does (SOP-TR-001 reminders and escalations), loaded only when it runs.

import { z } from "zod";

import { today } from "~/clock.server";
import { roleLabel } from "~/modules/training/reminders";
import { RemindersBusy, runReminders, type ReminderRun, type SentReminder } from "~/modules/training/reminders.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";
import { plural, printRunSummary } from "./outbox-run";

const Options = z.object({
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }).optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

function line(s: SentReminder): string {
  const late = s.daysOverdue > 0 ? `, ${plural(s.daysOverdue, "day")} overdue` : "";
  const to = s.recipients.map((r) => `${r.username} (${roleLabel(r.role)}${r.copy ? ", copy" : ""})`).join(", ");
  return `${s.rule.padEnd(10)}  ${s.doc} v${s.version}  due ${s.dueOn}${late}  ${s.user}  -> ${to}\n`;
}

export function printText(run: ReminderRun, dataDir: string): void {
  for (const s of run.sent) process.stdout.write(line(s));
  for (const f of run.failed) process.stdout.write(`NOT SENT  ${f.doc} v${f.version} ${f.rule} for ${f.user} to ${f.recipients.join(", ")}: ${f.error}\n`);
  printRunSummary(run, dataDir, "notice", `No reminders due on ${run.on}: nothing sent.`);
}

export async function remind(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { dryRun = false, json } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const on = parsed.data.on ?? today(q.config);
    let run: ReminderRun;
    try {
      run = await runReminders(q, { today: on, dryRun, actor: cliActor() });
    } catch (error) {
      if (error instanceof RemindersBusy) fail(error.message, EXIT.problems);
      throw error;
    }
    if (json) printJson(run);
    else printText(run, q.config.dataDir);
    process.exitCode = run.failed.length > 0 ? EXIT.problems : EXIT.ok;
  } finally {
    await q.db.close();
  }
}
