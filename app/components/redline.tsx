import type { ReactNode } from "react";

import type { Block, Redline, RedlineEntry, Segment } from "~/modules/documents/redline";

/**
 * A redline for non-programmers: the document's own structure (headings as headings, list items,
 * table rows with cells, step titles and owners), inserted text underlined, deleted text struck
 * through, unchanged stretches folded into <details> that open without JavaScript.
 */
export function RedlineView({ redline }: { redline: Redline }) {
  return (
    <div className="redline" data-testid="redline">
      {redline.replaced ? (
        <p className="redline-note">
          These versions differ too much to compare paragraph by paragraph: the part that differs is shown deleted in full, then inserted in full.
        </p>
      ) : null}
      {renderEntries(redline.entries)}
    </div>
  );
}

type Shown = Exclude<RedlineEntry, { op: "unchanged" }>;

type Group =
  | { type: "list"; ordered: boolean; entries: Shown[] }
  | { type: "table"; entries: Shown[] }
  | { type: "block"; entry: Shown }
  | { type: "unchanged"; blocks: Block[]; summary: string };

/** Consecutive list items become one list and consecutive rows one table, as in the document. */
function groupEntries(entries: readonly RedlineEntry[]): Group[] {
  const groups: Group[] = [];
  for (const entry of entries) {
    if (entry.op === "unchanged") {
      groups.push({ type: "unchanged", blocks: entry.blocks, summary: entry.summary });
      continue;
    }
    const last = groups.at(-1);
    const { block } = entry;
    if (block.kind === "item") {
      const ordered = block.ordered === true;
      if (last?.type === "list" && last.ordered === ordered) last.entries.push(entry);
      else groups.push({ type: "list", ordered, entries: [entry] });
    } else if (block.kind === "row") {
      const first = last?.type === "table" ? last.entries[0]?.block : undefined;
      if (last?.type === "table" && first?.cells?.length === block.cells?.length && first?.depth === block.depth) last.entries.push(entry);
      else groups.push({ type: "table", entries: [entry] });
    } else groups.push({ type: "block", entry });
  }
  return groups;
}

function renderEntries(entries: readonly RedlineEntry[]): ReactNode[] {
  return groupEntries(entries).map((group, i) => {
    switch (group.type) {
      case "unchanged":
        return (
          <details key={i} className="redline-unchanged">
            <summary>{group.summary}</summary>
            <div className="redline-unchanged-body">{renderEntries(group.blocks.map((block) => ({ op: "same", block })))}</div>
          </details>
        );
      case "list": {
        const items = group.entries.map((entry, k) => (
          <li key={k} className={classes(entry)} value={group.ordered ? entry.block.ordinal : undefined}>
            {content(entry)}
          </li>
        ));
        return group.ordered ? (
          <ol key={i} className="redline-list">
            {items}
          </ol>
        ) : (
          <ul key={i} className="redline-list">
            {items}
          </ul>
        );
      }
      case "table":
        return (
          <div key={i} className={`redline-table redline-depth-${depthOf(group.entries[0]?.block)}`}>
            <table>
              <tbody>
                {group.entries.map((entry, k) => (
                  <tr key={k} className={classes(entry)}>
                    {cellsOf(entry).map((cell, c) =>
                      entry.block.header ? (
                        <th key={c} scope="col">
                          {cell}
                        </th>
                      ) : (
                        <td key={c}>{cell}</td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      case "block":
        return <BlockView key={i} entry={group.entry} />;
    }
  });
}

const HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"] as const;

function BlockView({ entry }: { entry: Shown }) {
  const { block } = entry;
  const className = classes(entry);
  switch (block.kind) {
    case "heading": {
      const Heading = HEADINGS[(block.level ?? 2) - 1] ?? "h2";
      return <Heading className={className}>{content(entry)}</Heading>;
    }
    case "step-title":
      return (
        <p className={className}>
          {block.ordinal !== undefined ? <span className="redline-label">Step {block.ordinal}: </span> : null}
          <strong>{content(entry)}</strong>
        </p>
      );
    case "step-owner":
      return (
        <p className={className}>
          <span className="redline-label">Performed by: </span>
          {content(entry)}
        </p>
      );
    case "code":
      return <pre className={className}>{content(entry)}</pre>;
    default:
      return <p className={className}>{content(entry)}</p>;
  }
}

function depthOf(block: Block | undefined): number {
  return Math.min(4, block?.depth ?? 0);
}

function classes(entry: Shown): string {
  return [`redline-${entry.block.kind}`, `redline-depth-${depthOf(entry.block)}`, entry.op === "same" ? "" : `redline-${entry.op}`].filter(Boolean).join(" ");
}

/** A block's text with its marks. */
function content(entry: Shown): ReactNode {
  switch (entry.op) {
    case "same":
      return entry.block.text;
    case "added":
      return <ins>{entry.block.text}</ins>;
    case "removed":
      return <del>{entry.block.text}</del>;
    case "changed":
      return segments(entry.segments);
  }
}

function cellsOf(entry: Shown): ReactNode[] {
  const cells = entry.block.cells ?? [entry.block.text];
  if (entry.op === "changed" && entry.cells) return entry.cells.map((cell) => segments(cell));
  if (entry.op === "added") return cells.map((cell) => (cell ? <ins>{cell}</ins> : null));
  if (entry.op === "removed") return cells.map((cell) => (cell ? <del>{cell}</del> : null));
  return cells;
}

function segments(parts: readonly Segment[]): ReactNode {
  return parts.map((s, i) => (s.kind === "added" ? <ins key={i}>{s.text}</ins> : s.kind === "removed" ? <del key={i}>{s.text}</del> : s.text));
}
