// The binder's sections, each a builder over the record as of the day. BINDER_SECTIONS is the order
// they are bound in; the cover and the index come first (binder-pdf.server.ts).
import { COPY_STATUS_LABELS } from "~/modules/copies/copies";
import { addOutlineEntry, drawRuns } from "~/modules/pdf/blocks";
import { BODY_SIZE, pageBottom } from "~/modules/pdf/draw-context";
import { drawFooter, drawHeader, drawVersion, newDrawContext } from "~/modules/pdf/layout";
import { utcDate, utcTime } from "~/modules/pdf/pdf";
import { drawTable } from "~/modules/pdf/table";

import { generatedLine, type BinderRun, type ManifestSignature, type Store } from "./binder";
import { copyRegisterAsOf } from "./binder-copies.server";
import {
  auditEventCount,
  auditRowsUpTo,
  binderVersionInput,
  signatureManifest,
  sourcesInOrder,
  trainingAsOf,
  versionsInForce,
  type SourceReader,
  type TrainingAsOf,
  type VersionInForce,
} from "./binder-data.server";
import {
  drawBinderLine,
  drawPartFurniture,
  type BinderPart,
  type BinderSection,
  type OpenPart,
  type PageNumbers,
  type PartContext,
} from "./binder-layout.server";
import { CompactTable, type CompactColumn } from "./compact-table";

/** What every section may use, read once before the first pass. */
export interface BinderFacts {
  inForce: VersionInForce[];
  /** Their sources, read a batch at a time as the parts reach them (not all held at once). */
  sources: SourceReader;
  signatures: ManifestSignature[];
  auditEvents: number;
  training: TrainingAsOf;
}

export interface BinderSource {
  q: Store;
  run: BinderRun;
  facts: BinderFacts;
}

export type SectionBuilder = (source: BinderSource) => Promise<BinderSection>;

/** Reads what the sections need; refuses a day on which no document was in force. */
export async function gatherFacts(q: Store, run: BinderRun): Promise<BinderFacts> {
  const inForce = await versionsInForce(q, run.asOf);
  const [signatures, auditEvents, training] = await Promise.all([
    signatureManifest(q.db, run.asOf),
    auditEventCount(q.db, run.asOf),
    trainingAsOf(q, run.asOf),
  ]);
  return { inForce, sources: sourcesInOrder(q, inForce), signatures, auditEvents, training };
}

/** A binder page that is not a document version: its title in the header, the binder's lines in the footer. */
function partFurniture(run: BinderRun, title: string): OpenPart["furniture"] {
  const copy = `${title} · Uncontrolled copy: valid on ${utcDate(run.generatedAt)} only`;
  const generated = generatedLine(run);
  return (doc, numbers) => drawPartFurniture(doc, run, title, numbers, { copy, generated });
}

function heading(ctx: PartContext, text: string, depth = 2): void {
  addOutlineEntry(ctx.draw, depth, text);
  drawRuns(ctx.draw, [{ text, font: "bold" }], depth <= 2 ? 15 : 11.5, 6);
}

function note(ctx: PartContext, text: string): void {
  drawRuns(ctx.draw, [{ text, font: "regular" }], BODY_SIZE - 1, 6);
}

// ---------------------------------------------------------------------------------------------
// Documents in force: each version laid out by the PDF engine as on its own copy, status and
// revision history as of the day.

const documentsSection: SectionBuilder = async ({ q, run, facts }) => ({
  title: `Documents in force on ${run.asOf}`,
  cover: [["Document versions in force", String(facts.inForce.length)]],
  parts: facts.inForce.map((v): BinderPart => {
    return {
      id: `document:${v.docId}`,
      title: `${v.docId} v${v.version} ${v.title}`,
      async open() {
        // Gathered again for each pass (a few queries, the source a batch at a time): held only while drawn.
        const input = await binderVersionInput(q, v, await facts.sources(v), run);
        return {
          furniture(doc, n: PageNumbers) {
            drawHeader(doc, input);
            drawFooter(doc, input, n.page, n.pages);
            drawBinderLine(doc, run, n);
          },
          async draw(ctx) {
            // The engine's own context, sharing the binder's style and filing its bookmarks under the section.
            drawVersion({ ...newDrawContext(ctx.draw.doc, input), style: ctx.draw.style, outline: ctx.draw.outline }, input, { keepTree: false });
          },
        };
      },
    };
  }),
});

// ---------------------------------------------------------------------------------------------
// The signature manifest: every document-control e-signature up to the end of the day.

const signatureManifestSection: SectionBuilder = async ({ run, facts }) =>
  listSection(run, {
    id: "signatures",
    title: "Signature manifest",
    cover: [["Document-control e-signatures", String(facts.signatures.length)]],
    intro: `Every document-control electronic signature (authored, reviewed, approved, periodic review, retired) made by the end of ${run.asOf} (UTC), oldest first: who signed, the meaning, when, the document and version, and the SHA-256 of the exact content signed (21 CFR Part 11 §11.50, §11.70). Read-and-understood signatures are in the training records.`,
    columns: [
      { header: "Signed (UTC)", weight: 15 },
      { header: "Signed by", weight: 20 },
      { header: "Meaning", weight: 12 },
      { header: "Document", weight: 12 },
      { header: "Version", weight: 6 },
      { header: "Change request", weight: 12 },
    ],
    items: facts.signatures,
    cells: (s) => [utcTime(s.signedAt).replace(" UTC", ""), `${s.printedName} (${s.username})`, s.meaning, s.docId, s.version ?? "–", s.crId ?? "–"],
    second: (s) => `Content SHA-256 ${s.contentHash}`,
    empty: "No document-control signature had been made by then.",
  });

// ---------------------------------------------------------------------------------------------
// The audit trail up to the end of the day, streamed from the database.

const auditTrailSection: SectionBuilder = async ({ q, run, facts }) => {
  const title = `Audit trail to the end of ${run.asOf}`;
  return {
    title,
    cover: [["Audit trail events", String(facts.auditEvents)]],
    parts: [
      {
        id: "audit",
        title,
        async open() {
          return {
            furniture: partFurniture(run, "Audit trail"),
            async draw(ctx) {
              heading(ctx, title);
              note(
                ctx,
                `${facts.auditEvents} events recorded by the end of ${run.asOf} (UTC), chosen by the time each was recorded, in sequence order (21 CFR Part 11 §11.10(e)). The trail is append-only and hash-chained; every column, the old and new values and each row's hash are in the CSV (the binder's ZIP, or /audit.csv), from which the chain can be re-verified outside Quire.`,
              );
              const table = new CompactTable(ctx, [
                { header: "Seq", weight: 6 },
                { header: "Time (UTC)", weight: 15 },
                { header: "Who", weight: 14 },
                { header: "Action", weight: 22 },
                { header: "Object", weight: 24 },
              ]);
              let last: { seq: number; hash: string } | null = null;
              for await (const batch of auditRowsUpTo(q.db, run.asOf)) {
                for (const r of batch) {
                  table.row([
                    String(r.seq),
                    utcTime(r.at).replace(" UTC", ""),
                    r.username ?? "system",
                    r.action,
                    `${r.object_type}${r.object_id ? ` ${r.object_id}` : ""}`,
                  ]);
                }
                last = batch[batch.length - 1]!;
              }
              table.end();
              if (last) {
                if (ctx.draw.doc.y + 40 > pageBottom(ctx.draw.doc)) ctx.breakPage();
                drawRuns(ctx.draw, [
                  { text: `Last row to the end of ${run.asOf}: seq ${last.seq}, hash `, font: "regular" },
                  { text: last.hash, font: "mono" },
                ]);
              }
            },
          };
        },
      },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// Training as of the day: the matrix, and each person's record.

const trainingSection: SectionBuilder = async ({ run, facts }) => {
  const title = `Training as of ${run.asOf}`;
  const { matrix, people } = facts.training;
  return {
    title,
    cover: [
      ["Documents requiring training", String(matrix.length)],
      ["People with training records", String(people.length)],
    ],
    parts: [
      {
        id: "training-matrix",
        title: "Training matrix",
        async open() {
          return {
            furniture: partFurniture(run, "Training matrix"),
            async draw(ctx) {
              heading(ctx, `Training matrix as of ${run.asOf}`);
              note(
                ctx,
                `For each document requiring training, the version in force on ${run.asOf}, the people assigned it (or the version it revised without retraining) by then, and those who had signed "Read and understood" by the end of the day (UTC), the rule of \`quire trained\`.`,
              );
              drawTable(ctx.draw, {
                header: ["Document", "Version", "Title", "Assigned", "Trained", "Not trained by the end of the day"],
                rows: matrix.map((m) => [m.docId, m.version, m.title, String(m.assigned), String(m.trained), m.notTrained.join(", ") || "–"]),
                weights: [2.2, 1.2, 3.5, 1.4, 1.4, 4.5],
              });
              if (matrix.length === 0) note(ctx, "No document in force that day required training.");
            },
          };
        },
      },
      {
        id: "training-records",
        title: "Training records",
        async open() {
          return {
            furniture: partFurniture(run, "Training records"),
            async draw(ctx) {
              heading(ctx, `Training records as of ${run.asOf}`);
              note(
                ctx,
                `Each person assigned training on a document in force that day: what they were trained on by the end of ${run.asOf} (UTC), the version signed and when.`,
              );
              for (const p of people) {
                // A person starts on a fresh page when the heading and two rows would not fit: the pages before are written out.
                if (ctx.draw.doc.y + 90 > pageBottom(ctx.draw.doc)) ctx.breakPage();
                heading(ctx, `${p.displayName} (${p.username})`, 3);
                drawTable(ctx.draw, {
                  header: ["Document", "Title", "Version in force", "Trained", "Signed"],
                  rows: p.lines.map((l) => [
                    l.docId,
                    l.title,
                    l.version,
                    l.trained ? "yes" : "NO",
                    l.signedAt ? `v${l.signedVersion ?? "?"} at ${utcTime(l.signedAt)}` : "not signed",
                  ]),
                  weights: [2.2, 4, 1.6, 1.3, 3.6],
                });
              }
              if (people.length === 0) note(ctx, "Nobody had been assigned training on a document in force that day.");
            },
          };
        },
      },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// The controlled copy register as of the day (SOP-DC-001; inspection question 8): which copies were
// out, of which version, and whether those of ended versions had been recalled by then.

const copyRegisterSection: SectionBuilder = async ({ q, run }) => {
  const copies = await copyRegisterAsOf(q.db, run.asOf);
  return listSection(run, {
    id: "copies",
    title: "Controlled copy register",
    cover: [
      ["Controlled copies issued", String(copies.length)],
      ["Controlled copies to recall", String(copies.filter((c) => c.status === "to-recall").length)],
    ],
    intro: `Every numbered controlled copy issued by the end of ${run.asOf} (UTC), with its status that day: outstanding, to recall (its version had been superseded or retired) or closed (returned or destroyed, recorded by then). Each copy's SHA-256 identifies the file issued.`,
    columns: [
      { header: "Copy", weight: 16 },
      { header: "Status", weight: 9 },
      { header: "Recipient", weight: 18 },
      { header: "Location", weight: 18 },
      { header: "Issued (UTC)", weight: 13 },
      { header: "Closed", weight: 12 },
    ],
    items: copies,
    cells: (c) => [
      c.copyId,
      COPY_STATUS_LABELS[c.status],
      c.recipient,
      c.location,
      utcTime(c.issuedAt).replace(" UTC", ""),
      c.recall ? `${c.recall.outcome} ${c.recall.closedOn}` : "–",
    ],
    second: (c) => `Issued by ${c.issuedByName} · SHA-256 ${c.sha256}`,
    empty: "No controlled copy had been issued by then.",
  });
};

// ---------------------------------------------------------------------------------------------
// A section that is one list read before the first pass: a heading, what it holds, and a compact
// table with a second line a row (a hash), or a note that it was empty then.

interface ListSection<T> {
  id: string;
  title: string;
  cover: [string, string][];
  intro: string;
  columns: readonly CompactColumn[];
  items: readonly T[];
  cells: (item: T) => string[];
  second: (item: T) => string;
  empty: string;
}

function listSection<T>(run: BinderRun, l: ListSection<T>): BinderSection {
  return {
    title: l.title,
    cover: l.cover,
    parts: [
      {
        id: l.id,
        title: l.title,
        async open() {
          return {
            furniture: partFurniture(run, l.title),
            async draw(ctx) {
              heading(ctx, l.title);
              note(ctx, l.intro);
              const table = new CompactTable(ctx, l.columns, { font: "mono" });
              for (const item of l.items) table.row(l.cells(item), l.second(item));
              if (l.items.length === 0) note(ctx, l.empty);
              table.end();
            },
          };
        },
      },
    ],
  };
}

/** The binder's sections in the order they are bound, after the cover and the index. */
export const BINDER_SECTIONS: readonly SectionBuilder[] = [documentsSection, copyRegisterSection, signatureManifestSection, auditTrailSection, trainingSection];
