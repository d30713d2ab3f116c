import type { ChangeEvent, ComponentProps } from "react";

/** The shape of a date as Quire writes it everywhere (ISO 8601, YYYY-MM-DD); the server checks it is a real day. */
export const ISO_DATE_PATTERN = "\\d{4}-\\d{2}-\\d{2}";

/** Eight digits typed on a phone's number pad (which has no "-") read as a date: 20260504 -> 2026-05-04. */
export function withDateDashes(value: string): string {
  const digits = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return digits ? `${digits[1]}-${digits[2]}-${digits[3]}` : value;
}

/**
 * A date field that shows and accepts dates as Quire records them: YYYY-MM-DD. A native
 * `type="date"` shows the browser's locale instead (mm/dd/yyyy in an en-US browser, dd/mm/yyyy in
 * en-GB) beside records, audit rows and PDFs that all say 2026-05-04, so one day was written two ways
 * on one screen (issue 13). The pattern only catches a wrong shape before sending; whether the day
 * exists (2026-02-30) and whether it is allowed stay the server's checks, with its own messages.
 * `min` and `max` stay in the markup as the bounds the server applies.
 */
export function DateInput({ className, onChange, ...rest }: Omit<ComponentProps<"input">, "type" | "pattern" | "inputMode" | "placeholder">) {
  function addDashes(event: ChangeEvent<HTMLInputElement>) {
    const dashed = withDateDashes(event.currentTarget.value);
    if (dashed !== event.currentTarget.value) event.currentTarget.value = dashed;
    onChange?.(event);
  }
  return (
    <input
      {...rest}
      type="text"
      inputMode="numeric"
      pattern={ISO_DATE_PATTERN}
      placeholder="YYYY-MM-DD"
      maxLength={10}
      autoComplete="off"
      spellCheck={false}
      title="A date written YYYY-MM-DD, for example 2026-05-04"
      className={className ? `date-input ${className}` : "date-input"}
      onChange={addDashes}
    />
  );
}

/** Whether a date field holds something worth sending: empty, or a whole YYYY-MM-DD (not a date half typed). */
export function isCompleteDate(value: string): boolean {
  return value === "" || new RegExp(`^${ISO_DATE_PATTERN}$`).test(value);
}
