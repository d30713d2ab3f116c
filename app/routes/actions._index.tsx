import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { ActionStatusBadge } from "~/components/actions";
import { quire } from "~/context.server";
import {
  ACTION_KINDS,
  ACTION_KIND_LABELS,
  ACTION_SOURCES,
  ACTION_SOURCE_LABELS,
  SHOWN_STATUSES,
  SHOWN_STATUS_LABELS,
  parseActionFilter,
} from "~/modules/actions/actions";
import { listActions, openActionsSummary, possibleOwners } from "~/modules/actions/actions.server";
import { requireActionsReader } from "~/web/actions-reader.server";

export const meta: MetaFunction = () => [{ title: "Actions and CAPAs · Quire" }];

/**
 * GET /actions: the register of actions and CAPAs (SOP-KP-001 "Record and follow up": each action has
 * an owner and a due date and is tracked until closed; SOP-CA-001: the CAPA register), as of today.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireActionsReader(request);
  const q = await quire();
  const { problems, ...filter } = parseActionFilter(new URL(request.url).searchParams);
  const on = today(q.config);
  const [rows, summary, owners] = await Promise.all([listActions(q.db, filter, on), openActionsSummary(q.db, on), possibleOwners(q.db)]);
  return json(
    { on, filter, problems, rows, summary, owners, canManage: user.permissions.includes("actions.manage") },
    { status: problems.length > 0 ? 400 : 200 },
  );
}

export default function ActionRegister() {
  const { on, filter, problems, rows, summary, owners, canManage } = useLoaderData<typeof loader>();
  const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== null)).toString();
  const overdue = summary.action.overdue + summary.capa.overdue;
  return (
    <section className="action-register">
      <div className="page-heading">
        <h1>Actions and CAPAs</h1>
        <p className="muted">
          Every action and CAPA from red KPIs, audit findings, deviations and management reviews, with its owner and due date, tracked until closed with
          evidence (SOP-KP-001, SOP-CA-001). Status on <time dateTime={on}>{on}</time>.
        </p>
        {canManage ? (
          <p>
            <Link to="/actions/new" className="button">
              New action or CAPA
            </Link>
          </p>
        ) : null}
      </div>
      {problems.length > 0 ? (
        <div className="banner banner-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      {overdue > 0 ? (
        <p className="banner banner-warning" role="status" data-overdue={overdue}>
          <strong>
            {overdue} {overdue === 1 ? "item is" : "items are"} overdue
          </strong>{" "}
          ({summary.action.overdue} {summary.action.overdue === 1 ? "action" : "actions"}, {summary.capa.overdue}{" "}
          {summary.capa.overdue === 1 ? "CAPA" : "CAPAs"}): open past their due date. <Link to="/actions?status=overdue">Show the overdue items</Link>
        </p>
      ) : null}
      <ul className="review-counts plain" aria-label="Open items by kind">
        {ACTION_KINDS.map((k) => (
          <li key={k}>
            <Link to={`/actions?kind=${k}`}>
              <strong data-open={k}>{summary[k].open}</strong> open {k === "capa" ? "CAPAs" : "actions"}
              {summary[k].overdue > 0 ? `, ${summary[k].overdue} overdue` : ""}
            </Link>
          </li>
        ))}
      </ul>
      <Form method="get" className="filters library-filters" aria-label="Filter the register">
        <label>
          Kind
          <select name="kind" defaultValue={filter.kind ?? ""}>
            <option value="">All</option>
            {ACTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {ACTION_KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">All</option>
            {SHOWN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SHOWN_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select name="source" defaultValue={filter.source ?? ""}>
            <option value="">All</option>
            {ACTION_SOURCES.map((s) => (
              <option key={s} value={s}>
                {ACTION_SOURCE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <select name="owner" defaultValue={filter.owner ?? ""}>
            <option value="">Anyone</option>
            {owners.map((o) => (
              <option key={o.id} value={o.username}>
                {o.displayName} ({o.username})
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="secondary">
          Show
        </button>
        <a href={`/actions.csv${query ? `?${query}` : ""}`} download>
          Download CSV
        </a>
      </Form>
      <p className="muted" aria-live="polite" id="result-count">
        Showing {rows.length} {rows.length === 1 ? "item" : "items"}
      </p>
      {rows.length === 0 ? (
        <p>No action or CAPA matches.</p>
      ) : (
        <div className="table-scroll">
          <table className="library action-table">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Status</th>
                <th scope="col">Due</th>
                <th scope="col">Owner</th>
                <th scope="col">Description</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-action={r.id} className={r.overdue ? "overdue-row" : undefined}>
                  <td className="nowrap">
                    <Link to={`/actions/${r.id}`}>{r.id}</Link>
                  </td>
                  <td>
                    <ActionStatusBadge status={r.shownStatus} />
                  </td>
                  <td className="nowrap">{r.status === "closed" ? <span className="muted">{r.dueOn}</span> : r.dueOn}</td>
                  <td>{r.ownerName}</td>
                  <td className="action-description">{r.description}</td>
                  <td>
                    {ACTION_SOURCE_LABELS[r.source]} <span className="muted small">{r.sourceRef}</span>
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
