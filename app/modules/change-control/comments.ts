// Review comments (SOP-DC-001, "Review the draft"): a comment may be on a section of the draft, and
// the author resolves each one, by changing the text or by recording why no change is needed; the
// draft goes to approval only when every comment is closed. Pure: change-control.server.ts records.

export const COMMENT_OUTCOMES = ["changed", "no-change"] as const;
export type CommentOutcome = (typeof COMMENT_OUTCOMES)[number];

export const OUTCOME_LABELS: Record<CommentOutcome, string> = {
  changed: "Text changed",
  "no-change": "No change needed",
};

export function isCommentOutcome(value: unknown): value is CommentOutcome {
  return typeof value === "string" && (COMMENT_OUTCOMES as readonly string[]).includes(value);
}

/** What a comment needs to say whether it is still open. */
export interface CommentState {
  kind: "comment" | "rejection" | "withdrawal";
  userId: string;
  resolution: unknown | null;
}

/**
 * A comment the author must still resolve: a reviewer's or approver's comment with no resolution.
 * The author's own remarks and a withdrawal are notes; a rejection's reason is answered by the
 * revised draft the author submits again (a new review round), not by a resolution.
 */
export function isOpenComment(comment: CommentState, authorId: string): boolean {
  return comment.kind === "comment" && comment.userId !== authorId && comment.resolution === null;
}

const HEADING = /^(#{2,4})\s+(.+?)\s*#*\s*$/;
const STEP = /<Step\b[^>]*\btitle="([^"]+)"/g;

/**
 * The sections of a draft a comment can be on, in document order: its headings (levels 2 to 4) and
 * its procedure steps' titles, as plain text. Fenced code is skipped.
 */
export function draftSections(source: string): string[] {
  const body = source.replace(/^---\n[\s\S]*?\n---\n/, "");
  const sections: string[] = [];
  let fenced = false;
  for (const line of body.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = HEADING.exec(line);
    if (heading) sections.push(plain(heading[2]!));
    for (const step of line.matchAll(STEP)) sections.push(`Step: ${plain(step[1]!)}`);
  }
  return [...new Set(sections)];
}

function plain(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]/g, "")
    .trim();
}
