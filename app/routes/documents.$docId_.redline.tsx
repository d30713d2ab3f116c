import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";

import { RedlineView } from "~/components/redline";
import { quire } from "~/context.server";
import { unlessContentRefused } from "~/modules/content/render.server";
import { versionHtml } from "~/modules/documents/library.server";
import { cachedRedline } from "~/modules/documents/redline";
import { requireUser } from "~/web/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.id}: v${data.from.version} → v${data.to.version} redline · Quire` : "Redline · Quire" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, "document.read");
  const q = await quire();
  const id = params.docId ?? "";
  const url = new URL(request.url);
  const fromVersion = url.searchParams.get("from") ?? "";
  const toVersion = url.searchParams.get("to") ?? "";
  const [from, to] = await Promise.all([
    unlessContentRefused(`Version ${fromVersion} of ${id}`, versionHtml(q, id, fromVersion)),
    unlessContentRefused(`Version ${toVersion} of ${id}`, versionHtml(q, id, toVersion)),
  ]);
  if (!from || !to) {
    const missing = !from ? fromVersion : toVersion;
    throw new Response(`Document ${id} has no version ${missing || "(none given)"}: choose two versions from its history.`, {
      status: 404,
      statusText: "Not Found",
    });
  }
  // Worked out once per pair of versions (by content hash), not on every view (issue 13).
  const redline = cachedRedline({ contentHash: from.version.contentHash, html: from.html }, { contentHash: to.version.contentHash, html: to.html });
  const describe = (v: typeof from.version) => ({
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    reason: v.changeReason,
    title: v.title,
    crId: v.crId ?? null,
  });
  return json({ id, from: describe(from.version), to: describe(to.version), redline });
}

export default function Redline() {
  const { id, from, to, redline } = useLoaderData<typeof loader>();
  const { stats } = redline;
  return (
    <section>
      <p className="doc-kicker">{id} · redline</p>
      <h1>
        Changes from v{from.version} to v{to.version}
      </h1>
      <dl className="redline-summary">
        <dt>v{from.version}</dt>
        <dd>
          effective {from.effectiveFrom}: {from.reason}
          {from.crId ? (
            <>
              {" "}
              <Link to={`/changes/${from.crId}`}>{from.crId}</Link>
            </>
          ) : null}
        </dd>
        <dt>v{to.version}</dt>
        <dd>
          effective {to.effectiveFrom}: {to.reason}
          {to.crId ? (
            <>
              {" "}
              <Link to={`/changes/${to.crId}`}>{to.crId}</Link>
            </>
          ) : null}
        </dd>
      </dl>
      <p className="muted">
        <ins>Inserted text</ins> and <del>deleted text</del>: {stats.addedWords} words inserted, {stats.removedWords} deleted, in {stats.places}{" "}
        {stats.places === 1 ? "place" : "places"}. Unchanged passages are folded: open them to read the whole text.{" "}
        <Link to={`/documents/${id}/history`}>Back to the history</Link>
      </p>
      <RedlineView redline={redline} />
    </section>
  );
}
