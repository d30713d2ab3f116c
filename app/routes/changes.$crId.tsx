import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";

import { now, today } from "~/clock.server";
import { CrStateBadge, ProblemList, ReasonForm, SignatureForm, SignatureList } from "~/components/change-request";
import { DateInput } from "~/components/date-input";
import { ChoiceList, Field, FormMessage, fieldErrors } from "~/components/form";
import { withNotice, type NoticeKey } from "~/components/notices";
import { RedlineView } from "~/components/redline";
import { utcMinuteLabel } from "~/components/time";
import { quire } from "~/context.server";
import type { Quire } from "~/context.server";
import { TransitionRefused } from "~/modules/change-control/change-control";
import {
  ChangeRequestError,
  addComment,
  approveChange,
  getChangeRequest,
  rejectChange,
  resolveComment,
  setReviewers,
  signFunctionApproval,
  signReview,
  submitForReview,
  withdrawChange,
} from "~/modules/change-control/change-control.server";
import { ChangeActionForm, INTENT_PERMISSION, isChangeIntent, type ChangeAction } from "~/modules/change-control/change-forms";
import { changeRequestPage, participantOf } from "~/modules/change-control/change-view.server";
import { COMMENT_OUTCOMES, OUTCOME_LABELS } from "~/modules/change-control/comments";
import type { Problem } from "~/modules/content/problems";
import { unlessContentRefused } from "~/modules/content/render.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import type { TrainingImpact } from "~/modules/training/impact";
import { type CurrentUser } from "~/modules/users/auth.server";
import { permissionsOf, readsDrafts } from "~/modules/users/permissions";
import { formValues } from "~/modules/users/user-forms";
import { listUsers } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.cr.id} ${data.cr.docId} · Change requests · Quire` : "Change request not found · Quire" },
];

function notFound(id: string): Response {
  return new Response(`There is no change request ${id}.`, { status: 404, statusText: "Not Found" });
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const id = params.crId ?? "";
  // A withdrawal request has no draft: its page shows the version it ends and its approvals.
  if ((await getChangeRequest(q.db, id))?.kind === "withdrawal") throw redirect(`/changes/${id}/withdrawal`);
  // The redline renders the version the draft started from, which the renderer checks again (issue 9).
  const page = await unlessContentRefused(`The text change request ${id} starts from`, changeRequestPage(q, id, user));
  if (!page) throw notFound(id);
  // An approved change is the record of a version; anything else is unapproved text (SOP-DC-001).
  if (page.cr.state !== "approved" && !readsDrafts(user.permissions)) {
    throw new Response(`${id} is not approved: drafts are read only by authors, reviewers, approvers and inspectors.`, {
      status: 403,
      statusText: "Forbidden",
    });
  }
  // Who the author may name as reviewers (active, allowed to review, not the author).
  const candidates = page.actions.includes("save")
    ? (await listUsers(q.db))
        .filter((u) => u.active && u.id !== page.cr.authorId && permissionsOf(u.roles).has("document.review"))
        .map((u) => ({ value: u.id, label: u.displayName, description: u.username }))
    : [];
  return json({ ...page, candidates, today: today(q.config), printedName: user.displayName });
}

interface ActionResult {
  intent: string | null;
  errors: Record<string, string>;
  problems: Problem[];
}

function refused(intent: string | null, errors: Record<string, string>, status = 400, problems: Problem[] = []) {
  return json<ActionResult>({ intent, errors, problems }, { status });
}

/** Runs one action; returns the notice to show after the redirect. */
async function perform(q: Quire, user: CurrentUser, crId: string, form: ChangeAction, trainingChoices: Record<string, string>): Promise<NoticeKey> {
  const at = now(q.config);
  const me = await participantOf(q, user);
  switch (form.intent) {
    case "submit":
      await verifySigner(q, user, form.password);
      await submitForReview(q, me, crId, at, form.contentHash);
      return "cr-submitted";
    case "review":
      await verifySigner(q, user, form.password);
      await signReview(q, me, crId, at, form.contentHash);
      return "cr-reviewed";
    case "approve":
      await verifySigner(q, user, form.password);
      await approveChange(q, me, crId, form.effectiveDate, at, form.contentHash, trainingChoices, form.urgentJustification ?? null);
      return "cr-approved";
    case "function-approve":
      await verifySigner(q, user, form.password);
      await signFunctionApproval(q, me, crId, at, form.contentHash);
      return "cr-function-approved";
    case "reject":
      await rejectChange(q, me, crId, form.reason, at);
      return "cr-rejected";
    case "withdraw":
      await withdrawChange(q, me, crId, form.reason, at);
      return "cr-withdrawn";
    case "comment":
      await addComment(q, me, crId, form.body, at, form.section || null);
      return "cr-commented";
    case "resolve":
      await resolveComment(q, me, crId, form.commentId, form.outcome, form.note, at);
      return "cr-comment-resolved";
    case "reviewers":
      await setReviewers(q, me, crId, form.reviewerIds, form.reason, at);
      return "cr-reviewers";
  }
}

export async function action({ params, request }: ActionFunctionArgs) {
  const values = formValues(await request.formData(), ["reviewerIds"]);
  const intent = isChangeIntent(values.intent) ? values.intent : null;
  const user = await requireUser(request, intent ? INTENT_PERMISSION[intent] : "document.read");
  const q = await quire();
  const crId = params.crId ?? "";
  const cr = await getChangeRequest(q.db, crId);
  if (!cr) throw notFound(crId);
  const parsed = ChangeActionForm.safeParse(values);
  if (!parsed.success) return refused(intent, fieldErrors(parsed.error));
  const form = parsed.data;
  // Who may act on this change (beyond holding the permission): reviewers named on it, or approvers.
  const participant = cr.authorId === user.id || cr.reviewerIds.includes(user.id) || user.permissions.includes("document.approve");
  if ((form.intent === "comment" || form.intent === "reject") && !participant) {
    return refused(form.intent, { form: "Only the author, the named reviewers and quality approvers take part in this change request." }, 403);
  }
  try {
    // The approver's training decisions: impact.<job function> = retrain | notify | none.
    const trainingChoices = Object.fromEntries(
      Object.entries(values).flatMap(([k, v]) => (k.startsWith("impact.") && typeof v === "string" ? [[k.slice("impact.".length), v]] : [])),
    );
    const notice = await perform(q, user, crId, form, trainingChoices);
    return redirect(withNotice(`/changes/${crId}`, notice));
  } catch (error) {
    if (error instanceof SignaturePasswordRefused) return refused(form.intent, { password: error.message });
    if (error instanceof TransitionRefused) return refused(form.intent, { form: error.message }, 409);
    if (error instanceof ChangeRequestError) return refused(form.intent, { [error.field ?? "form"]: error.message }, 400, error.problems);
    throw error;
  }
}

const DECISION_LABELS = { retrain: "Retrain (read and sign)", notify: "Notify only", none: "No training" } as const;

/** The training Quire proposes per job function from the changed sections; the approver confirms or changes it. */
function TrainingImpactFields({ impact, major, error }: { impact: TrainingImpact; major: boolean; error: string | null | undefined }) {
  return (
    <fieldset className="field training-impact" aria-describedby={error ? "impact-error" : undefined}>
      <legend>Training impact</legend>
      <p className="hint">
        {impact.changed.length === 0
          ? "No section changed."
          : `Changed: ${impact.changed.map((c) => `${c.title}${c.kind === "changed" ? "" : ` (${c.kind})`}`).join("; ")}.`}{" "}
        {major ? "A major revision retrains everyone in the audience." : "Quire proposes retraining for the job functions named in what changed."}
      </p>
      {error ? (
        <p className="error" id="impact-error" role="alert">
          {error}
        </p>
      ) : null}
      <table className="data-table compact">
        <tbody>
          {Object.entries(impact.proposal).map(([fn, proposed]) => (
            <tr key={fn} data-fn={fn}>
              <th scope="row">
                <label htmlFor={`impact-${fn}`}>{fn}</label>
              </th>
              <td>
                <select id={`impact-${fn}`} name={`impact.${fn}`} defaultValue={proposed} disabled={major}>
                  {(["retrain", "notify", "none"] as const).map((d) => (
                    <option key={d} value={d}>
                      {DECISION_LABELS[d]}
                    </option>
                  ))}
                </select>
              </td>
              <td className="small muted">{impact.reasons[fn]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </fieldset>
  );
}

export default function ChangeRequestView() {
  const {
    cr,
    authorName,
    reviewers,
    draft,
    redline,
    signatures,
    blockers,
    comments,
    actions,
    candidates,
    today: on,
    printedName,
    trainingImpact,
    route,
    functionApproval,
    sections,
    draftHtml,
  } = useLoaderData<typeof loader>();
  const isAuthor = actions.includes("save" as never);
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errorFor = (intent: string, field: string) => (result?.intent === intent ? result.errors[field] : undefined);
  const can = (a: string) => actions.includes(a as never);
  const open = cr.state === "draft" || cr.state === "in-review";
  return (
    <section className="change-request" data-cr={cr.id} data-state={cr.state} data-content-hash={draft.contentHash}>
      <p className="breadcrumb">
        <Link to="/changes">Change requests</Link> <span aria-hidden="true">/</span> {cr.id}
      </p>
      <div className="page-heading heading-row">
        <div>
          <p className="doc-kicker">
            {cr.id} · {cr.newDocument ? "new document" : "revision"} · v{cr.targetVersion}
          </p>
          <h1>
            {cr.docId} {cr.title}
          </h1>
          <p>
            <CrStateBadge state={cr.state} />
          </p>
        </div>
        {can("save") ? (
          <Link to={`/changes/${cr.id}/edit`} className="button">
            Edit the draft
          </Link>
        ) : null}
      </div>
      {result?.errors.form ? <FormMessage error={result.errors.form} /> : null}
      {result?.problems && result.problems.length > 0 ? <ProblemList problems={result.problems} /> : null}
      <div className="cr-layout">
        <div className="cr-main stack">
          <dl className="facts">
            <dt>Reason for change</dt>
            <dd>{cr.reason}</dd>
            <dt>Revision</dt>
            <dd>
              {cr.revision === "major" ? "Major" : "Minor"}, to version {cr.targetVersion}
            </dd>
            <dt>Retraining</dt>
            <dd>{cr.retrainingRequired ? "Required: the audience must read and sign the new version" : "Not required"}</dd>
            <dt>Proposed effective date</dt>
            <dd>{cr.proposedEffectiveDate}</dd>
            {cr.capaRef ? (
              <>
                <dt>CAPA / deviation</dt>
                <dd>{cr.capaRef}</dd>
              </>
            ) : null}
            <dt>Author</dt>
            <dd>{authorName}</dd>
            <dt>Reviewers</dt>
            <dd>
              <ul className="plain">
                {reviewers.map((r) => (
                  <li key={r.id}>
                    {r.name} {r.signed ? <span className="badge badge-effective">signed</span> : <span className="badge badge-pending">not signed</span>}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>Draft</dt>
            <dd className="mono small">
              branch {cr.branch} at {draft.head.slice(0, 12)}, sha256 {draft.contentHash.slice(0, 12)}…
            </dd>
            <dt>Opened</dt>
            <dd>{utcMinuteLabel(cr.createdAt)}</dd>
            {cr.approvedCommit ? (
              <>
                <dt>Approved as</dt>
                <dd>
                  <Link to={`/documents/${cr.docId}?version=${cr.targetVersion}`}>
                    {cr.docId} v{cr.targetVersion}
                  </Link>{" "}
                  <span className="mono small">commit {cr.approvedCommit.slice(0, 12)}</span>
                </dd>
              </>
            ) : null}
          </dl>

          {draft.problems.length > 0 ? (
            <div className="banner banner-warning" role="status">
              The draft has {draft.problems.length} problem(s); it cannot be submitted or approved until they are fixed.
              <ProblemList problems={draft.problems} />
            </div>
          ) : null}

          <h2>Approval route</h2>
          <ol className="approval-route" data-testid="approval-route">
            {route.steps.map((s) => (
              <li key={s.jobFunction} data-step={s.jobFunction} data-signed={s.signedBy ? "yes" : "no"}>
                <strong>{s.name}</strong> {s.final ? <span className="muted small">(final approval: makes the version)</span> : null}{" "}
                {s.signedBy ? (
                  <span className="badge badge-effective">
                    signed by {s.signedBy}
                    {s.signedAt ? `, ${utcMinuteLabel(s.signedAt)}` : ""}
                  </span>
                ) : (
                  <span className="badge badge-pending">not signed</span>
                )}
              </li>
            ))}
          </ol>
          <p className="muted small">
            Reviews first, then each approval in this order (SOP-DC-001, "Assign the number and version").{" "}
            {cr.urgentJustification ? `Urgent change: ${cr.urgentJustification}` : null}
          </p>

          <h2>Signatures</h2>
          <SignatureList signatures={signatures} caption="Electronic signatures on this change (each bound to the SHA-256 of the content signed)" />
          {cr.state === "in-review" && blockers.length > 0 ? (
            <div className="banner banner-info" role="status">
              Before approval: {blockers.join(" ")}
            </div>
          ) : null}

          <div className="draft-compare">
            {draftHtml ? (
              <section className="draft-reading" aria-labelledby="draft-reading-title">
                <h2 id="draft-reading-title">The draft as it will read</h2>
                <p className="muted small">Not approved: a draft must not be used to perform work (SOP-DC-001).</p>
                <div className="draft-copy" data-watermark="DRAFT">
                  <article className="document-body" aria-label={`Draft of ${cr.docId} v${cr.targetVersion}`} dangerouslySetInnerHTML={{ __html: draftHtml }} />
                </div>
              </section>
            ) : null}
            <section className="draft-changes">
              <h2>{cr.newDocument ? "Draft content" : "Changes against the approved version"}</h2>
              {redline ? (
                <>
                  <p className="muted small">
                    <ins>Inserted</ins> and <del>deleted</del> words: {redline.stats.addedWords} inserted, {redline.stats.removedWords} deleted, in{" "}
                    {redline.stats.places} {redline.stats.places === 1 ? "place" : "places"}. Unchanged passages are folded: open them to read the whole text.
                  </p>
                  <RedlineView redline={redline} />
                </>
              ) : (
                <p className="muted">The draft cannot be shown until its problems are fixed.</p>
              )}
            </section>
          </div>

          <h2>Review comments</h2>
          {comments.length === 0 ? <p className="muted">No comments yet.</p> : null}
          {comments.some((c) => c.open) ? (
            <p className="banner banner-info" role="status" data-testid="open-comments">
              {comments.filter((c) => c.open).length} comment(s) to resolve: the author changes the text or records why no change is needed, and approval waits
              until every comment is resolved (SOP-DC-001).
            </p>
          ) : null}
          <ol className="plain comments">
            {comments.map((c) => (
              <li key={c.id} className={`comment comment-${c.kind}`} data-comment={c.id} data-open={c.open ? "yes" : "no"}>
                <p className="small muted">
                  {c.author} · {utcMinuteLabel(c.at)}
                  {c.kind !== "comment" ? <strong> · {c.kind === "rejection" ? "Rejected" : "Withdrawn"}</strong> : null}
                  {c.section ? <span> · on “{c.section}”</span> : null}
                  {c.commit ? <span className="mono"> · draft {c.commit.slice(0, 8)}</span> : null}
                  {c.open ? <span className="badge badge-pending">Open</span> : null}
                  {c.resolution ? <span className="badge badge-effective">Resolved</span> : null}
                </p>
                <p>{c.body}</p>
                {c.resolution ? (
                  <p className="comment-resolution small">
                    <strong>{OUTCOME_LABELS[c.resolution.outcome]}</strong> · {c.resolution.by}, {utcMinuteLabel(c.resolution.at)}: {c.resolution.note}
                  </p>
                ) : null}
                {c.open && isAuthor ? (
                  <Form method="post" className="stack resolve-form" aria-label={`Resolve comment ${c.id}`}>
                    <input type="hidden" name="intent" value="resolve" />
                    <input type="hidden" name="commentId" value={c.id} />
                    <fieldset className="field">
                      <legend>Resolution</legend>
                      {COMMENT_OUTCOMES.map((o) => (
                        <label key={o} className="choice">
                          <input type="radio" name="outcome" value={o} required /> {OUTCOME_LABELS[o]}
                        </label>
                      ))}
                    </fieldset>
                    <Field
                      label="What changed, or why no change is needed"
                      name={`note-${c.id}`}
                      error={result?.intent === "resolve" ? (result.errors.note ?? result.errors.outcome) : undefined}
                    >
                      <textarea id={`note-${c.id}`} name="note" rows={2} required />
                    </Field>
                    <button type="submit" className="secondary" disabled={busy}>
                      Resolve comment
                    </button>
                  </Form>
                ) : null}
              </li>
            ))}
          </ol>
          {can("comment") ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="comment" />
              <Field label="Section" name="section" error={errorFor("comment", "section")} hint="The heading or step your comment is about.">
                <select id="section" name="section" defaultValue="">
                  <option value="">The whole draft</option>
                  {sections.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Add a comment" name="body" error={errorFor("comment", "body")}>
                <textarea id="body" name="body" rows={3} required />
              </Field>
              <button type="submit" className="secondary" disabled={busy}>
                Add comment
              </button>
            </Form>
          ) : null}
        </div>

        <aside className="cr-actions stack" aria-label="Actions">
          {!open ? <p className="muted">This change request is {cr.state === "approved" ? "approved" : cr.state}: nothing more can be signed on it.</p> : null}
          {open && actions.length === 0 ? <p className="muted">You have no action on this change request.</p> : null}
          {can("submit") ? (
            <div className="card">
              <h2>Submit for review</h2>
              <SignatureForm
                intent="submit"
                meaning="Authored"
                printedName={printedName}
                contentHash={draft.contentHash}
                button="Sign and submit"
                error={errorFor("submit", "password")}
              />
            </div>
          ) : null}
          {can("review") ? (
            <div className="card">
              <h2>Review</h2>
              <SignatureForm
                intent="review"
                meaning="Reviewed"
                printedName={printedName}
                contentHash={draft.contentHash}
                button="Sign as reviewed"
                error={errorFor("review", "password")}
              />
            </div>
          ) : null}
          {functionApproval ? (
            <div className="card">
              <h2>Approve for {functionApproval.name}</h2>
              <SignatureForm
                intent="function-approve"
                meaning="Function approval"
                printedName={printedName}
                contentHash={draft.contentHash}
                button={`Sign the ${functionApproval.name} approval`}
                error={errorFor("function-approve", "password")}
              />
            </div>
          ) : null}
          {can("approve") ? (
            <div className="card">
              <h2>Final approval</h2>
              <SignatureForm
                intent="approve"
                meaning="Approved"
                printedName={printedName}
                contentHash={draft.contentHash}
                button="Sign and approve"
                error={errorFor("approve", "password")}
              >
                <Field
                  label="Effective date"
                  name="effectiveDate"
                  error={errorFor("approve", "effectiveDate")}
                  hint={`${route.earliestEffectiveDate} or later leaves ${route.minimumTrainingWorkingDays} working days for training (SOP-DC-001); the previous version is superseded that day.`}
                >
                  <DateInput
                    id="effectiveDate"
                    name="effectiveDate"
                    min={on}
                    defaultValue={cr.proposedEffectiveDate < route.earliestEffectiveDate ? route.earliestEffectiveDate : cr.proposedEffectiveDate}
                    required
                  />
                </Field>
                <Field
                  label="Urgent change: why the training period may be shorter"
                  name="urgentJustification"
                  error={errorFor("approve", "urgentJustification")}
                  hint="For example participant safety or a critical audit finding. Recorded in the change request, the version's commit and the audit trail."
                >
                  <textarea id="urgentJustification" name="urgentJustification" rows={2} />
                </Field>
                {trainingImpact ? <TrainingImpactFields impact={trainingImpact} major={cr.revision === "major"} error={errorFor("approve", "impact")} /> : null}
              </SignatureForm>
            </div>
          ) : null}
          {can("reject") ? (
            <ReasonForm intent="reject" title="Reject" label="Reason for rejection" button="Reject: back to Draft" error={errorFor("reject", "reason")} />
          ) : null}
          {can("save") ? (
            <Form method="post" className="card stack">
              <h2>Reviewers</h2>
              <input type="hidden" name="intent" value="reviewers" />
              <ChoiceList
                legend="Named reviewers"
                name="reviewerIds"
                choices={candidates}
                checked={reviewers.map((r) => r.id)}
                error={errorFor("reviewers", "reviewerIds")}
                hint="A reviewer added now must sign before approval; one removed no longer blocks it."
              />
              <Field label="Reason for the change" name="reviewers-reason" error={errorFor("reviewers", "reason")}>
                <input id="reviewers-reason" name="reason" required />
              </Field>
              <button type="submit" className="secondary">
                Change reviewers
              </button>
            </Form>
          ) : null}
          {can("withdraw") ? (
            <ReasonForm
              intent="withdraw"
              title="Withdraw"
              label="Reason for withdrawing"
              button="Withdraw the change request"
              error={errorFor("withdraw", "reason")}
            />
          ) : null}
        </aside>
      </div>
    </section>
  );
}
