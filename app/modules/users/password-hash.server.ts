import crypto from "node:crypto";
import { promisify } from "node:util";

import pLimit from "p-limit";

import { readScryptCost } from "~/config.server";

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

/**
 * scrypt is memory-hard: at the production cost, N=2^15 with r=8 needs 32 MiB per hash. The cost of
 * new hashes is log2(N), 15 unless QUIRE_SCRYPT_COST lowers it for a test suite; a stored hash names
 * its own N, so verifying always uses the cost the hash was made with.
 */
export const PRODUCTION_SCRYPT_COST = 15;
const R = 8;
const P = 1;
const MAXMEM = 64 * 1024 * 1024;
const KEY_LENGTH = 32;
let configuredCost: number | null = null;

function scryptCost(): number {
  configuredCost ??= readScryptCost();
  return configuredCost;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. `cost` is log2(N): the configured one unless given. */
export async function hashPassword(password: string, cost: number = scryptCost()): Promise<string> {
  const salt = crypto.randomBytes(16);
  const N = 2 ** cost;
  const key = await scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAXMEM });
  return ["scrypt", N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * A valid scrypt hash (zero salt, zero key) at the cost of new hashes: verifying a password against
 * it costs what checking a real account's costs, and no password in practice matches it.
 */
export function dummyHash(): string {
  return `scrypt$${2 ** scryptCost()}$${R}$${P}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const key = await scrypt(password.normalize("NFKC"), Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
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
