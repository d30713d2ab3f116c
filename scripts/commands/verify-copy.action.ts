// What `quire verify-copy` does, loaded only when it runs (scripts/commands/verify-copy.ts defines the command).
import fs from "node:fs";
import path from "node:path";

import { today } from "~/clock.server";
import { COPY_STATUS_LABELS } from "~/modules/copies/copies";
import { verifyCopyFile, type CopyVerdict } from "~/modules/copies/verify-copy.server";
import { STATUS_LABELS } from "~/modules/pdf/pdf";

import { EXIT, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

export async function verifyCopy(file: string, opts: { json?: boolean }): Promise<void> {
  const bytes = readInput(file, opts.json === true);
  const q = await openDataFolderOrExit();
  try {
    const verdict = await verifyCopyFile(q.db, file, bytes, today(q.config));
    if (opts.json) printJson(verdict);
    else process.stdout.write(describe(verdict));
    process.exitCode = !verdict.genuine ? EXIT.badInput : verdict.current ? EXIT.ok : EXIT.problems;
  } finally {
    await q.db.close();
  }
}

/** The file's bytes, or exit 2 naming why it cannot be read. */
function readInput(file: string, json: boolean): Buffer {
  let problem: string;
  try {
    if (fs.statSync(file).isDirectory()) problem = `${file} is a folder, not a PDF file`;
    else return fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === "ENOENT" ? `there is no file ${path.resolve(file)}` : `cannot read ${file} (${code ?? String(error)})`;
  }
  if (json) printJson({ file, genuine: false, copyId: null, doc: null, version: null, status: null, current: false, problems: [problem] });
  fail(problem);
}

function describe(v: CopyVerdict): string {
  if (!v.genuine) {
    const what = v.copyId ? `claims to be controlled copy ${v.copyId}, but is NOT genuine` : "is NOT a genuine copy printed by Quire";
    return `${v.file} ${what}:\n${v.problems.map((p) => `  - ${p}\n`).join("")}`;
  }
  const status = v.status ? STATUS_LABELS[v.status].toLowerCase() : "unknown";
  const lines: string[] = [];
  if (v.kind === "controlled") {
    lines.push(`${v.file}: genuine controlled copy ${v.copyId} of ${v.doc} v${v.version}, printed ${v.printedAt} for issue by ${v.printedBy}.`);
    lines.push(`Version ${v.version} is ${status} today; the copy is ${COPY_STATUS_LABELS[v.copyStatus!].toLowerCase()} in the register.`);
    if (v.recall) lines.push(`It was ${v.recall.outcome} on ${v.recall.closedOn} (recorded by ${v.recall.recordedByName}): it must not be used.`);
    else if (v.copyStatus === "to-recall") lines.push("It must be returned or destroyed and the recall recorded (SOP-DC-001).");
  } else {
    lines.push(`${v.file}: genuine uncontrolled copy of ${v.doc} v${v.version}, printed on ${v.printedAt?.slice(0, 10)} by ${v.printedBy}.`);
    lines.push(`Version ${v.version} is ${status} today. An uncontrolled copy is valid only on the day it was printed (SOP-DC-001).`);
  }
  lines.push(v.current ? "Current: yes." : "Current: NO.");
  return `${lines.join("\n")}\n`;
}
