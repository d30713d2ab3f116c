import type { RedlinePart } from "~/modules/documents/redline";

/** A word-level redline: insertions underlined, deletions struck through, for non-programmers. */
export function RedlineText({ parts }: { parts: readonly RedlinePart[] }) {
  return (
    <div className="redline" data-testid="redline">
      {parts.map((p, i) =>
        p.kind === "added" ? <ins key={i}>{p.text}</ins> : p.kind === "removed" ? <del key={i}>{p.text}</del> : <span key={i}>{p.text}</span>,
      )}
    </div>
  );
}
