import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { CopyStatusBadge } from "~/components/copies";
import { quire } from "~/context.server";
import { COPY_STATUSES, COPY_STATUS_LABELS, parseRegisterFilter } from "~/modules/copies/copies";
import { listRegister, registerCounts } from "~/modules/copies/register.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Controlled copy register · Quire" }];

/**
 * GET /copies: the controlled copy register (SOP-DC-001) as it stands today: which copies are out,
 * which must be recalled because their version was superseded or retired, and which were closed.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, "copies.read");
  const q = await quire();
  const { problems, ...filter } = parseRegisterFilter(new URL(request.url).searchParams);
  const on = today(q.config);
  const [rows, all] = await Promise.all([listRegister(q.db, filter, on), listRegister(q.db, { status: null, doc: null }, on)]);
  return json(
    { on, filter, problems, rows, counts: registerCounts(all), total: all.length, canIssue: user.permissions.includes("copies.issue") },
    { status: problems.length > 0 ? 400 : 200 },
  );
}

export default function CopyRegister() {
  const { on, filter, problems, rows, counts, total, canIssue } = useLoaderData<typeof loader>();
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== null)).toString();
  return (
    <section className="copy-register">
      <div className="page-heading">
        <h1>Controlled copy register</h1>
        <p className="muted">
          Numbered controlled copies issued under SOP-DC-001: to whom, where and when, of which version, and whether each was returned or destroyed once its
          version was superseded or retired. Status on <time dateTime={on}>{on}</time>.
          {canIssue ? " Issue copies from a document's page (“Issue controlled copy”)." : null}
        </p>
      </div>
      {problems.length > 0 ? (
        <div className="banner banner-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      {counts["to-recall"] > 0 ? (
        <p className="banner banner-warning" role="status">
          <strong>
            {counts["to-recall"]} controlled {counts["to-recall"] === 1 ? "copy is" : "copies are"} to recall
          </strong>
          : {counts["to-recall"] === 1 ? "its version has" : "their versions have"} been superseded or retired. Retrieve each copy or confirm its destruction
          with the recipient, then record it. <Link to="/copies?status=to-recall">Show the copies to recall</Link>
        </p>
      ) : null}
      <ul className="review-counts plain" aria-label="Copies by status">
        {COPY_STATUSES.map((s) => (
          <li key={s}>
            <Link to={`/copies?status=${s}`}>
              <strong data-count={s}>{counts[s]}</strong> {COPY_STATUS_LABELS[s].toLowerCase()}
            </Link>
          </li>
        ))}
      </ul>
      <Form method="get" className="filters" aria-label="Filter the register">
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">All</option>
            {COPY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {COPY_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Document
          <input name="doc" defaultValue={filter.doc ?? ""} placeholder="e.g. SOP-DM-001" size={14} />
        </label>
        <button type="submit" className="secondary">
          Show
        </button>
        <a href={`/copies.csv${query ? `?${query}` : ""}`} download>
          Download CSV
        </a>
      </Form>
      <p className="muted" aria-live="polite" id="result-count">
        Showing {rows.length} of {total} copies
      </p>
      {rows.length === 0 ? (
        <p>No controlled copy matches.</p>
      ) : (
        <div className="table-scroll">
          <table className="library copies">
            <thead>
              <tr>
                <th scope="col">Copy</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Recipient</th>
                <th scope="col">Location</th>
                <th scope="col">Issued</th>
                <th scope="col">Closed</th>
                <th scope="col">PDF</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.copyId} data-copy={r.copyId} className={r.status === "to-recall" ? "to-recall" : undefined}>
                  <td className="nowrap">
                    <Link to={`/copies/${r.copyId}`}>{r.copyId}</Link>
                  </td>
                  <td className="nowrap">
                    <Link to={`/documents/${r.docId}?version=${r.version}`}>
                      {r.docId} v{r.version}
                    </Link>{" "}
                    <span className="muted small">{r.versionStatus}</span>
                  </td>
                  <td>
                    <CopyStatusBadge status={r.status} />
                  </td>
                  <td>{r.recipient}</td>
                  <td>{r.location}</td>
                  <td className="nowrap">
                    {r.issuedAt.slice(0, 10)} <span className="muted small">by {r.issuedByName}</span>
                  </td>
                  <td className="nowrap">{r.recall ? `${r.recall.outcome} ${r.recall.closedOn}` : "–"}</td>
                  <td>
                    <a href={`/copies/${r.copyId}/pdf`} download aria-label={`Download ${r.copyId}`}>
                      PDF
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
