import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";

import { now } from "~/clock.server";
import { CrStateBadge, ProblemList } from "~/components/change-request";
import { FormMessage } from "~/components/form";
import { withNotice } from "~/components/notices";
import { quire } from "~/context.server";
import { TransitionRefused, assertAllowed } from "~/modules/change-control/change-control";
import { ChangeRequestError, getChangeRequest, readDraft, saveDraft } from "~/modules/change-control/change-control.server";
import { draftTooLarge } from "~/modules/change-control/change-forms";
import { participantOf } from "~/modules/change-control/change-view.server";
import type { Problem } from "~/modules/content/problems";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Edit ${data.cr.docId} (${data.cr.id}) · Quire` : "Not found · Quire" }];

async function editable(request: Request, crId: string) {
  const user = await requireUser(request, "document.author");
  const q = await quire();
  const cr = await getChangeRequest(q.db, crId);
  if (!cr) throw new Response(`There is no change request ${crId}.`, { status: 404, statusText: "Not Found" });
  if (cr.authorId !== user.id) throw new Response(`Only the author of ${crId} edits its draft.`, { status: 403, statusText: "Forbidden" });
  return { user, q, cr };
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const { q, cr } = await editable(request, params.crId ?? "");
  const draft = await readDraft(q, cr);
  let lockedBecause: string | null = null;
  try {
    assertAllowed("save", cr.state);
  } catch (error) {
    lockedBecause = (error as Error).message;
  }
  return json({
    cr: { id: cr.id, docId: cr.docId, title: cr.title, state: cr.state, branch: cr.branch, path: cr.docPath },
    head: draft.head,
    source: draft.source,
    problems: draft.problems.filter((p) => p.path === cr.docPath).map(({ line, column, rule, message }) => ({ line, column, rule, message })),
    quiz: {
      path: draft.quiz.path,
      source: draft.quiz.source ?? "",
      problems: draft.problems.filter((p) => p.path === draft.quiz.path).map(({ line, column, message }) => ({ line, column, message })),
    },
    lockedBecause,
  });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const { user, q, cr } = await editable(request, params.crId ?? "");
  const form = await request.formData();
  const source = String(form.get("source") ?? "");
  const quizField = form.get("quiz");
  const quiz = typeof quizField === "string" ? quizField : undefined;
  const expectedHead = String(form.get("expectedHead") ?? "");
  if (!/^[0-9a-f]{40}$/.test(expectedHead)) {
    return json({ error: "The form lacks the draft's version (expectedHead): reload the editor.", problems: [] as Problem[], source }, { status: 400 });
  }
  // The same limit as the preview: an oversized save would bloat the repository for good.
  const tooLarge = draftTooLarge(source.replace(/\r\n/g, "\n"));
  if (tooLarge) return json({ error: tooLarge, problems: [] as Problem[], source }, { status: 413 });
  try {
    await saveDraft(q, await participantOf(q, user), cr.id, source, expectedHead, now(q.config), quiz);
  } catch (error) {
    if (error instanceof ChangeRequestError || error instanceof TransitionRefused) {
      const stale = /changed since you opened it/.test(error.message);
      return json({ error: error.message, problems: [] as Problem[], source }, { status: stale ? 409 : 400 });
    }
    throw error;
  }
  return redirect(withNotice(`/changes/${cr.id}/edit`, "draft-saved"));
}

interface Preview {
  problems: { line: number; column: number; rule: string; message: string }[];
  html: string | null;
}

/** Moves the caret to a line and column of the textarea and scrolls it into view. */
function goTo(textarea: HTMLTextAreaElement | null, line: number, column: number) {
  if (!textarea) return;
  const lines = textarea.value.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, column - 1);
  textarea.focus();
  textarea.setSelectionRange(offset, offset);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

export default function EditDraft() {
  const { cr, head, source, problems, quiz, lockedBecause } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saving = useNavigation().state === "submitting";
  const preview = useFetcher<Preview>();
  const [text, setText] = useState(result?.source ?? source);
  const [dirty, setDirty] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  // After a save (new head), the loader's source is the saved text.
  useEffect(() => {
    if (!result) {
      setText(source);
      setDirty(false);
    }
  }, [head, source, result]);

  // Live preview: validate and render what is typed, half a second after the last keystroke.
  const submitPreview = preview.submit;
  useEffect(() => {
    const timer = setTimeout(() => submitPreview({ source: text }, { method: "post", action: `/changes/${cr.id}/preview` }), 500);
    return () => clearTimeout(timer);
  }, [text, cr.id, submitPreview]);

  const shown = preview.data?.problems ?? problems;
  // The last preview that rendered, kept (dimmed) while the text has problems.
  const lastGood = useRef<string | null>(null);
  if (preview.data?.html) lastGood.current = preview.data.html;
  const problemLines = new Set(shown.map((p) => p.line));
  const lineCount = text.split("\n").length;
  return (
    <section className="editor-page" data-cr={cr.id}>
      <p className="breadcrumb">
        <Link to="/changes">Change requests</Link> <span aria-hidden="true">/</span> <Link to={`/changes/${cr.id}`}>{cr.id}</Link>{" "}
        <span aria-hidden="true">/</span> Edit
      </p>
      <div className="page-heading heading-row">
        <div>
          <h1>
            Edit {cr.docId} {cr.title}
          </h1>
          <p className="muted small">
            <CrStateBadge state={cr.state} /> Each save is a commit on <span className="mono">{cr.branch}</span> (now at{" "}
            <span className="mono" data-testid="head">
              {head.slice(0, 12)}
            </span>
            ). Authors who prefer git may push to that branch; reload to see their commits.
          </p>
        </div>
      </div>
      {lockedBecause ? <FormMessage error={lockedBecause} /> : null}
      {result?.error ? <FormMessage error={result.error} /> : null}
      {cr.state === "in-review" ? (
        <p className="banner banner-warning" role="status">
          This change is in review: saving a new version of the draft invalidates the signatures given on the current content.
        </p>
      ) : null}
      <Form method="post" className="editor" onChange={() => setDirty(true)}>
        <input type="hidden" name="expectedHead" value={head} />
        <div className="editor-panes">
          <div className="editor-source">
            <label htmlFor="source" className="pane-label">
              MDX source <span className="muted small">{cr.path}</span>
            </label>
            <div className="editor-box">
              <div className="gutter" ref={gutter} aria-hidden="true">
                {Array.from({ length: lineCount }, (_, i) => (
                  <div key={i} className={problemLines.has(i + 1) ? "gutter-line gutter-problem" : "gutter-line"}>
                    {i + 1}
                  </div>
                ))}
              </div>
              <textarea
                id="source"
                name="source"
                ref={textarea}
                value={text}
                spellCheck={false}
                readOnly={lockedBecause !== null}
                onChange={(e) => {
                  setText(e.target.value);
                  setDirty(true);
                }}
                onScroll={(e) => {
                  if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
                }}
                aria-describedby="editor-problems"
              />
            </div>
            <div id="editor-problems" aria-live="polite">
              {shown.length === 0 ? (
                <p className="ok small">No problems: the validator accepts this draft.</p>
              ) : (
                <ul className="problems" aria-label="Problems in the draft">
                  {shown.map((p, i) => (
                    <li key={i}>
                      <button type="button" className="link mono" onClick={() => goTo(textarea.current, p.line, p.column)}>
                        {p.line}:{p.column}
                      </button>{" "}
                      {p.message} <span className="muted small">[{p.rule}]</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
          <div className="editor-preview">
            <p className="pane-label">Preview {preview.state !== "idle" ? <span className="muted small">updating…</span> : null}</p>
            {preview.data && !preview.data.html ? (
              <p className="muted">Fix the problems listed to see the preview{lastGood.current ? "; the last valid text is shown below, dimmed" : ""}.</p>
            ) : null}
            {preview.data?.html || lastGood.current ? (
              <div
                className={`document-body prose${preview.data?.html ? "" : " stale"}`}
                data-testid="preview"
                dangerouslySetInnerHTML={{ __html: preview.data?.html ?? lastGood.current ?? "" }}
              />
            ) : (
              <p className="muted">{preview.data ? null : "The preview appears as you type."}</p>
            )}
          </div>
        </div>
        <details className="quiz-editor" open={quiz.source !== "" || quiz.problems.length > 0}>
          <summary>
            Knowledge check <span className="muted small">{quiz.path} (optional; SOP-TR-001)</span>
          </summary>
          <p className="hint">
            YAML: passMark, maxAttempts and questions (single or multiple choice), approved with this change. See docs/content-format.md. Emptying it removes
            the knowledge check from the document when this change is approved.
          </p>
          <textarea
            id="quiz"
            name="quiz"
            rows={12}
            defaultValue={quiz.source}
            spellCheck={false}
            readOnly={lockedBecause !== null}
            aria-label="Knowledge check (YAML)"
          />
          {quiz.problems.length > 0 ? (
            <ul className="problems" aria-label="Problems in the knowledge check">
              {quiz.problems.map((p, i) => (
                <li key={i}>
                  Line {p.line}, column {p.column}: {p.message}
                </li>
              ))}
            </ul>
          ) : null}
        </details>
        <div className="actions">
          <button type="submit" disabled={saving || lockedBecause !== null}>
            {saving ? "Saving…" : "Save draft"}
          </button>
          <Link to={`/changes/${cr.id}`}>{dirty ? "Leave without saving" : "Back to the change request"}</Link>
        </div>
      </Form>
      {result?.problems && result.problems.length > 0 ? <ProblemList problems={result.problems} /> : null}
    </section>
  );
}
