// What `quire review-pack` does (inspection questions 19 and 21), loaded only when it runs.
import path from "node:path";

import { z } from "zod";

import { now, today } from "~/clock.server";
import { ReviewPackRequestError, checkReviewPeriod, recordReviewPackExport, writeReviewPack } from "~/modules/kpi/review-pack.server";
import { PdfRequestError, checkWritable } from "~/modules/pdf/pdf.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z.object({ from: z.string(), to: z.string(), out: z.string().min(1), json: z.boolean().optional() });

export async function reviewPack(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { from, to, out, json } = parsed.data;
  const target = path.resolve(out);
  try {
    checkWritable(target);
  } catch (error) {
    if (error instanceof PdfRequestError) fail(error.message);
    throw error;
  }
  const q = await openDataFolderOrExit();
  try {
    const on = today(q.config);
    const problem = checkReviewPeriod(from, to, on);
    if (problem) fail(problem);
    try {
      const actor = cliActor();
      const request = { from, to, printedBy: actor.username ?? "quire CLI", printedAt: now(q.config) };
      const written = await writeReviewPack(q, request, on, target);
      await recordReviewPackExport(q.db, actor, request, written, request.printedAt);
      if (json) printJson({ out: target, pages: written.pages, sha256: written.sha256, bytes: written.bytes, from, to });
      else process.stdout.write(`Wrote ${target}: management review input report for ${from} to ${to}, ${written.pages} page(s), sha256:${written.sha256}.\n`);
    } catch (error) {
      if (error instanceof ReviewPackRequestError) fail(error.message);
      throw error;
    }
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}
