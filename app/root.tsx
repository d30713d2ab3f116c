import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";

import { FormMessage } from "~/components/form";
import { noticeText } from "~/components/notices";
import { quire } from "~/context.server";
import { openForeignRefs } from "~/modules/integrity/foreign-refs.server";
import { openTrainingCount } from "~/modules/training/my-training.server";
import { readsDrafts, type Permission } from "~/modules/users/permissions";
import stylesheet from "~/styles/app.css";
import { optionalUser } from "~/web/auth.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Quire" }];

/**
 * The layout's data is a function of the URL, the signed-in user, the database and the day, so a page
 * whose own route says the same may be sent again unchanged (app/web/page-responses.server.ts).
 */
export const handle = { responseCache: true };

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await optionalUser(request);
  // Quality managers, administrators and inspectors see what the last start found in the content
  // repository that Quire did not write (docs/decisions/008).
  const foreignRefs = user?.permissions.includes("audit.read") ? await openForeignRefs((await quire()).db) : [];
  // The count of open training beside "My training" (SOP-TR-001: every person sees what they owe).
  const openTraining = user?.permissions.includes("training.acknowledge") ? await openTrainingCount(await quire(), user.id) : 0;
  return json({
    foreignRefs: foreignRefs.map((f) => f.message),
    openTraining,
    user: user ? { username: user.username, displayName: user.displayName, permissions: user.permissions, mustChangePassword: user.mustChangePassword } : null,
    notice: noticeText(new URL(request.url).searchParams.get("notice")),
  });
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user ?? null;
  const notice = data?.notice ?? null;
  const foreignRefs = data?.foreignRefs ?? [];
  const openTraining = data?.openTraining ?? 0;
  const can = (p: Permission) => user?.permissions.includes(p) ?? false;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link to="/" className="brand" aria-label="Quire home: document library">
            Quire
          </Link>
          {user ? (
            <>
              {/* Until a one-time password is replaced, every page but the password form is closed. */}
              {user.mustChangePassword ? (
                <nav aria-label="Main" />
              ) : (
                <nav aria-label="Main">
                  <NavLink to="/" end>
                    Library
                  </NavLink>
                  <NavLink to="/tasks">My tasks</NavLink>
                  {can("training.acknowledge") ? (
                    <NavLink to="/training">
                      My training
                      {openTraining > 0 ? (
                        <span className="nav-count" aria-label={`${openTraining} open`}>
                          {openTraining}
                        </span>
                      ) : null}
                    </NavLink>
                  ) : null}
                  {can("training.read") ? <NavLink to="/training/matrix">Training records</NavLink> : null}
                  <NavLink to="/manual">QMS manual</NavLink>
                  {user && readsDrafts(user.permissions) ? <NavLink to="/changes">Change requests</NavLink> : null}
                  <NavLink to="/reviews">Periodic reviews</NavLink>
                  {can("kpi.read") ? <NavLink to="/kpis">KPIs</NavLink> : null}
                  {can("copies.read") ? <NavLink to="/copies">Copy register</NavLink> : null}
                  {can("kpi.read") || can("actions.manage") ? <NavLink to="/actions">Actions and CAPAs</NavLink> : null}
                  {can("audit.read") ? <NavLink to="/audit">Audit trail</NavLink> : null}
                  {can("export.binder") ? <NavLink to="/binder">Inspection binder</NavLink> : null}
                  {can("users.manage") ? <NavLink to="/admin/users">Users</NavLink> : null}
                </nav>
              )}
              <div className="user-menu">
                <NavLink to="/account/password" title="Change your password">
                  {user.displayName} <span className="muted-inverse">({user.username})</span>
                </NavLink>
                <Form method="post" action="/logout">
                  <button type="submit" className="link-button">
                    Sign out
                  </button>
                </Form>
              </div>
            </>
          ) : (
            <nav aria-label="Main" />
          )}
        </header>
        <main id="main" tabIndex={-1}>
          {notice ? <FormMessage success={notice} /> : null}
          {foreignRefs.length > 0 ? <ForeignRefsBanner messages={foreignRefs} /> : null}
          {children}
        </main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/** What the content repository holds that Quire did not write: ignored, and to be removed. */
function ForeignRefsBanner({ messages }: { messages: string[] }) {
  return (
    <div className="banner banner-error" role="alert">
      <p>
        <strong>
          The content repository holds {messages.length} {messages.length === 1 ? "change" : "changes"} that Quire did not make.
        </strong>{" "}
        {messages.length === 1 ? "It is" : "They are"} ignored: no version comes from {messages.length === 1 ? "it" : "them"}, and pages show only approved
        versions. An administrator runs <code>npx quire verify</code> and removes {messages.length === 1 ? "it" : "them"} from the repository.
      </p>
      <ul>
        {messages.slice(0, 5).map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
      {messages.length > 5 ? <p>and {messages.length - 5} more.</p> : null}
      <p>
        <Link to="/audit?action=content.foreign-ref">Their entries in the audit trail</Link>
      </p>
    </div>
  );
}

export default function App() {
  return <Outlet />;
}

/** The one error page: 404 and 403 responses thrown by loaders, and anything unexpected. */
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    return (
      <section className="error-page">
        <h1>
          {error.status} {error.statusText}
        </h1>
        <p>{typeof error.data === "string" ? error.data : "The request could not be completed."}</p>
        <p>
          <Link to="/">Back to the document library</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="error-page">
      <h1>Something went wrong</h1>
      <p>Quire could not complete this request. The error has been logged on the server.</p>
      <p>
        <Link to="/">Back to the document library</Link>
      </p>
    </section>
  );
}
