// What `quire notify` does (issue 13): every notification due, through the one outbox: the training
// reminders `quire remind` sends, then the document-control notices. Loaded only when it runs.
import path from "node:path";

import { z } from "zod";

import { today } from "~/clock.server";
import type { Quire } from "~/context.server";
import { MdxRenderer } from "~/modules/content/render.server";
import { OUTBOX } from "~/modules/notifications/mail.server";
import { noticeRoleLabel } from "~/modules/notifications/notifications";
import { NotificationsBusy, runNotifications, type NotificationRun, type SentNotification } from "~/modules/notifications/notifications.server";
import { RemindersBusy, runReminders, type ReminderRun } from "~/modules/training/reminders.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";
import { printText as printReminders } from "./remind.action";

const Options = z.object({
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }).optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function line(s: SentNotification): string {
  const to = s.recipients.map((r) => `${r.username ?? r.email} (${noticeRoleLabel(r.role)}${r.copy ? ", copy" : ""})`).join(", ");
  return `${s.kind.padEnd(17)}  ${s.key}  -> ${to}\n`;
}

function printNotices(run: NotificationRun, dataDir: string): void {
  for (const s of run.sent) process.stdout.write(line(s));
  for (const f of run.failed) process.stdout.write(`NOT SENT  ${f.key} to ${f.recipients.join(", ")}: ${f.error}\n`);
  const recipients = run.sent.reduce((n, s) => n + s.recipients.length, 0);
  const where = run.transport === "smtp" ? "by SMTP" : `to the outbox (${path.join(dataDir, OUTBOX)})`;
  if (run.dryRun) {
    process.stdout.write(
      `Dry run for ${run.on}: ${plural(run.sent.length, "document-control notice")} to ${plural(recipients, "recipient")} would be sent ${where}; nothing was sent or recorded.\n`,
    );
  } else if (run.sent.length === 0 && run.failed.length === 0) {
    process.stdout.write(`No document-control notices due on ${run.on}: nothing sent.\n`);
  } else {
    process.stdout.write(
      `${run.on}: ${plural(run.sent.length, "document-control notice")} sent ${where} to ${plural(recipients, "recipient")} and recorded` +
        `${run.failed.length > 0 ? `; ${plural(run.failed.length, "notice")} not sent (tried again next run)` : ""}.\n`,
    );
  }
  for (const w of run.warnings) process.stdout.write(`Warning: ${w.message}\n`);
}

export async function notify(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { dryRun = false, json } = parsed.data;
  const folder = await openDataFolderOrExit();
  // Change control's task list and the review schedule take the whole context; only the database is read.
  const q: Quire = { ...folder, renderer: new MdxRenderer(folder.db, new Map()) };
  try {
    const on = parsed.data.on ?? today(q.config);
    const actor = cliActor();
    let reminders: ReminderRun;
    let notices: NotificationRun;
    try {
      reminders = await runReminders(q, { today: on, dryRun, actor });
      notices = await runNotifications(q, on, { dryRun, actor });
    } catch (error) {
      if (error instanceof RemindersBusy || error instanceof NotificationsBusy) fail(error.message, EXIT.problems);
      throw error;
    }
    if (json)
      printJson({ on, dryRun, transport: notices.transport, reminders, notices: { sent: notices.sent, failed: notices.failed, warnings: notices.warnings } });
    else {
      printReminders(reminders, q.config.dataDir);
      printNotices(notices, q.config.dataDir);
    }
    process.exitCode = reminders.failed.length + notices.failed.length > 0 ? EXIT.problems : EXIT.ok;
  } finally {
    await q.db.close();
  }
}
