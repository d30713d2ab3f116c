import crypto from "node:crypto";
import { promisify } from "node:util";

import pLimit from "p-limit";

const scryptRaw = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/**
 * scrypt runs in libuv's thread pool (4 threads), which SQLite's queries share. A burst of sign-ins or
 * signatures (200 staff signing at 9:00) would fill the pool, and every page would wait behind the
 * hashing (measured: an unrelated page took 92 s during 200 simultaneous acknowledgements). At most
 * two hashes run at once; the others queue here, leaving threads for the database.
 */
export const SCRYPT_CONCURRENCY = 2;
const hashing = pLimit(SCRYPT_CONCURRENCY);

function scrypt(password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions): Promise<Buffer> {
  return hashing(() => scryptRaw(password, salt, keylen, options));
}

/** How many hashes run and wait now (for tests and diagnostics). */
export function passwordHashing(): { active: number; pending: number } {
  return { active: hashing.activeCount, pending: hashing.pendingCount };
}

// scrypt is memory-hard: N=2^15, r=8 needs 32 MiB per hash.
const PARAMS = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scrypt(password.normalize("NFKC"), Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return crypto.timingSafeEqual(key, expected);
}

/** A readable one-time password for new accounts and forced resets: 4 groups of 4 characters. */
export function temporaryPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join("")).join("-");
}
