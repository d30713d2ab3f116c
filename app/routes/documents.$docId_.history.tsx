import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";

import { today } from "~/clock.server";
import { StatusBadge } from "~/components/status-badge";
import { utcMinute } from "~/components/time";
import { quire } from "~/context.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { documentHistory } from "~/modules/documents/library.server";
import { signaturesOfVersion } from "~/modules/signatures/signatures.server";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `History of ${data.id} · Quire` : "Not found · Quire" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, "document.read");
  const q = await quire();
  const id = params.docId ?? "";
  const on = today(q.config);
  const history = await documentHistory(q, id, on);
  if (!history) throw new Response(`There is no controlled document ${id}.`, { status: 404, statusText: "Not Found" });
  const newest = history.versions[0]!.version;
  const signatures = await Promise.all(history.versions.map((s) => signaturesOfVersion(q.db, id, s.version.version)));
  return json({
    id,
    on,
    type: history.type,
    title: newest.title,
    retirement: history.retirement
      ? {
          effectiveFrom: history.retirement.effectiveFrom,
          reason: history.retirement.reason,
          printedName: history.retirement.printedName,
          retiredAt: history.retirement.retiredAt,
        }
      : null,
    versions: history.versions.map((s, i) => ({
      crId: s.version.crId ?? null,
      signatures: signatures[i]!.map((x) => ({ id: x.id, meaning: x.meaning, printedName: x.printedName, signedAt: x.signedAt })),
      version: s.version.version,
      status: s.status,
      effectiveFrom: s.version.effectiveFrom,
      effectiveTo: s.effectiveTo,
      approvedAt: s.version.approvedAt,
      reason: s.version.changeReason,
      commit: s.version.commit,
      tag: s.version.tag,
      contentHash: s.version.contentHash,
    })),
  });
}

export default function DocumentHistory() {
  const { id, on, type, title, versions, retirement } = useLoaderData<typeof loader>();
  const [newest, previous] = versions;
  return (
    <section>
      <p className="doc-kicker">
        {TYPE_LABELS[type]} · {id}
      </p>
      <h1>History of {title}</h1>
      <p className="muted">
        Every approved version, newest first, with its status on {on}. <Link to={`/documents/${id}`}>Back to the document</Link>
      </p>
      {retirement ? (
        <p className="banner banner-warning" role="status">
          Retired from {retirement.effectiveFrom}, signed by {retirement.printedName} on {utcMinute(retirement.retiredAt)} UTC: {retirement.reason}
        </p>
      ) : null}
      <table className="data-table history">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Effective</th>
            <th scope="col">Approved (UTC)</th>
            <th scope="col">Reason for change</th>
            <th scope="col">Signatures (UTC)</th>
            <th scope="col">Record</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>
                <Link to={`/documents/${id}?version=${v.version}`}>v{v.version}</Link>
              </td>
              <td>
                <StatusBadge status={v.status} />
              </td>
              <td className="nowrap">
                {v.effectiveFrom}
                {v.effectiveTo ? ` – ${v.effectiveTo}` : ""}
              </td>
              <td className="nowrap">{utcMinute(v.approvedAt)}</td>
              <td>
                {v.reason}
                {v.crId ? (
                  <>
                    {" "}
                    <Link to={`/changes/${v.crId}`} className="small">
                      {v.crId}
                    </Link>
                  </>
                ) : null}
              </td>
              <td className="small">
                {v.signatures.length === 0 ? (
                  <span className="muted">Adopted at initialisation</span>
                ) : (
                  <ul className="plain">
                    {v.signatures.map((x) => (
                      <li key={x.id}>
                        {x.meaning}: {x.printedName}, {utcMinute(x.signedAt)}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="mono small version-record">
                <span>tag {v.tag}</span>
                <span>commit {v.commit.slice(0, 12)}</span>
                <span title={v.contentHash}>sha256 {v.contentHash.slice(0, 12)}…</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {versions.length > 1 ? (
        <Form method="get" action={`/documents/${id}/redline`} className="filters compare">
          <label>
            Compare version
            <select name="from" defaultValue={previous?.version}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </label>
          <label>
            with version
            <select name="to" defaultValue={newest?.version}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Show redline</button>
        </Form>
      ) : (
        <p className="muted">Only one version exists, so there is nothing to compare yet.</p>
      )}
    </section>
  );
}
