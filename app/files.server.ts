// Files Quire hands out (PDF copies, inspection binders) are written whole or not at all.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";

/**
 * Streams into a temporary file in the target's folder, hashing on the way, then renames it: a reader
 * never sees half a file, and a failure removes the temporary file.
 */
export async function writeAtomically<T>(target: string, write: (sink: NodeJS.WritableStream) => Promise<T>): Promise<T & { sha256: string; bytes: number }> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new PassThrough();
  tap.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const file = fs.createWriteStream(temporary, { flags: "wx" });
  const closed = new Promise<void>((resolve, reject) => {
    file.on("close", resolve);
    file.on("error", reject);
  });
  tap.pipe(file);
  try {
    const result = await write(tap);
    await closed;
    fs.renameSync(temporary, target);
    return { ...result, sha256: hash.digest("hex"), bytes };
  } catch (error) {
    tap.destroy();
    file.destroy();
    await closed.catch(() => undefined);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
