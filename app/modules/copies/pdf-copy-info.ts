// Reads the copy number a Quire PDF carries in its info dictionary (COPY_INFO_KEY), without a PDF
// library: pdfkit writes the info dictionary and each of its values as plain indirect objects. This
// is only how `verify-copy` finds the register entry; what proves a copy genuine is its SHA-256.
import { COPY_INFO_KEY } from "~/modules/pdf/pdf";

export type CopyInfo = { ok: true; copy: string } | { ok: false; problem: string };

/** The value of the copy key (a copy number or "uncontrolled"), or why it could not be read. */
export function readCopyInfo(bytes: Buffer): CopyInfo {
  if (bytes.length < 8 || bytes.subarray(0, 5).toString("latin1") !== "%PDF-")
    return { ok: false, problem: "the file is not a PDF (it does not start with %PDF-)" };
  const text = bytes.toString("latin1");
  if (!/%%EOF\s*$/.test(text.slice(-64))) return { ok: false, problem: "the PDF is incomplete (no %%EOF at its end)" };
  const key = `/${COPY_INFO_KEY}`;
  const values = new Set<string>();
  let from = 0;
  for (;;) {
    const at = text.indexOf(key, from);
    if (at < 0) break;
    from = at + key.length;
    const value = valueAfterKey(text, from);
    if (value !== null) values.add(value);
  }
  if (values.size === 0)
    return { ok: false, problem: `the PDF's metadata has no Quire copy number (${COPY_INFO_KEY}): it was not printed by Quire, or was rewritten since` };
  // An incremental update may add a second info dictionary: two different numbers is an alteration.
  if (values.size > 1) return { ok: false, problem: `the PDF's metadata names more than one copy (${[...values].join(", ")}): it was altered` };
  return { ok: true, copy: [...values][0]! };
}

/** `/Key (literal)` or `/Key N 0 R` pointing at `N 0 obj (literal) endobj`. */
function valueAfterKey(text: string, from: number): string | null {
  const rest = text.slice(from, from + 200);
  const direct = /^\s*\(((?:[^()\\]|\\.){1,120})\)/s.exec(rest);
  if (direct) return unescapeLiteral(direct[1]!);
  const ref = /^\s*(\d+)\s+(\d+)\s+R/.exec(rest);
  if (!ref) return null;
  const object = new RegExp(`(?:^|[\\r\\n\\s])${ref[1]}\\s+${ref[2]}\\s+obj\\s*\\(((?:[^()\\\\]|\\\\.){1,120})\\)\\s*endobj`, "s").exec(text);
  return object ? unescapeLiteral(object[1]!) : null;
}

function unescapeLiteral(s: string): string {
  return s.replace(/\\([nrtbf()\\])/g, (_, c: string) => ({ n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" })[c] ?? c);
}
