import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { now } from "~/clock.server";
import { AccountStatusBadges } from "~/components/account-status";
import { quire } from "~/context.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import { ROLES } from "~/modules/users/permissions";
import { accountStatuses } from "~/modules/users/users";
import { listUsers } from "~/modules/users/users.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction = () => [{ title: "Users · Quire" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, "users.manage");
  const q = await quire();
  const [users, jobFunctions] = await Promise.all([listUsers(q.db), loadJobFunctions(q.db)]);
  const names = new Map(jobFunctions.map((j) => [j.id, j.name]));
  const at = now(q.config);
  return json({
    users: users.map((u) => ({
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      email: u.email,
      roles: u.roles.map((r) => ROLES[r].label),
      jobFunctions: u.jobFunctions.map((j) => names.get(j) ?? j),
      statuses: accountStatuses(u, at, q.config.lockoutMinutes),
      passwordChangedAt: u.passwordChangedAt,
    })),
  });
}

export default function Users() {
  const { users } = useLoaderData<typeof loader>();
  const active = users.filter((u) => !u.statuses.includes("deactivated")).length;
  return (
    <section>
      <div className="page-heading heading-row">
        <div>
          <h1>Users</h1>
          <p className="muted">
            {users.length} accounts: {active} active, {users.length - active} deactivated.
          </p>
        </div>
        <Link to="/admin/users/new" className="button">
          New user
        </Link>
      </div>
      <table className="data-table users-table">
        <caption className="visually-hidden">User accounts</caption>
        <thead>
          <tr>
            <th scope="col">User name</th>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Roles</th>
            <th scope="col">Job functions</th>
            <th scope="col">Status</th>
            <th scope="col">Last password change</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-username={u.username}>
              <td>
                <Link to={`/admin/users/${u.id}`}>{u.username}</Link>
              </td>
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>{u.roles.join(", ") || <span className="muted">none</span>}</td>
              <td>{u.jobFunctions.join(", ") || <span className="muted">none</span>}</td>
              <td>
                <AccountStatusBadges statuses={u.statuses} />
              </td>
              <td className="nowrap">
                <time dateTime={u.passwordChangedAt} title={u.passwordChangedAt}>
                  {u.passwordChangedAt.slice(0, 10)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Accounts are never deleted. When someone leaves, deactivate their account: their records stay attributable to them, and their user name is never given
        to anyone else (21 CFR Part 11 §11.300(a)).
      </p>
    </section>
  );
}
