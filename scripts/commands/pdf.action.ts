// What `quire pdf` does, loaded only when it runs (scripts/commands/pdf.ts defines the command).
import { z } from "zod";

import { now } from "~/clock.server";
import { PdfRequestError, printableVersion, recordPdfExport, writePdfFile } from "~/modules/pdf/pdf.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z
  .object({
    doc: z.string().min(1, "--doc needs a document id"),
    version: z
      .string()
      .regex(/^\d+\.\d+$/, "--version must be written X.Y, e.g. 2.0")
      .optional(),
    on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }).optional(),
    out: z.string().min(1, "--out needs a file name"),
    json: z.boolean().optional(),
  })
  .refine((o) => o.version === undefined || o.on === undefined, { message: "give --version or --on, not both" });

export async function pdf(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { doc, version, on, out, json } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const actor = cliActor();
    const printedAt = now(q.config);
    const input = await printableVersion(q, { docId: doc, version, on }, { printedAt, printedBy: actor.username ?? "quire CLI", copyId: null });
    const written = await writePdfFile(input, out);
    await recordPdfExport(q.db, actor, input, written, printedAt);
    const v = input.version;
    if (json) printJson({ doc, version: v.version, status: v.status, pages: written.pages, sha256: written.sha256, out: written.out });
    else process.stdout.write(`${doc} v${v.version} (${v.status}): ${written.pages} pages written to ${written.out} (sha256 ${written.sha256})\n`);
    process.exitCode = EXIT.ok;
  } catch (error) {
    if (error instanceof PdfRequestError) fail(error.message);
    throw error;
  } finally {
    await q.db.close();
  }
}
