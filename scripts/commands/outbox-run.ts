// What `quire remind` and `quire notify` print after a run through the one outbox: the summary line
// (sent, dry run, or nothing due) and the warnings, worded the same for both.
import path from "node:path";

import { OUTBOX } from "~/modules/notifications/mail.server";

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export interface OutboxRunSummary {
  on: string;
  dryRun: boolean;
  transport: "smtp" | "outbox";
  sent: readonly { recipients: readonly unknown[] }[];
  failed: readonly unknown[];
  warnings: readonly { message: string }[];
}

/** The run's last lines; `noun` names one item ("notice"), `idle` is said when nothing was due. */
export function printRunSummary(run: OutboxRunSummary, dataDir: string, noun: string, idle: string): void {
  const recipients = run.sent.reduce((n, s) => n + s.recipients.length, 0);
  const where = run.transport === "smtp" ? "by SMTP" : `to the outbox (${path.join(dataDir, OUTBOX)})`;
  if (run.dryRun) {
    process.stdout.write(
      `Dry run for ${run.on}: ${plural(run.sent.length, noun)} to ${plural(recipients, "recipient")} would be sent ${where}; nothing was sent or recorded.\n`,
    );
  } else if (run.sent.length === 0 && run.failed.length === 0) {
    process.stdout.write(`${idle}\n`);
  } else {
    process.stdout.write(
      `${run.on}: ${plural(run.sent.length, noun)} sent ${where} to ${plural(recipients, "recipient")} and recorded` +
        `${run.failed.length > 0 ? `; ${plural(run.failed.length, "notice")} not sent (tried again next run)` : ""}.\n`,
    );
  }
  for (const w of run.warnings) process.stdout.write(`Warning: ${w.message}\n`);
}
