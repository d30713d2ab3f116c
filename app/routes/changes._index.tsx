import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { CrStateBadge } from "~/components/change-request";
import { utcMinute } from "~/components/time";
import { quire } from "~/context.server";
import { CR_STATES, CR_STATE_LABELS, type CrState } from "~/modules/change-control/change-control";
import { listChangeRequests } from "~/modules/change-control/change-control.server";
import { changeTasks } from "~/modules/change-control/change-view.server";
import { userNames } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Change requests · Quire" }];

function isState(value: string | null): value is CrState {
  return value !== null && (CR_STATES as readonly string[]).includes(value);
}

export async function loader({ request }: LoaderFunctionArgs) {
  // The list names drafts and their titles: for those who may read them (SOP-DC-001).
  const user = await requireUser(request, "change.read");
  const q = await quire();
  const url = new URL(request.url);
  const state = url.searchParams.get("state");
  const doc = url.searchParams.get("doc")?.trim().toUpperCase() || null;
  const mine = url.searchParams.get("mine") === "1";
  const [all, names] = await Promise.all([listChangeRequests(q.db), userNames(q.db)]);
  const tasks = await changeTasks(q, user, all);
  const brief = (list: typeof all) => list.map((cr) => ({ id: cr.id, docId: cr.docId, title: cr.title, targetVersion: cr.targetVersion }));
  const open = (s: CrState) => s === "draft" || s === "in-review";
  const shown = all.filter(
    (cr) =>
      (state === "open" ? open(cr.state) : isState(state) ? cr.state === state : true) &&
      (!doc || cr.docId === doc) &&
      (!mine || cr.authorId === user.id || cr.reviewerIds.includes(user.id)),
  );
  return json({
    filter: { state: state ?? "", doc: doc ?? "", mine },
    counts: { all: all.length, open: all.filter((cr) => open(cr.state)).length },
    canAuthor: user.permissions.includes("document.author"),
    tasks: { review: brief(tasks.review), approve: brief(tasks.approve), drafts: brief(tasks.drafts) },
    changes: shown.map((cr) => ({
      id: cr.id,
      docId: cr.docId,
      title: cr.title,
      newDocument: cr.newDocument,
      withdrawal: cr.kind === "withdrawal",
      state: cr.state,
      targetVersion: cr.targetVersion,
      revision: cr.revision,
      author: names.get(cr.authorId)?.displayName ?? cr.authorId,
      reviewers: cr.reviewerIds.map((r) => names.get(r)?.displayName ?? r),
      proposedEffectiveDate: cr.proposedEffectiveDate,
      updatedAt: cr.updatedAt,
      awaitsMe: cr.state === "in-review" && cr.reviewerIds.includes(user.id),
    })),
  });
}

export default function ChangeRequests() {
  const { filter, counts, canAuthor, changes, tasks } = useLoaderData<typeof loader>();
  const taskGroups = [
    { key: "approve", title: "Ready for your approval", items: tasks.approve },
    { key: "review", title: "Awaiting your review", items: tasks.review },
    { key: "drafts", title: "Your drafts", items: tasks.drafts },
  ].filter((g) => g.items.length > 0);
  return (
    <section>
      <div className="page-heading heading-row">
        <div>
          <h1>Change requests</h1>
          <p className="muted">
            {counts.all} change requests, {counts.open} open. A controlled document changes only through an approved change request.
          </p>
        </div>
        {canAuthor ? (
          <Link to="/changes/new" className="button">
            New change request
          </Link>
        ) : null}
      </div>
      {taskGroups.length > 0 ? (
        <section className="tasks" aria-label="Your tasks">
          {taskGroups.map((g) => (
            <div key={g.key} className="task-group" data-tasks={g.key}>
              <h2>
                {g.title} <span className="count">{g.items.length}</span>
              </h2>
              <ul className="plain">
                {g.items.map((cr) => (
                  <li key={cr.id}>
                    <Link to={`/changes/${cr.id}`}>{cr.id}</Link> {cr.docId} {cr.title} <span className="muted small">v{cr.targetVersion}</span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ) : null}
      <Form method="get" className="filters" role="search" aria-label="Filter change requests">
        <label>
          State
          <select name="state" defaultValue={filter.state}>
            <option value="">All</option>
            <option value="open">Open (draft or in review)</option>
            {CR_STATES.map((s) => (
              <option key={s} value={s}>
                {CR_STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Document
          <input name="doc" defaultValue={filter.doc} placeholder="SOP-DC-001" size={12} />
        </label>
        <label className="inline-check">
          <input type="checkbox" name="mine" value="1" defaultChecked={filter.mine} /> Mine (author or reviewer)
        </label>
        <button type="submit" className="secondary">
          Filter
        </button>
      </Form>
      {changes.length === 0 ? (
        <p className="empty">No change request matches.</p>
      ) : (
        <table className="data-table changes-table">
          <caption className="visually-hidden">Change requests</caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Document</th>
              <th scope="col">State</th>
              <th scope="col">Version</th>
              <th scope="col">Author</th>
              <th scope="col">Reviewers</th>
              <th scope="col">Proposed effective</th>
              <th scope="col">Last activity (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((cr) => (
              <tr key={cr.id} data-cr={cr.id}>
                <td className="nowrap">
                  <Link to={`/changes/${cr.id}`}>{cr.id}</Link>
                  {cr.awaitsMe ? <span className="badge badge-approved"> awaits your review</span> : null}
                </td>
                <td>
                  <span className="mono">{cr.docId}</span> {cr.title}
                  {cr.newDocument ? <span className="muted small"> (new document)</span> : null}
                  {cr.withdrawal ? <span className="muted small"> (withdrawal)</span> : null}
                </td>
                <td>
                  <CrStateBadge state={cr.state} />
                </td>
                <td className="nowrap">
                  v{cr.targetVersion} <span className="muted small">{cr.withdrawal ? "withdrawn" : cr.revision}</span>
                </td>
                <td>{cr.author}</td>
                <td>{cr.reviewers.join(", ")}</td>
                <td className="nowrap">{cr.proposedEffectiveDate}</td>
                <td className="nowrap">{utcMinute(cr.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
