import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";

import { today } from "~/clock.server";
import { quire } from "~/context.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import {
  REVIEW_DUE_WINDOW_DAYS,
  REVIEW_FILTERS,
  REVIEW_STATUS_LABELS,
  countReviews,
  filterReviews,
  type ReviewFilter,
  type ReviewStatus,
} from "~/modules/documents/periodic-review";
import { reviewsDue } from "~/modules/documents/periodic-review.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Periodic reviews · Quire" }];

const FilterSchema = z.object({ status: z.enum(REVIEW_FILTERS).catch("due-or-overdue") });

const FILTER_LABELS: Record<ReviewFilter, string> = {
  "due-or-overdue": "Due and overdue",
  overdue: "Overdue only",
  due: "Due only",
  all: "All documents in force",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const on = today(q.config);
  const { status } = FilterSchema.parse({ status: new URL(request.url).searchParams.get("status") ?? undefined });
  const [all, jobFunctions] = await Promise.all([reviewsDue(q, on), loadJobFunctions(q.db)]);
  const names = new Map(jobFunctions.map((j) => [j.id, j.name]));
  return json({
    on,
    status,
    counts: countReviews(all),
    total: all.length,
    entries: filterReviews(all, status).map((e) => ({ ...e, owner: names.get(e.owner) ?? e.owner })),
    canReview: user.permissions.includes("document.approve"),
  });
}

function daysText(daysLeft: number): string {
  if (daysLeft === 0) return "due today";
  const n = Math.abs(daysLeft);
  return daysLeft < 0 ? `${n} day${n === 1 ? "" : "s"} overdue` : `${n} day${n === 1 ? "" : "s"} left`;
}

function ReviewBadge({ status }: { status: ReviewStatus }) {
  return <span className={`badge badge-review-${status}`}>{REVIEW_STATUS_LABELS[status]}</span>;
}

export default function PeriodicReviews() {
  const { on, status, counts, total, entries, canReview } = useLoaderData<typeof loader>();
  return (
    <section>
      <div className="page-heading">
        <h1>Periodic reviews</h1>
        <p className="muted">
          Every document in force is reviewed within its review interval. The next review falls the interval after the later of the day its current version
          became effective and its last signed &ldquo;no change needed&rdquo; review. A review is <strong>due</strong> from {REVIEW_DUE_WINDOW_DAYS} days before
          its date (SOP-DC-001) and <strong>overdue</strong> once the date has passed. Status on <time dateTime={on}>{on}</time>.
        </p>
      </div>
      <ul className="review-counts plain" aria-label="Reviews by status">
        <li>
          <Link to="/reviews?status=overdue">
            <strong data-count="overdue">{counts.overdue}</strong> overdue
          </Link>
        </li>
        <li>
          <Link to="/reviews?status=due">
            <strong data-count="due">{counts.due}</strong> due within {REVIEW_DUE_WINDOW_DAYS} days
          </Link>
        </li>
        <li>
          <Link to="/reviews?status=all">
            <strong data-count="scheduled">{counts.scheduled}</strong> not yet due
          </Link>
        </li>
      </ul>
      <Form method="get" className="filters" aria-label="Filter reviews">
        <label>
          Show
          <select name="status" defaultValue={status}>
            {REVIEW_FILTERS.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABELS[f]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary">
          Show
        </button>
      </Form>
      <p className="muted" aria-live="polite" id="result-count">
        Showing {entries.length} of {total} documents in force ({FILTER_LABELS[status].toLowerCase()})
      </p>
      {entries.length === 0 ? (
        <p>{status === "all" ? "No document is in force." : "No document needs its periodic review now."}</p>
      ) : (
        <table className="library reviews">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Title</th>
              <th scope="col">Type</th>
              <th scope="col">Owner</th>
              <th scope="col">Version</th>
              <th scope="col">Last reviewed</th>
              <th scope="col">Next review</th>
              <th scope="col">Status</th>
              {canReview ? (
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.docId} data-doc-id={e.docId} data-status={e.status}>
                <td className="nowrap">
                  <Link to={`/documents/${e.docId}`}>{e.docId}</Link>
                </td>
                <td>{e.title}</td>
                <td>{TYPE_LABELS[e.type]}</td>
                <td>{e.owner}</td>
                <td>
                  {e.version} <span className="muted small">since {e.effectiveFrom}</span>
                </td>
                <td className="nowrap">{e.lastReviewedOn ?? "–"}</td>
                <td className={`nowrap${e.status === "overdue" ? " overdue" : ""}`}>
                  {e.nextReview}
                  <br />
                  <span className="small">{daysText(e.daysLeft)}</span>
                </td>
                <td>
                  <ReviewBadge status={e.status} />
                </td>
                {canReview ? (
                  <td className="nowrap">
                    <Link to={`/documents/${e.docId}/review`}>Review</Link>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
