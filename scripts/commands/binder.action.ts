// What `quire binder` does (inspection question 18), loaded only when it runs.
import { Presets, SingleBar } from "cli-progress";
import { z } from "zod";

import { now } from "~/clock.server";
import { AsOfSchema, BinderRequestError, type BinderProgress, type ProgressListener } from "~/modules/binder/binder";
import { buildBinder, recordBinderExport } from "~/modules/binder/binder.server";
import { PdfRequestError } from "~/modules/pdf/pdf.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z.object({
  asOf: AsOfSchema,
  out: z.string().min(1, "--out needs a file name"),
  zip: z.boolean().optional(),
  json: z.boolean().optional(),
});

export async function binder(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { asOf, out, zip, json } = parsed.data;
  const q = await openDataFolderOrExit();
  const progress = process.stderr.isTTY ? progressBar() : progressLines();
  try {
    const actor = cliActor();
    const run = { asOf, generatedAt: now(q.config), generatedBy: actor.username ?? "quire CLI" };
    const written = await buildBinder(q, run, out, { zip, progress: progress.update });
    progress.stop();
    await recordBinderExport(q.db, actor, run, written);
    const answer = { asOf, out: written.out, documents: written.counts.documents, pages: written.pages, sha256: written.sha256, bytes: written.bytes };
    if (json) printJson(answer);
    else
      process.stdout.write(
        `Binder as of ${asOf}: ${answer.documents} documents, ${answer.pages} pages, written to ${answer.out} (${answer.bytes} bytes, sha256 ${answer.sha256})\n`,
      );
    process.exitCode = EXIT.ok;
  } catch (error) {
    progress.stop();
    if (error instanceof BinderRequestError || error instanceof PdfRequestError) fail(error.message);
    throw error;
  } finally {
    await q.db.close();
  }
}

interface ProgressReporter {
  update: ProgressListener;
  stop(): void;
}

/** On a terminal: a bar per phase (counting pages, writing, packing), on stderr so stdout stays the answer. */
function progressBar(): ProgressReporter {
  let bar: SingleBar | null = null;
  let phase: BinderProgress["phase"] | null = null;
  return {
    update(p) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        bar = new SingleBar(
          { stream: process.stderr, format: `${p.phase.padEnd(14)} [{bar}] {value}/{total} {label}`, hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(p.total, 0, { label: "" });
      }
      bar?.update(p.done, { label: p.label.slice(0, 40) });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Elsewhere (a pipe, a log): a plain line at the start of each phase, each tenth of the way and at its end. */
function progressLines(): ProgressReporter {
  let phase: BinderProgress["phase"] | null = null;
  let lastTenth = -1;
  return {
    update(p) {
      if (p.phase !== phase) {
        phase = p.phase;
        lastTenth = -1;
      }
      const tenth = Math.floor((p.done / Math.max(p.total, 1)) * 10);
      if (tenth === lastTenth && p.done !== p.total) return;
      lastTenth = tenth;
      process.stderr.write(`quire binder: ${p.phase} ${p.done}/${p.total} ${p.label}\n`);
    },
    stop() {},
  };
}
