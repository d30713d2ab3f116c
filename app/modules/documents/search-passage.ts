// A search passage as FTS5 returns it, with the matched words marked: shared by the server (which asks
// FTS5 for these marks) and the library page (which shows them as <mark>, never as HTML).

/** Marks a matched word in a passage. */
export const MATCH_START = "\u0002";
export const MATCH_END = "\u0003";

/** A passage split into plain and matched stretches, for the page to render without HTML. */
export function passageParts(passage: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const re = new RegExp(`${MATCH_START}([^${MATCH_END}]*)${MATCH_END}`, "g");
  let last = 0;
  for (const m of passage.matchAll(re)) {
    if (m.index > last) parts.push({ text: passage.slice(last, m.index), match: false });
    parts.push({ text: m[1]!, match: true });
    last = m.index + m[0].length;
  }
  if (last < passage.length) parts.push({ text: passage.slice(last), match: false });
  return parts;
}
