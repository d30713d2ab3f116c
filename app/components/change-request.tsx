import { Form, useActionData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";

import { CR_STATE_LABELS, type CrState } from "~/modules/change-control/change-control";
import { SIGNATURE_STATEMENTS, type SignatureMeaning, type SignatureStanding, type SignatureView } from "~/modules/signatures/signatures";

export function CrStateBadge({ state }: { state: CrState }) {
  return <span className={`badge badge-cr-${state}`}>{CR_STATE_LABELS[state]}</span>;
}

/**
 * An electronic signature form (21 CFR Part 11 §11.50, §11.200): the meaning, the statement, the
 * printed name that will appear under the signature, and the password re-entered for this act.
 */
export function SignatureForm({
  intent,
  meaning,
  printedName,
  contentHash,
  button,
  error,
  children,
}: {
  intent: string;
  meaning: SignatureMeaning;
  printedName: string;
  contentHash: string | null;
  button: string;
  error?: string | null;
  children?: ReactNode;
}) {
  const busy = useNavigation().formData?.get("intent") === intent;
  const location = useLocation();
  const passwordId = `${intent}-password`;
  const password = useRef<HTMLInputElement>(null);
  const result = useActionData<{ intent?: string | null; errors?: Record<string, string> }>();
  // After each refusal of this form (pages with one form may not name it), clear the password and
  // put the focus back in it.
  useEffect(() => {
    const mine = result?.intent === intent || result?.intent === undefined;
    if (mine && result?.errors?.password && password.current) {
      password.current.value = "";
      password.current.focus();
    }
  }, [result, intent]);
  // After a signature succeeds (a redirect back here, so no action data), the form starts empty again.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result === undefined) form.current?.reset();
  }, [location.key, result]);
  return (
    <Form ref={form} method="post" className="signature-form" aria-label={`Sign: ${meaning}`}>
      <input type="hidden" name="intent" value={intent} />
      {/* What the signer is looking at: the server refuses the signature if the content has changed since. */}
      {contentHash ? <input type="hidden" name="contentHash" value={contentHash} /> : null}
      <p className="signature-meaning">
        Signature meaning: <strong>{meaning}</strong>
      </p>
      <p className="signature-statement">{SIGNATURE_STATEMENTS[meaning]}</p>
      {children}
      <dl className="signature-facts">
        <dt>Printed name</dt>
        <dd>{printedName}</dd>
        {contentHash ? (
          <>
            <dt>Content signed</dt>
            <dd className="hash" title={contentHash}>
              sha256 {contentHash.slice(0, 16)}…
            </dd>
          </>
        ) : null}
      </dl>
      <div className={`field${error ? " field-error" : ""}`}>
        <label htmlFor={passwordId}>Your password</label>
        <input
          ref={password}
          id={passwordId}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-describedby={error ? `${passwordId}-error` : undefined}
        />
        {error ? (
          <p className="error" id={`${passwordId}-error`} role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={busy}>
        {busy ? "Signing…" : button}
      </button>
    </Form>
  );
}

/** A signature to show; `standing` is given where signatures can lapse (a change request's). */
export type ShownSignature = Omit<SignatureView, "commit" | "standing"> & { standing?: SignatureStanding };

const STANDING_TEXT = {
  counts: null,
  "content-changed": "Not valid: the content changed after this signature",
  "earlier-round": "Superseded: given in an earlier review round",
} as const;

/** The signature manifestation (Part 11 §11.50): printed name, date and time (UTC), meaning. */
export function SignatureList({ signatures, caption }: { signatures: readonly ShownSignature[]; caption: string }) {
  if (signatures.length === 0) return <p className="muted">No signatures yet.</p>;
  return (
    <table className="data-table signatures">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Meaning</th>
          <th scope="col">Printed name</th>
          <th scope="col">Signed (UTC)</th>
          <th scope="col">Content SHA-256</th>
          <th scope="col">Standing</th>
        </tr>
      </thead>
      <tbody>
        {signatures.map((s) => {
          const note = s.standing ? STANDING_TEXT[s.standing] : null;
          return (
            <tr key={s.id} className={note ? "signature-void" : undefined} data-meaning={s.meaning} data-standing={s.standing ?? "counts"}>
              <td>
                {s.meaning}
                {s.jobFunction ? <span className="muted small"> for {s.jobFunction}</span> : null}
              </td>
              <td>
                {s.printedName} <span className="muted small">({s.username})</span>
              </td>
              <td className="nowrap">
                {s.signedAt
                  .replace("T", " ")
                  .replace(/\.\d{3}Z$/, "Z")
                  .replace("Z", "")}
              </td>
              <td className="mono small" title={s.contentHash}>
                {s.contentHash.slice(0, 12)}…
              </td>
              <td>{note ? <span className="badge badge-void">{note}</span> : <span className="badge badge-effective">Valid</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ProblemList({ problems }: { problems: readonly { line: number; column: number; message: string; rule: string }[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problems" aria-label="Problems in the draft">
      {problems.map((p, i) => (
        <li key={i}>
          <span className="mono">
            {p.line}:{p.column}
          </span>{" "}
          {p.message} <span className="muted small">[{p.rule}]</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * A form that does one thing with a written reason (reject, withdraw, cancel): the server refuses a
 * reason under 5 characters (change-forms.ts), and the field says so first.
 */
export function ReasonForm({
  intent,
  title,
  label,
  button,
  hint,
  error,
}: {
  intent: string;
  title: string;
  label: string;
  button: string;
  hint?: string;
  error?: string;
}) {
  const id = `${intent}-reason`;
  return (
    <Form method="post" className="card stack">
      <h2>{title}</h2>
      <input type="hidden" name="intent" value={intent} />
      <div className={`field${error ? " field-error" : ""}`}>
        <label htmlFor={id}>{label}</label>
        <textarea id={id} name="reason" rows={3} required minLength={5} maxLength={2000} aria-describedby={hint ? `${id}-hint` : undefined} />
        {hint ? (
          <p className="hint" id={`${id}-hint`}>
            {hint}
          </p>
        ) : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <button type="submit" className="danger">
        {button}
      </button>
    </Form>
  );
}
