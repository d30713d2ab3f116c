// Working-day arithmetic for training due dates and reminders (SOP-TR-001: induction within 20
// working days, reminders 5 working days before a due date, exemptions end 10 working days after
// return). A working day is Monday to Friday; dates are ISO calendar dates (YYYY-MM-DD) in UTC.

function toDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`);
}

function toIso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function isWorkingDay(iso: string): boolean {
  const day = toDate(iso).getUTCDay();
  return day !== 0 && day !== 6;
}

/**
 * The date `n` working days after `iso` (before it when n is negative). Counting starts on the
 * next working day, so addWorkingDays(Friday, 1) is Monday, and a weekend start counts from Monday.
 */
export function addWorkingDays(iso: string, n: number): string {
  const d = toDate(iso);
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + step);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return toIso(d);
}

/** Working days from `from` to `to`: positive when `to` is later, the count of working days after `from` up to and including `to`. */
export function workingDaysBetween(from: string, to: string): number {
  if (from === to) return 0;
  const sign = from < to ? 1 : -1;
  const [a, b] = sign === 1 ? [from, to] : [to, from];
  const d = toDate(a);
  const end = toDate(b);
  let count = 0;
  while (d < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6) count++;
  }
  return sign * count;
}

/** Calendar days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000);
}
