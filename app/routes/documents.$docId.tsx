import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useContext, useState } from "react";
import { z } from "zod";

import { today } from "~/clock.server";
import { DateInput } from "~/components/date-input";
import { StatusBadge } from "~/components/status-badge";
import { utcMinuteLabel } from "~/components/time";
import { quire } from "~/context.server";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { unlessContentRefused } from "~/modules/content/render.server";
import { listRegister } from "~/modules/copies/register.server";
import { statusWording } from "~/modules/documents/documents";
import { documentHistory, documentPage, loadJobFunctions } from "~/modules/documents/library.server";
import { signaturesOfVersion } from "~/modules/signatures/signatures.server";
import { readsDrafts } from "~/modules/users/permissions";
import { requireUser } from "~/web/auth.server";
import { MarkupBodyContext, bodyForLoaderData } from "~/web/page-bodies";

const PointInTime = z.iso.date().optional();

/** The page is a function of the URL, the reader's permissions, the database and the day (app/web/page-responses.server.ts). */
export const handle = { responseCache: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.doc.id} ${data.doc.title} · Quire` : "Document not found · Quire" }];

export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, "document.read");
  const q = await quire();
  const id = params.docId ?? "";
  const url = new URL(request.url);
  const version = url.searchParams.get("version") ?? undefined;
  // Point in time: ?on=YYYY-MM-DD shows the version that was effective that day.
  const asOf = PointInTime.safeParse(url.searchParams.get("on") ?? undefined);
  if (!asOf.success) throw new Response("The date must be written YYYY-MM-DD.", { status: 400, statusText: "Bad Request" });
  const on = asOf.data ?? today(q.config);
  // A body the content policy refuses is not rendered: the page says so instead (issue 9).
  const page = await unlessContentRefused(version ? `Version ${version} of ${id}` : `The version of ${id} in force on ${on}`, documentPage(q, id, on, version));
  if (asOf.data && !version && page?.shown.status !== "effective") {
    const history = await documentHistory(q, id, today(q.config));
    if (history) {
      const retired = history.retirement && asOf.data >= history.retirement.effectiveFrom ? history.retirement.effectiveFrom : null;
      const why = retired ? `the document was retired from ${retired}` : `the first took effect ${history.versions.at(-1)?.version.effectiveFrom}`;
      throw new Response(`No version of ${id} was effective on ${asOf.data}; ${why}.`, { status: 404, statusText: "Not Found" });
    }
  }
  if (!page) {
    const what = version ? `Document ${id} has no version ${version}.` : `There is no controlled document ${id}.`;
    throw new Response(what, { status: 404, statusText: "Not Found" });
  }
  const shownVersion = page.shown.version.version;
  const [jobFunctions, signatures] = await Promise.all([
    q.db.cached("job-functions", () => loadJobFunctions(q.db)),
    q.db.cached(`signatures:${id}:${shownVersion}`, () => signaturesOfVersion(q.db, id, shownVersion)),
  ]);
  const names = Object.fromEntries(jobFunctions.map((j) => [j.id, j.name]));
  const shown = page.shown;
  const fm = shown.version.frontmatter;
  return json({
    on,
    pointInTime: asOf.data ?? null,
    doc: {
      id,
      title: shown.version.title,
      type: fm.type,
      version: shown.version.version,
      status: shown.status,
      effectiveFrom: shown.version.effectiveFrom,
      effectiveTo: shown.effectiveTo,
      // One wording for the banner and the panel (issue 13).
      wording: statusWording(
        { status: shown.status, effectiveFrom: shown.version.effectiveFrom, effectiveTo: shown.effectiveTo },
        on,
        page.retirement?.effectiveFrom ?? null,
      ),
      owner: names[fm.owner] ?? fm.owner,
      audience: fm.audience.map((a) => names[a] ?? a),
      training: fm.training,
      summary: fm.summary ?? null,
      related: fm.related ?? [],
      nextReview: shown.status === "effective" ? page.entry.nextReview : null,
      commit: shown.version.commit,
      contentHash: shown.version.contentHash,
      changeReason: shown.version.changeReason,
      crId: shown.version.crId,
    },
    // Signature manifestation (Part 11 §11.50): who signed this version, when, and what it meant.
    signatures: signatures.map((s) => ({ id: s.id, meaning: s.meaning, printedName: s.printedName, signedAt: s.signedAt, contentHash: s.contentHash })),
    current: page.entry.status === "effective" ? page.entry.version : null,
    /** An approved version waiting for its effective date (shown as a banner over the version in force). */
    upcoming: page.entry.upcoming,
    retirement: page.retirement
      ? {
          effectiveFrom: page.retirement.effectiveFrom,
          reason: page.retirement.reason,
          printedName: page.retirement.printedName,
          retiredAt: page.retirement.retiredAt,
        }
      : null,
    can: {
      author: user.permissions.includes("document.author"),
      approve: user.permissions.includes("document.approve"),
      // SOP-DC-001: the document controller requests a withdrawal; approvers sign it on the request.
      withdraw: user.permissions.includes("document.withdraw"),
      seeChanges: readsDrafts(user.permissions),
      readTraining: user.permissions.includes("training.read"),
      issueCopies: user.permissions.includes("copies.issue"),
      readCopies: user.permissions.includes("copies.read"),
    },
    // SOP-DC-001: controlled copies of an ended version must be recalled; shown to those who keep the register.
    copiesToRecall: user.permissions.includes("copies.read")
      ? await q.db.cached(
          `copies-to-recall:${id}:${today(q.config)}`,
          async () => (await listRegister(q.db, { status: "to-recall", doc: id }, today(q.config))).length,
        )
      : 0,
    versions: page.versions.map((s) => ({
      version: s.version.version,
      status: s.status,
      effectiveFrom: s.version.effectiveFrom,
      effectiveTo: s.effectiveTo,
      changeReason: s.version.changeReason,
    })),
    headings: page.headings,
    // On a full page load the body travels in the markup only; a client-side navigation gets it here.
    body: { hash: shown.version.contentHash, html: bodyForLoaderData(context.markupBodies, shown.version.contentHash, page.html) },
  });
}

export default function DocumentView() {
  const { pointInTime, doc, current, upcoming, versions, headings, body, signatures, can, retirement, copiesToRecall } = useLoaderData<typeof loader>();
  const endedBy = retirement && doc.effectiveTo === retirement.effectiveFrom ? "retired" : "superseded";
  const notCurrent = doc.status !== "effective";
  return (
    <article className="document" data-doc-id={doc.id} data-version={doc.version}>
      <header className="document-header">
        <p className="doc-kicker">
          {TYPE_LABELS[doc.type]} · {doc.id} · Version {doc.version}
        </p>
        <h1>{doc.title}</h1>
        {doc.summary ? <p className="lede">{doc.summary}</p> : null}
        {pointInTime ? (
          <p className="banner banner-info" role="status">
            As it stood on {pointInTime}: version {doc.version} was in force that day
            {doc.effectiveTo ? ` (${endedBy} on ${doc.effectiveTo})` : " and still is"}. <Link to={`/documents/${doc.id}`}>Open today&apos;s version</Link>
          </p>
        ) : notCurrent ? (
          <p className="banner banner-warning" role="status">
            {doc.status === "superseded"
              ? `${doc.wording.banner}: this version is shown for reference only.`
              : doc.status === "retired"
                ? `${doc.wording.banner}: no version of this document is in force; shown for reference only.`
                : `${doc.wording.banner}: not yet in force.`}{" "}
            {current ? <Link to={`/documents/${doc.id}`}>Open the version in force ({current})</Link> : null}
          </p>
        ) : upcoming ? (
          <p className="banner banner-info upcoming-version" role="status">
            Version {upcoming.version} is approved and takes effect on {upcoming.effectiveFrom}; until then this version is in force.{" "}
            <Link to={`/documents/${doc.id}?version=${upcoming.version}`}>Read version {upcoming.version}</Link>
          </p>
        ) : null}
      </header>
      <div className="document-layout">
        {/* The key facts (issue 13): status, version, dates, signatures and versions in a panel of their
            own beside the body, the contents on the other side, all in the first screen of a desktop and
            none in a nested scroll box; on a narrower screen the panels stack above the body. */}
        <aside className="metadata" aria-label="Document metadata">
          <dl className="key-facts">
            <dt>Version</dt>
            <dd>{doc.version}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={doc.status} /> <span className="muted small nowrap">{doc.wording.detail}</span>
            </dd>
            <dt>Effective date</dt>
            <dd>
              {doc.effectiveFrom}
              {doc.effectiveTo ? ` to ${doc.effectiveTo}` : ""}
            </dd>
            {retirement ? (
              <>
                <dt>Retired from</dt>
                <dd>
                  {retirement.effectiveFrom}, signed by {retirement.printedName}: {retirement.reason}
                </dd>
              </>
            ) : null}
            <dt>Next review</dt>
            <dd>{doc.nextReview ?? "–"}</dd>
          </dl>
          <h2 className="aside-heading">Signatures</h2>
          {signatures.length > 0 ? (
            <ul className="plain signature-manifest" data-testid="signatures">
              {signatures.map((s) => (
                <li key={s.id}>
                  <strong>{s.meaning}</strong> by {s.printedName}
                  <br />
                  <span className="muted small">{utcMinuteLabel(s.signedAt)}</span>
                  <br />
                  <span className="hash" title={s.contentHash}>
                    sha256 {s.contentHash.slice(0, 12)}… {s.contentHash === doc.contentHash ? "= this content" : "≠ this content"}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">Adopted at initialisation: approved before Quire, no electronic signatures.</p>
          )}
          <h2 className="aside-heading screen-only">Versions</h2>
          <ol className="plain versions">
            {versions.map((v) => (
              <li key={v.version}>
                <Link to={`/documents/${doc.id}?version=${v.version}`} aria-current={v.version === doc.version ? "page" : undefined}>
                  v{v.version}
                </Link>{" "}
                <StatusBadge status={v.status} />
                <span className="muted small nowrap">
                  {" "}
                  {v.effectiveFrom}
                  {v.effectiveTo ? ` – ${v.effectiveTo}` : ""}
                </span>
              </li>
            ))}
          </ol>
          <p className="small screen-only">
            <Link to={`/documents/${doc.id}/history`}>History and redlines</Link>
          </p>
          <Form method="get" className="as-of">
            <label htmlFor="effective-on">
              Effective on date
              <DateInput id="effective-on" name="on" defaultValue={pointInTime ?? ""} required />
            </label>
            <button type="submit" className="secondary">
              Show
            </button>
          </Form>
          <p className="download-pdf">
            {/* A resource route: a plain link, so the browser downloads the file instead of Remix routing to it. */}
            <a href={`/documents/${doc.id}/pdf?version=${doc.version}`} download>
              Download PDF
            </a>{" "}
            <span className="muted small">uncontrolled copy of v{doc.version}, valid on the day it is printed</span>
          </p>
          {copiesToRecall > 0 ? (
            <p className="banner banner-warning small screen-only" role="status">
              <Link to={`/copies?status=to-recall&doc=${doc.id}`}>
                {copiesToRecall} controlled {copiesToRecall === 1 ? "copy" : "copies"} to recall
              </Link>{" "}
              (version superseded or retired)
            </p>
          ) : null}
        </aside>
        <div className="document-side">
          {headings.length > 0 ? (
            <nav aria-label="Contents" className="toc">
              <h2 className="aside-heading">Contents</h2>
              <ol className="plain">
                {headings
                  .filter((h) => h.depth === 2)
                  .map((h) => (
                    <li key={h.id}>
                      <a href={`#${h.id}`}>{h.text}</a>
                    </li>
                  ))}
              </ol>
            </nav>
          ) : null}
          <section className="document-about" aria-labelledby="about-heading">
            <h2 className="aside-heading" id="about-heading">
              About this document
            </h2>
            <dl>
              <dt>Document ID</dt>
              <dd>{doc.id}</dd>
              <dt>Title</dt>
              <dd>{doc.title}</dd>
              <dt>Type</dt>
              <dd>{TYPE_LABELS[doc.type]}</dd>
              <dt>Owner</dt>
              <dd>{doc.owner}</dd>
              <dt>Audience</dt>
              <dd>
                <ul className="plain">
                  {doc.audience.map((a) => (
                    <li key={a}>{a}</li>
                  ))}
                </ul>
              </dd>
              <dt>Training</dt>
              <dd>
                {doc.training === "required" ? "Read and understood, signed" : "Read only"}
                {doc.training === "required" && can.readTraining ? (
                  <>
                    {" "}
                    · <Link to={`/training/documents/${doc.id}/${doc.version}`}>who is trained</Link>
                  </>
                ) : null}
              </dd>
              <dt>Reason for this version</dt>
              <dd>{doc.changeReason}</dd>
              <dt>Content SHA-256</dt>
              <dd className="hash" title={doc.contentHash}>
                {doc.contentHash.slice(0, 16)}…
              </dd>
            </dl>
            {doc.crId ? (
              <p className="small">
                Change request <Link to={`/changes/${doc.crId}`}>{doc.crId}</Link>
              </p>
            ) : null}
            {doc.related.length > 0 ? (
              <>
                <h2 className="aside-heading">Related documents</h2>
                <ul className="plain">
                  {doc.related.map((r) => (
                    <li key={r}>
                      <Link to={`/documents/${r}`}>{r}</Link>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
          {can.author || can.approve || can.withdraw || can.seeChanges || can.issueCopies || can.readCopies ? (
            <section className="screen-only" aria-labelledby="control-heading">
              <h2 className="aside-heading" id="control-heading">
                Document control
              </h2>
              <ul className="plain small control-links">
                {can.issueCopies ? (
                  <li>
                    <Link to={`/documents/${doc.id}/copies/new`}>Issue controlled copy</Link>
                  </li>
                ) : null}
                {can.readCopies ? (
                  <li>
                    <Link to={`/copies?doc=${doc.id}`}>Controlled copies of {doc.id}</Link>
                  </li>
                ) : null}
                {can.author ? (
                  <li>
                    <Link to={`/changes/new?doc=${doc.id}`}>Propose a change</Link>
                  </li>
                ) : null}
                {can.seeChanges ? (
                  <li>
                    <Link to={`/changes?doc=${doc.id}`}>Change requests for {doc.id}</Link>
                  </li>
                ) : null}
                {can.approve ? (
                  <li>
                    <Link to={`/documents/${doc.id}/review`}>Periodic review</Link>
                  </li>
                ) : null}
                {can.withdraw ? (
                  <li>
                    <Link to={`/documents/${doc.id}/retire`}>Withdraw the document</Link>
                  </li>
                ) : null}
              </ul>
            </section>
          ) : null}
        </div>
        <DocumentBody key={body.hash} hash={body.hash} html={body.html} />
      </div>
      <p className="print-note">
        A browser printout is an uncontrolled copy without page numbers or a signature page: use &ldquo;Download PDF&rdquo; on the document page for the
        controlled layout.
      </p>
      <footer className="print-footer">
        {doc.id} v{doc.version} · {doc.status === "effective" ? "Effective" : doc.status} ·{" "}
        {signatures.map((s) => `${s.meaning}: ${s.printedName} ${utcMinuteLabel(s.signedAt)}`).join(" · ")} · printed copy is uncontrolled unless issued through
        Quire
      </footer>
    </article>
  );
}

/**
 * The document's body, rendered once on the server from validated MDX and cached by content hash.
 * Its HTML comes from the loader data (client navigation), the request's markup bodies (server render,
 * app/web/page-bodies.ts), or the markup already in the page (hydration), so a full page load carries it
 * only once.
 */
function DocumentBody({ hash, html }: { hash: string; html: string | null }) {
  const markupBodies = useContext(MarkupBodyContext);
  const [content] = useState(
    () => html ?? markupBodies.get(hash) ?? (typeof document === "undefined" ? "" : (document.getElementById(`body-${hash}`)?.innerHTML ?? "")),
  );
  return <div className="document-body" id={`body-${hash}`} dangerouslySetInnerHTML={{ __html: content }} />;
}
