import crypto from "node:crypto";

/** The SHA-256 of a text (UTF-8), hex: what a signature binds to and what caches are keyed by. */
export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}
