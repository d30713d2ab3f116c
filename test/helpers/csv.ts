/**
 * A small RFC 4180 reader for checking exports, written independently of the exporter: quoted
 * fields may hold commas, doubled quotes, CR and LF; records end with CRLF (or LF). An unquoted
 * empty field reads as null, a quoted empty one as "" (the export's NULL convention).
 */
export function parseCsv(text: string): Array<Array<string | null>> {
  const records: Array<Array<string | null>> = [];
  let record: Array<string | null> = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field: string | null;
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= n) throw new Error("CSV: unterminated quoted field");
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          value += c;
          i++;
        }
      }
      field = value;
      if (i < n && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") throw new Error(`CSV: text after a closing quote at ${i}`);
    } else {
      let end = i;
      while (end < n && text[end] !== "," && text[end] !== "\r" && text[end] !== "\n") {
        if (text[end] === '"') throw new Error(`CSV: a quote inside an unquoted field at ${end}`);
        end++;
      }
      field = end === i ? null : text.slice(i, end);
      i = end;
    }
    record.push(field);
    if (i >= n) {
      records.push(record);
      return records;
    }
    if (text[i] === ",") {
      i++;
      continue;
    }
    // End of record: CRLF or LF.
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    records.push(record);
    record = [];
    if (i >= n) return records;
  }
}

/** The records as objects keyed by the header row. */
export function csvObjects(text: string): { header: string[]; rows: Array<Record<string, string | null>> } {
  const [header, ...rest] = parseCsv(text);
  if (!header) throw new Error("CSV: no header row");
  const names = header.map((h) => h ?? "");
  return { header: names, rows: rest.map((r) => Object.fromEntries(names.map((h, k) => [h, r[k] ?? null]))) };
}
