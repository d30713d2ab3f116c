import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import type { FormEvent } from "react";

import { now } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { utcMinuteLabel } from "~/components/time";
import { quire } from "~/context.server";
import { auditQueryString, parseAuditQuery, type AuditFilter } from "~/modules/audit/audit-filter";
import { rowReason, shownValues, type RowReason, type ShownField, type ShownValue } from "~/modules/audit/audit-values";
import { auditFilterOptions, checkAuditChain, queryAudit, type ChainCheck } from "~/modules/audit/audit.server";
import { checkNewestAnchor, type AnchorCheck } from "~/modules/integrity/anchor.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Audit trail · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "audit.read");
  const q = await quire();
  const { filter, page, ignored } = parseAuditQuery(new URL(request.url).searchParams);
  // A filter value that is not valid is named on the page and answered 400, as the export refuses it.
  const invalid = ignored.length > 0;
  // The chain is verified since the last checkpoint only (Part 11 §11.10(e)); the page says so.
  const [result, options, chain, anchor] = await Promise.all([
    queryAudit(q.db, filter, page),
    auditFilterOptions(q.db),
    checkAuditChain(q.db, now(q.config)),
    // The checkpoint rests on git too: the newest audit head anchored there must still match (docs/decisions/008).
    checkNewestAnchor(q.db, q.repo),
  ]);
  if (page > result.pageCount) {
    ignored.push(`There ${result.pageCount === 1 ? "is only 1 page" : `are only ${result.pageCount} pages`} for these filters; showing the last.`);
  }
  return json({ filter, ignored, options, chain, anchor, ...result }, { status: invalid ? 400 : 200 });
}

export default function AuditTrail() {
  const { filter, ignored, options, chain, anchor, rows, total, page, pageCount, pageSize } = useLoaderData<typeof loader>();
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const submit = useSubmit();
  // Leave empty fields out of the URL, so a filtered view has a short link worth sharing. Without
  // JavaScript the browser sends them all, and the loader ignores the empty ones.
  const applyFilters = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === "string" && v.trim() !== "") params.set(k, v.trim());
    submit(params, { method: "get", action: "/audit" });
  };
  return (
    <section className="audit">
      <div className="page-heading">
        <h1>Audit trail</h1>
        <p className="muted">Every change and security event, as recorded: append-only and hash-chained. Times are UTC.</p>
      </div>

      <ChainStatus check={chain} />
      <AnchorStatus check={anchor} />

      {ignored.length > 0 ? (
        <ul className="banner banner-warning plain notices" role="status">
          {ignored.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}

      <Form method="get" className="filters audit-filters" role="search" aria-label="Filter the audit trail" onSubmit={applyFilters}>
        <FilterSelect label="User" name="user" value={filter.user} values={options.users} all="All users" />
        <FilterSelect label="Action" name="action" value={filter.action} values={options.actions} all="All actions" groups />
        <FilterSelect label="Object type" name="objectType" value={filter.objectType} values={options.objectTypes} all="All types" />
        <div className="filter-field">
          <label htmlFor="audit-objectId">Object id</label>
          <input id="audit-objectId" name="objectId" defaultValue={filter.objectId ?? ""} placeholder="e.g. SOP-DM-001" maxLength={200} />
        </div>
        <div className="filter-field">
          <label htmlFor="audit-doc">Document</label>
          <input id="audit-doc" name="doc" defaultValue={filter.doc ?? ""} placeholder="e.g. SOP-CM-001" maxLength={40} aria-describedby="audit-doc-help" />
          <span id="audit-doc-help" className="visually-hidden">
            Every event about the document: its versions, change requests, signatures, training and copies.
          </span>
        </div>
        <div className="filter-field">
          <label htmlFor="audit-from">From (UTC)</label>
          <DateInput id="audit-from" name="from" defaultValue={filter.from ?? ""} />
        </div>
        <div className="filter-field">
          <label htmlFor="audit-to">To (UTC)</label>
          <DateInput id="audit-to" name="to" defaultValue={filter.to ?? ""} />
        </div>
        <div className="filter-actions">
          <button type="submit">Apply filters</button>
          {filtered ? <Link to="/audit">Clear</Link> : null}
        </div>
      </Form>

      <div className="result-bar">
        <p id="result-count" aria-live="polite">
          <strong>{total.toLocaleString("en")}</strong> matching {total === 1 ? "event" : "events"}
          {total > 0 ? (
            <span className="muted">
              {" "}
              · showing {first}–{last}, newest first
            </span>
          ) : null}
        </p>
        <p className="export">
          <span className="muted small">All matching rows, with their hashes; the export is itself recorded.</span>
          <a className="button secondary" href={`/audit.csv${auditQueryString(filter)}`} download>
            Export CSV
          </a>
        </p>
      </div>

      {rows.length === 0 ? (
        <p className="card">No audit event matches these filters.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table audit-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Time (UTC)</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Old values</th>
                <th scope="col">New values</th>
                <th scope="col">Reason</th>
                <th scope="col">Client address</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const reason = rowReason(r);
                // A reason recorded in the values is shown once, in the Reason column, which says where it is.
                const lifted = (column: "old_values" | "new_values") => (reason && reason.source.column === column ? reason.source.key : null);
                return (
                  <tr key={r.seq} data-seq={r.seq}>
                    <td className="num" title={`sha256 ${r.hash}`}>
                      {r.seq}
                    </td>
                    <td className="nowrap">
                      <time dateTime={r.at}>
                        {r.at.slice(0, 10)} {r.at.slice(11, 19)}
                      </time>
                    </td>
                    <td title={r.user_id ?? undefined}>{r.username ?? <span className="muted">–</span>}</td>
                    <td>
                      <span className="action">{r.action}</span>
                    </td>
                    <td className="object">
                      <span className="object-type">{r.object_type}</span>
                      {r.object_id !== null ? <span className="object-id">{r.object_id}</span> : null}
                    </td>
                    <td>
                      <Values fields={shownValues(r.old_values, lifted("old_values"))} />
                    </td>
                    <td>
                      <Values fields={shownValues(r.new_values, lifted("new_values"))} />
                    </td>
                    <td className="reason">
                      <Reason reason={reason} />
                    </td>
                    <td className="mono nowrap">{r.client_address ?? <span className="muted">–</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {pageCount > 1 ? <Pager filter={filter} page={page} pageCount={pageCount} /> : null}
    </section>
  );
}

/** What the page checked, so a reviewer can tell a check since a checkpoint from a full one. */
function CheckedScope({ check }: { check: ChainCheck }) {
  const { verdict, checkpoint } = check;
  if (!checkpoint) return <>All rows were verified now, from row 1.</>;
  const k = checkpoint.seq;
  const before = (
    <>
      Rows 1–{k.toLocaleString("en")} were verified in full on {utcMinuteLabel(checkpoint.verifiedAt)} (checkpoint at row {k.toLocaleString("en")})
    </>
  );
  if (!verdict.ok)
    return (
      <>
        {before}; this view checked row {k.toLocaleString("en")} and the rows after it.
      </>
    );
  const since =
    verdict.headSeq > k
      ? `rows ${(k + 1).toLocaleString("en")}–${verdict.headSeq.toLocaleString("en")} since checkpoint ${k.toLocaleString("en")} verified now`
      : `no rows since checkpoint ${k.toLocaleString("en")}`;
  return (
    <>
      {before} and its row still matches it; {since}.
    </>
  );
}

function ChainStatus({ check }: { check: ChainCheck }) {
  const { verdict } = check;
  if (verdict.ok) {
    return (
      <div className="banner banner-success chain-status" role="status">
        <p>
          <strong>Chain intact:</strong> {verdict.headSeq === 0 ? "no rows yet" : `rows 1–${verdict.headSeq.toLocaleString("en")}`}, head sha256{" "}
          <code className="mono">{verdict.head}</code>
        </p>
        <p className="small">
          <CheckedScope check={check} /> <code>npx quire audit verify</code> re-verifies every row.
        </p>
      </div>
    );
  }
  return (
    <div className="banner banner-error chain-status" role="alert">
      <p>
        <strong>
          Chain broken at row {verdict.seq} ({verdict.problem}):
        </strong>{" "}
        {verdict.message}.
      </p>
      <p className="small">
        Rows from {verdict.seq} on cannot be relied upon until the break is investigated. Report it to the quality manager; <code>npx quire audit verify</code>{" "}
        on the server re-verifies every row. <CheckedScope check={check} />
      </p>
    </div>
  );
}

/** The newest audit head anchored in git (an approval commit or `quire verify --anchor`), against its row. */
function AnchorStatus({ check }: { check: AnchorCheck | null }) {
  if (!check) return null;
  const { anchor, matches } = check;
  const where = `${anchor.source === "approval" ? "approval" : "anchor"} commit ${anchor.commit.slice(0, 12)}`;
  if (matches) {
    return (
      <p className="small muted anchor-status">
        Anchored in git: row {anchor.seq.toLocaleString("en")} still has the hash written into {where}.
      </p>
    );
  }
  return (
    <div className="banner banner-error anchor-status" role="alert">
      <p>
        <strong>Row {anchor.seq.toLocaleString("en")} differs from its hash anchored in git</strong> ({where}): the audit trail was rewritten or removed. Report
        it to the quality manager; <code>npx quire verify</code> on the server names every problem.
      </p>
    </div>
  );
}

/** A select offering the values that occur in the trail, keeping a value from the URL that does not. */
function FilterSelect({
  label,
  name,
  value,
  values,
  all,
  groups = false,
}: {
  label: string;
  name: string;
  value: string | undefined;
  values: string[];
  all: string;
  groups?: boolean;
}) {
  const listed = value !== undefined && !values.includes(value) ? [value, ...values] : values;
  // "auth." and the like: every action of one area at once.
  const prefixes = groups ? [...new Set(values.filter((v) => v.includes(".")).map((v) => `${v.split(".")[0]}.`))] : [];
  const exact = listed.filter((v) => !prefixes.includes(v));
  return (
    <div className="filter-field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <select id={`audit-${name}`} name={name} defaultValue={value ?? ""}>
        <option value="">{all}</option>
        {prefixes.length > 0 ? (
          <>
            <optgroup label="All actions of an area">
              {prefixes.map((p) => (
                <option key={p} value={p}>
                  {p}* (every {p.slice(0, -1)} action)
                </option>
              ))}
            </optgroup>
            <optgroup label="One action">
              {exact.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </optgroup>
          </>
        ) : (
          exact.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))
        )}
      </select>
    </div>
  );
}

/** Stored values as labelled fields: a small list per row (the CSV export keeps them exactly as stored). */
function Values({ fields }: { fields: ShownField[] | null }) {
  if (fields === null || fields.length === 0) return <span className="muted">–</span>;
  return (
    <dl className="values">
      {fields.map((f) => (
        <div key={f.key}>
          <dt>{f.label}:</dt>
          <dd>
            <Value value={f.value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** One value: a hash as its first characters (the whole on hover, never split), an instant as a time, lists joined. */
function Value({ value }: { value: ShownValue }) {
  switch (value.kind) {
    case "text":
      return <>{value.text}</>;
    case "nothing":
      return <span className="muted">{value.text}</span>;
    case "hash":
      return (
        <code className="hash" title={value.full}>
          {`${value.short}…`}
        </code>
      );
    case "time":
      return <time dateTime={value.iso}>{value.text}</time>;
    case "list":
      return (
        <>
          {value.items.map((item, i) => (
            <span key={i} className={item.kind === "record" ? "value-item value-record" : "value-item"}>
              <Value value={item} />
              {i < value.items.length - 1 ? (item.kind === "record" ? "; " : ", ") : null}
            </span>
          ))}
        </>
      );
    case "record":
      return (
        <>
          {value.fields.map((f, i) => (
            <span key={f.key} className="value-item">
              <span className="value-key">{f.label}:</span> <Value value={f.value} />
              {i < value.fields.length - 1 ? " · " : null}
            </span>
          ))}
        </>
      );
  }
}

/** The reason given, and where it is recorded when it is not the reason column. */
function Reason({ reason }: { reason: RowReason | null }) {
  if (!reason) return <span className="muted">–</span>;
  const { source } = reason;
  return (
    <>
      {reason.text}
      {source.column !== "reason" ? (
        <>
          {" "}
          <span className="reason-source">
            recorded in the {source.column === "new_values" ? "new" : "old"} values ({source.key})
          </span>
        </>
      ) : null}
    </>
  );
}

/** Plain links, so paging works from the keyboard and without JavaScript. */
function Pager({ filter, page, pageCount }: { filter: AuditFilter; page: number; pageCount: number }) {
  const to = (p: number) => `/audit${auditQueryString(filter, p)}`;
  return (
    <nav className="pager" aria-label="Pages of the audit trail">
      {page > 1 ? (
        <>
          <Link to={to(1)}>« First</Link>
          <Link to={to(page - 1)} rel="prev">
            ‹ Previous
          </Link>
        </>
      ) : (
        <>
          <span className="muted" aria-hidden="true">
            « First
          </span>
          <span className="muted" aria-hidden="true">
            ‹ Previous
          </span>
        </>
      )}
      <span aria-current="page">
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <>
          <Link to={to(page + 1)} rel="next">
            Next ›
          </Link>
          <Link to={to(pageCount)}>Last »</Link>
        </>
      ) : (
        <>
          <span className="muted" aria-hidden="true">
            Next ›
          </span>
          <span className="muted" aria-hidden="true">
            Last »
          </span>
        </>
      )}
    </nav>
  );
}
