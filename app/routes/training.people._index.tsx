import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData, useSubmit } from "@remix-run/react";
import { z } from "zod";

import { today } from "~/clock.server";
import { TrainingNav } from "~/components/training";
import { quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { PEOPLE_PAGE_SIZE, trainingPeople } from "~/modules/training/reports.server";
import { lineManagerUsernames } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Training by person · Quire" }];

const Filter = z.object({
  fn: z.string().max(60).optional().catch(undefined),
  status: z.enum(["overdue", "due", "all"]).optional().catch(undefined),
  manager: z.string().max(40).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "training.read");
  const q = await quire();
  const filter = Filter.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, v]) => v !== "")));
  const on = today(q.config);
  const [list, functions, managers] = await Promise.all([
    trainingPeople(q, on, filter, { page: filter.page ?? 1, pageSize: PEOPLE_PAGE_SIZE }),
    loadJobFunctions(q.db),
    lineManagerUsernames(q.db),
  ]);
  return json({ on, filter, list, functions: functions.map((f) => ({ id: f.id, name: f.name })), managers });
}

/** The same filters on another page. */
function pageLink(filter: Record<string, string | number | undefined>, page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (k !== "page" && v !== undefined && v !== "") params.set(k, String(v));
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `?${query}` : ".";
}

export default function TrainingPeoplePage() {
  const { on, filter, list, functions, managers } = useLoaderData<typeof loader>();
  const { people, total, page, pageSize } = list;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const submit = useSubmit();
  const names = new Map(functions.map((f) => [f.id, f.name]));
  return (
    <section className="training-people">
      <TrainingNav />
      <div className="page-heading">
        <h1>Training by person</h1>
        <p className="muted">
          Active people with a job function on <time dateTime={on}>{on}</time>
          {filter.status === "overdue" ? ", the most overdue first" : ""}. Qualified: every document and course in the function&rsquo;s curriculum completed,
          and the practical sign-off where SOP-TR-001 asks for one.
        </p>
      </div>
      <Form method="get" className="filters" aria-label="Filter people" onChange={(e) => submit(e.currentTarget, { replace: true })}>
        <label>
          Job function
          <select name="fn" defaultValue={filter.fn ?? ""}>
            <option value="">All</option>
            {functions.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">Everyone</option>
            <option value="due">With training due or overdue</option>
            <option value="overdue">With overdue training</option>
          </select>
        </label>
        <label>
          Line manager
          <select name="manager" defaultValue={filter.manager ?? ""}>
            <option value="">Any</option>
            {managers.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </Form>
      <p className="muted" data-testid="people-count">
        {total === 0
          ? null
          : total <= pageSize
            ? `${total} ${total === 1 ? "person" : "people"}`
            : `People ${(page - 1) * pageSize + 1}–${Math.min(total, page * pageSize)} of ${total}`}
      </p>
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Job functions</th>
              <th scope="col">Overdue</th>
              <th scope="col">Due</th>
              <th scope="col">Current</th>
              <th scope="col">Qualified for</th>
              <th scope="col">Line manager</th>
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.userId} data-username={p.username}>
                <td>
                  <Link to={`/training/people/${p.username}`}>{p.displayName}</Link> <span className="muted small">({p.username})</span>
                </td>
                <td>{p.jobFunctions.map((f) => names.get(f) ?? f).join(", ")}</td>
                <td className={p.overdue > 0 ? "overdue" : undefined}>
                  {p.overdue}
                  {p.maxDaysOverdue > 0 ? <span className="small"> (up to {p.maxDaysOverdue} days)</span> : null}
                </td>
                <td>{p.due}</td>
                <td>{p.current}</td>
                <td>{p.qualifiedFor.length > 0 ? p.qualifiedFor.map((f) => names.get(f) ?? f).join(", ") : <span className="muted">not yet</span>}</td>
                <td>{p.managerUsername ?? <span className="muted">–</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {people.length === 0 ? <p className="muted">Nobody matches these filters.</p> : null}
      {pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          {page > 1 ? <Link to={pageLink(filter, page - 1)}>Previous page</Link> : null}
          <span>
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={pageLink(filter, page + 1)}>Next page</Link> : null}
        </nav>
      ) : null}
    </section>
  );
}
