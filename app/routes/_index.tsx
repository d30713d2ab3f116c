import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { useEffect, useRef } from "react";

import { today } from "~/clock.server";
import { DateInput, isCompleteDate } from "~/components/date-input";
import { StatusBadge } from "~/components/status-badge";
import { quire } from "~/context.server";
import { DOCUMENT_TYPES, TYPE_LABELS } from "~/modules/content/document-types";
import { libraryListing } from "~/modules/documents/library-listing.server";
import { passageParts } from "~/modules/documents/search-passage";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { trainingSummary } from "~/modules/training/my-training.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Document library · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const { on, filter, problems, entries, total } = await libraryListing(q, new URL(request.url).searchParams, today(q.config));
  const jobFunctions = await loadJobFunctions(q.db);
  // Staff land here: what they owe in training comes first (SOP-TR-001).
  const training = user.permissions.includes("training.acknowledge") ? await trainingSummary(q, user.id, today(q.config)) : null;
  return json({ on, entries, total, filter, problems, jobFunctions, training }, { status: problems.length > 0 ? 400 : 200 });
}

/** The library's filters as a query string, for the register's CSV. */
function registerQuery(filter: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `?${query}` : "";
}

export default function Library() {
  const { on, entries, total, filter, problems, jobFunctions, training } = useLoaderData<typeof loader>();
  const submit = useSubmit();
  const search = useRef<HTMLInputElement>(null);
  const names = new Map(jobFunctions.map((j) => [j.id, j.name]));

  // "/" jumps to the search box, as in most document systems.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.key === "/" && !["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <section>
      <div className="page-heading">
        <h1>Document library</h1>
        <p className="muted">
          Controlled documents in force on <time dateTime={on}>{on}</time>.
        </p>
      </div>
      {problems.length > 0 ? (
        <div className="banner banner-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      {training && training.due + training.overdue + training.notices > 0 ? (
        <p className={`banner ${training.overdue > 0 ? "banner-warning" : ""} training-callout`} role="status">
          {training.overdue > 0 ? `${training.overdue} training item${training.overdue === 1 ? " is" : "s are"} overdue. ` : ""}
          {training.due > 0 ? `${training.due} training item${training.due === 1 ? " is" : "s are"} due. ` : ""}
          {training.notices > 0 ? `${training.notices} new notice${training.notices === 1 ? "" : "s"}. ` : ""}
          <Link to="/training">Open My training</Link>
        </p>
      ) : null}
      <Form
        method="get"
        className="filters library-filters"
        role="search"
        aria-label="Filter documents"
        onChange={(e) => {
          // A date is sent once it is whole (or cleared), not at every key while it is typed.
          const field = e.target as HTMLInputElement;
          if (field.name === "on" && !isCompleteDate(field.value)) return;
          submit(e.currentTarget, { replace: true, preventScrollReset: true });
        }}
      >
        <label>
          Search id, title or text
          <input ref={search} type="search" name="q" defaultValue={filter.q ?? ""} placeholder="e.g. SOP-DM-001, monitoring or vendor" aria-keyshortcuts="/" />
        </label>
        <label>
          Type
          <select name="type" defaultValue={filter.type ?? ""}>
            <option value="">All types</option>
            {DOCUMENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Job function
          <select name="fn" defaultValue={filter.fn ?? ""}>
            <option value="">All job functions</option>
            {jobFunctions.map((j) => (
              <option key={j.id} value={j.id}>
                {j.name}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor="in-force-on">
          In force on
          <DateInput id="in-force-on" name="on" defaultValue={filter.on ?? ""} />
        </label>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </Form>
      <p className="muted" aria-live="polite" id="result-count">
        Showing {entries.length} of {total} documents ·{" "}
        <a href={`/documents.csv${registerQuery(filter)}`} download>
          Download the register (CSV)
        </a>
      </p>
      {/* The table scrolls sideways in its own box on a phone; the page itself never does (issue 13). */}
      <div className="library-scroll">
        <table className="library">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Title</th>
              <th scope="col">Type</th>
              <th scope="col">Owner</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Effective</th>
              <th scope="col">Next review</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-doc-id={e.id}>
                <td className="nowrap">
                  <Link to={`/documents/${e.id}${filter.on ? `?on=${filter.on}` : ""}`}>{e.id}</Link>
                </td>
                <td>
                  <Link to={`/documents/${e.id}${filter.on ? `?on=${filter.on}` : ""}`} tabIndex={-1}>
                    {e.title}
                  </Link>
                  {e.upcoming ? (
                    <span className="muted small">
                      {" "}
                      · v{e.upcoming.version} effective {e.upcoming.effectiveFrom}
                    </span>
                  ) : null}
                  {e.passage ? (
                    <p className="search-passage small">
                      {passageParts(e.passage).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
                    </p>
                  ) : null}
                </td>
                <td>{TYPE_LABELS[e.type]}</td>
                <td>{names.get(e.owner) ?? e.owner}</td>
                <td>{e.version ?? "–"}</td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td className="nowrap">{e.effectiveFrom ?? "–"}</td>
                <td className={`nowrap${e.nextReview && e.nextReview < on ? " overdue" : ""}`}>
                  {e.nextReview ?? "–"}
                  {/* Overdue is said in words as well as colour (WCAG 1.4.1). */}
                  {e.nextReview && e.nextReview < on ? <span className="small"> overdue</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {entries.length === 0 ? <p>No document matches these filters.</p> : null}
    </section>
  );
}
