import { spawnSync } from "node:child_process";

/** Runs a poppler or qpdf tool; throws with its stderr if it fails. */
export function tool(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The text of each page (`pdftotext -raw`: a rotated watermark stays readable, stack.md pitfall 7). */
export function pageTexts(file: string): string[] {
  const { stdout } = tool("pdftotext", ["-raw", file, "-"]);
  const pages = stdout.split("\f");
  if (pages.at(-1)?.trim() === "") pages.pop();
  return pages;
}

/**
 * The diagonal watermark of a page: pdftotext gives a diagonal line of text one letter per line, so
 * runs of single-letter lines are joined back into words ("SUPERSEDED", "APPROVEDNOTYETEFFECTIVE").
 */
export function watermarkOf(pageText: string): string {
  const letters: string[] = [];
  let best = "";
  for (const line of pageText.split("\n")) {
    if (/^[A-Z]$/.test(line.trim())) letters.push(line.trim());
    else {
      if (letters.length > best.length) best = letters.join("");
      letters.length = 0;
    }
  }
  return letters.length > best.length ? letters.join("") : best;
}

/** pdffonts' table as rows: name, type, embedded. */
export function fontsOf(file: string): { name: string; type: string; embedded: boolean }[] {
  const lines = tool("pdffonts", [file]).stdout.split("\n").slice(2).filter(Boolean);
  return lines.map((line) => {
    // name  type (may contain spaces)  encoding  emb sub uni  object ID
    const m = /^(\S+)\s+(.+?)\s{2,}(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$/.exec(line);
    if (!m) throw new Error(`pdffonts line not understood: ${line}`);
    return { name: m[1]!, type: m[2]!, embedded: m[4] === "yes" };
  });
}

/** pdfinfo's fields by name. */
export function infoOf(file: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of tool("pdfinfo", [file]).stdout.split("\n")) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) fields[m[1]!.trim()] = m[2]!.trim();
  }
  return fields;
}

/** The 14 fonts every PDF reader must have, which pdfkit never embeds. */
export const STANDARD_14 = /Helvetica|Times|Courier|Symbol|ZapfDingbats/i;
