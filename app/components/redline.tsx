import type { CondensedPart, RedlinePart } from "~/modules/documents/redline";

/** A word-level redline: insertions underlined, deletions struck through, for non-programmers. */
export function RedlineText({ parts }: { parts: readonly (RedlinePart | CondensedPart)[] }) {
  return (
    <div className="redline" data-testid="redline">
      {parts.map((p, i) =>
        p.kind === "added" ? (
          <ins key={i}>{p.text}</ins>
        ) : p.kind === "removed" ? (
          <del key={i}>{p.text}</del>
        ) : p.kind === "skipped" ? (
          <span key={i} className="redline-skipped">
            {" "}
            [… {p.words} unchanged words …]{" "}
          </span>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </div>
  );
}
