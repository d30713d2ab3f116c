import { useEffect, type ReactNode } from "react";
import type { z } from "zod";

/** A labelled form field with its error, so every form reports problems the same way. */
export function Field({ label, name, error, hint, children }: { label: string; name: string; error?: string | null; hint?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? " field-error" : ""}`}>
      <label htmlFor={name}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error" id={`${name}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** One checkbox of a ChoiceList: a value, its label and an optional description. */
export interface Choice {
  value: string;
  label: string;
  description?: string;
}

/**
 * A group of checkboxes sharing one name (roles, job functions): a fieldset whose legend names
 * the group, so screen readers announce it, and whose error sits with it like a Field's.
 */
export function ChoiceList({
  legend,
  name,
  choices,
  checked,
  error,
  hint,
}: {
  legend: string;
  name: string;
  choices: readonly Choice[];
  checked: readonly string[];
  error?: string | null;
  hint?: string;
}) {
  return (
    <fieldset className={`field choice-field${error ? " field-error" : ""}`} aria-describedby={error ? `${name}-error` : undefined}>
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      <div className="checkbox-list">
        {choices.map((c) => (
          <label key={c.value} className={c.description ? "choice choice-described" : "choice"}>
            <input type="checkbox" name={name} value={c.value} defaultChecked={checked.includes(c.value)} />
            <span>
              <span className="choice-label">{c.label}</span>
              {c.description ? <span className="choice-description">{c.description}</span> : null}
            </span>
          </label>
        ))}
      </div>
      {error ? (
        <p className="error" id={`${name}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function FormMessage({ error, success }: { error?: string | null; success?: string | null }) {
  if (error)
    return (
      <p className="banner banner-error" role="alert">
        {error}
      </p>
    );
  if (success)
    return (
      <p className="banner banner-success" role="status">
        {success}
      </p>
    );
  return null;
}

/** A zod error as one message per field (the first), keyed by the field's name. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return errors;
}

/**
 * After a refused submission, moves focus to the first field marked with an error, so a keyboard
 * or screen-reader user lands where the correction is needed rather than on the button they pressed.
 */
export function useFocusFirstError(errors: Record<string, string> | null | undefined): void {
  useEffect(() => {
    if (!errors || Object.keys(errors).length === 0) return;
    document.querySelector<HTMLElement>(".field-error input, .field-error textarea, .field-error select")?.focus();
  }, [errors]);
}
