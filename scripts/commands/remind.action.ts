// What `quire remind` does (SOP-TR-001 reminders and escalations), loaded only when it runs.
import path from "node:path";

import { z } from "zod";

import { today } from "~/clock.server";
import { roleLabel } from "~/modules/training/reminders";
import { OUTBOX, RemindersBusy, runReminders, type ReminderRun, type SentReminder } from "~/modules/training/reminders.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z.object({
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }).optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function line(s: SentReminder): string {
  const late = s.daysOverdue > 0 ? `, ${plural(s.daysOverdue, "day")} overdue` : "";
  const to = s.recipients.map((r) => `${r.username} (${roleLabel(r.role)}${r.copy ? ", copy" : ""})`).join(", ");
  return `${s.rule.padEnd(10)}  ${s.doc} v${s.version}  due ${s.dueOn}${late}  ${s.user}  -> ${to}\n`;
}

export function printText(run: ReminderRun, dataDir: string): void {
  for (const s of run.sent) process.stdout.write(line(s));
  for (const f of run.failed) process.stdout.write(`NOT SENT  ${f.doc} v${f.version} ${f.rule} for ${f.user} to ${f.recipients.join(", ")}: ${f.error}\n`);
  const recipients = run.sent.reduce((n, s) => n + s.recipients.length, 0);
  const where = run.transport === "smtp" ? "by SMTP" : `to the outbox (${path.join(dataDir, OUTBOX)})`;
  if (run.dryRun) {
    process.stdout.write(
      `Dry run for ${run.on}: ${plural(run.sent.length, "notice")} to ${plural(recipients, "recipient")} would be sent ${where}; nothing was sent or recorded.\n`,
    );
  } else if (run.sent.length === 0 && run.failed.length === 0) {
    process.stdout.write(`No reminders due on ${run.on}: nothing sent.\n`);
  } else {
    process.stdout.write(
      `${run.on}: ${plural(run.sent.length, "notice")} sent ${where} to ${plural(recipients, "recipient")} and recorded` +
        `${run.failed.length > 0 ? `; ${plural(run.failed.length, "notice")} not sent (tried again next run)` : ""}.\n`,
    );
  }
  for (const w of run.warnings) process.stdout.write(`Warning: ${w.message}\n`);
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
