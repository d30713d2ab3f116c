// The server's daily reminder run (opt-in): with QUIRE_REMIND_AT=HH:MM set, the server runs
// runReminders and then runNotifications (the document-control notices) once a day at that time
// (UTC), as `quire notify` would. The timer is unref'd, so it
// never keeps a stopping server alive. A server that starts after the day's time (a restart, a
// deployment) runs once at start: the ladder sends nothing twice, so a catch-up run is harmless,
// and a missed day is caught up by the next run anyway (only the highest step reached is sent).

import { isoDate, now } from "~/clock.server";
import { NotificationsBusy, runNotifications } from "~/modules/notifications/notifications.server";
import type { Quire } from "~/quire";

import { RemindersBusy, runReminders } from "./reminders.server";

/** The first instant at `hhmm` (UTC) strictly after `from`. */
export function nextRunAfter(hhmm: string, from: Date): Date {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const next = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate(), h, m));
  if (next <= from) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

/** Whether `at` is at or after the day's `hhmm` (UTC). */
export function pastTimeOfDay(hhmm: string, at: Date): boolean {
  return at.toISOString().slice(11, 16) >= hhmm;
}

export interface ReminderSchedule {
  stop(): void;
}

export interface ScheduleLog {
  info(line: string): void;
  error(line: string): void;
}

const consoleLog: ScheduleLog = { info: (line) => console.log(line), error: (line) => console.error(line) };

/**
 * Starts the daily run. Timers follow the real time of day; the day the ladder is worked out for
 * comes from Quire's clock (QUIRE_NOW pins it for demos).
 */
export function startReminderSchedule(q: Quire, hhmm: string, log: ScheduleLog = consoleLog): ReminderSchedule {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function runOnce(): Promise<void> {
    const today = isoDate(now(q.config));
    try {
      const run = await runReminders(q, { today, dryRun: false });
      const recipients = run.sent.reduce((n, s) => n + s.recipients.length, 0);
      log.info(
        `quire: training reminders for ${today}: ${run.sent.length} sent to ${recipients} recipients (${run.transport})` +
          `${run.failed.length > 0 ? `, ${run.failed.length} failed` : ""}${run.warnings.length > 0 ? `, ${run.warnings.length} warnings` : ""}`,
      );
      for (const f of run.failed) log.error(`quire: reminder not sent: ${f.doc} v${f.version} ${f.rule} for ${f.user}: ${f.error}`);
      for (const w of run.warnings) log.info(`quire: reminder warning: ${w.message}`);
    } catch (error) {
      if (error instanceof RemindersBusy) log.info(`quire: training reminders skipped: ${error.message}`);
      else log.error(`quire: training reminders failed: ${(error as Error).message}`);
    }
    // The document-control notices (SOP-DC-001) after the reminders, through the same outbox.
    try {
      const run = await runNotifications(q, today);
      const recipients = run.sent.reduce((n, s) => n + s.recipients.length, 0);
      log.info(
        `quire: document-control notices for ${today}: ${run.sent.length} sent to ${recipients} recipients (${run.transport})` +
          `${run.failed.length > 0 ? `, ${run.failed.length} failed` : ""}${run.warnings.length > 0 ? `, ${run.warnings.length} warnings` : ""}`,
      );
      for (const f of run.failed) log.error(`quire: notice not sent: ${f.key}: ${f.error}`);
      for (const w of run.warnings) log.info(`quire: notice warning: ${w.message}`);
    } catch (error) {
      if (error instanceof NotificationsBusy) log.info(`quire: document-control notices skipped: ${error.message}`);
      else log.error(`quire: document-control notices failed: ${(error as Error).message}`);
    }
  }

  function schedule(): void {
    if (stopped) return;
    const from = new Date();
    timer = setTimeout(() => void runOnce().finally(schedule), nextRunAfter(hhmm, from).getTime() - from.getTime());
    timer.unref();
  }

  if (pastTimeOfDay(hhmm, new Date())) {
    timer = setTimeout(() => void runOnce().finally(schedule), 0);
    timer.unref();
  } else {
    schedule();
  }
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
