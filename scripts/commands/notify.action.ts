// What `quire notify` does (issue 13): every notification due, through the one outbox: the training
// reminders `quire remind` sends, then the document-control notices. Loaded only when it runs.

import { z } from "zod";

import { today } from "~/clock.server";
import type { Quire } from "~/context.server";
import { createMdxRenderer } from "~/mdx-renderer.server";
import { noticeRoleLabel } from "~/modules/notifications/notifications";
import { NotificationsBusy, runNotifications, type NotificationRun, type SentNotification } from "~/modules/notifications/notifications.server";
import { RemindersBusy, runReminders, type ReminderRun } from "~/modules/training/reminders.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";
import { printRunSummary } from "./outbox-run";
import { printText as printReminders } from "./remind.action";

const Options = z.object({
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }).optional(),
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
});

function line(s: SentNotification): string {
  const to = s.recipients.map((r) => `${r.username ?? r.email} (${noticeRoleLabel(r.role)}${r.copy ? ", copy" : ""})`).join(", ");
  return `${s.kind.padEnd(17)}  ${s.key}  -> ${to}\n`;
}

function printNotices(run: NotificationRun, dataDir: string): void {
  for (const s of run.sent) process.stdout.write(line(s));
  for (const f of run.failed) process.stdout.write(`NOT SENT  ${f.key} to ${f.recipients.join(", ")}: ${f.error}\n`);
  printRunSummary(run, dataDir, "document-control notice", `No document-control notices due on ${run.on}: nothing sent.`);
}

export async function notify(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { dryRun = false, json } = parsed.data;
  const folder = await openDataFolderOrExit();
  // Change control's task list and the review schedule take the whole context; only the database is read.
  const q: Quire = { ...folder, renderer: createMdxRenderer(folder.db, new Map()) };
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
