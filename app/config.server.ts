import { z } from "zod";

import { ConfigError, dataFolderPaths, type DataFolderPaths } from "./locations.server";

export { appRoot, ConfigError } from "./locations.server";

const EnvSchema = z.object({
  QUIRE_DATA_DIR: z.string().min(1).default("./data"),
  QUIRE_CONTENT_REPO: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Fixes "today" (YYYY-MM-DD or an ISO instant) for demos and tests; never set in production. */
  QUIRE_NOW: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  /** Tests only: a file holding the current instant, read on every clock call, so time can move. */
  QUIRE_CLOCK_FILE: z.string().min(1).optional(),
  QUIRE_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  QUIRE_SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(12),
  /**
   * How long an account stays locked after too many failed sign-ins before it unlocks itself at the
   * next attempt (Part 11 §11.300(d)). Never "forever": a stranger typing wrong passwords must not be
   * able to shut a person out for good; an administrator can always unlock sooner.
   */
  QUIRE_LOCKOUT_MINUTES: z.coerce
    .number({ error: "must be a whole number of minutes" })
    .int("must be a whole number of minutes")
    .min(1, "must be at least 1 minute")
    .max(7 * 24 * 60, "must be at most 10080 minutes (a week)")
    .default(30),
  /**
   * Where training reminders are sent (SOP-TR-001): an SMTP server, smtp://user:pass@host:587 or
   * smtps://...:465. Unset: they are written as .eml files to <QUIRE_DATA_DIR>/outbox/ instead.
   */
  QUIRE_SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL" }).optional(),
  /** The From of every email Quire sends. */
  QUIRE_MAIL_FROM: z.string().trim().min(3).default("Quire <quire@localhost>"),
  /** HH:MM (UTC): the server runs the training reminders once a day at that time. Unset: only `quire remind` runs them. */
  /**
   * Tests only: scrypt's cost for new password hashes, as log2(N). Unset: 15 (N=32768, 32 MiB per hash,
   * about 0.15 s here), the production strength. The test suite sets 10 so that its thousands of sign-ins
   * and signatures do not spend minutes hashing; a stored hash keeps the cost it was made with.
   */
  QUIRE_SCRYPT_COST: z.coerce
    .number({ error: "must be a whole number (log2 of scrypt's N)" })
    .int("must be a whole number (log2 of scrypt's N)")
    .min(10, "must be at least 10")
    .max(20, "must be at most 20")
    .default(15),
  QUIRE_REMIND_AT: z
    .string()
    .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "must be a time HH:MM (UTC), 00:00 to 23:59")
    .optional(),
});

export interface QuireConfig extends DataFolderPaths {
  port: number;
  fixedNow: string | undefined;
  clockFile: string | undefined;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Minutes a locked account stays locked before the next sign-in attempt unlocks it. */
  lockoutMinutes: number;
  /** The SMTP server for reminders (holds credentials: never print or audit it); undefined: the outbox folder. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** The daily time (HH:MM, UTC) the server runs reminders; undefined: it does not. */
  remindAt: string | undefined;
}

export function readConfig(env: Record<string, string | undefined> = process.env): QuireConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return {
    ...dataFolderPaths({ QUIRE_DATA_DIR: parsed.data.QUIRE_DATA_DIR, QUIRE_CONTENT_REPO: parsed.data.QUIRE_CONTENT_REPO }),
    port: parsed.data.PORT,
    fixedNow: parsed.data.QUIRE_NOW,
    clockFile: parsed.data.QUIRE_CLOCK_FILE,
    sessionIdleMinutes: parsed.data.QUIRE_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: parsed.data.QUIRE_SESSION_ABSOLUTE_HOURS,
    lockoutMinutes: parsed.data.QUIRE_LOCKOUT_MINUTES,
    smtpUrl: parsed.data.QUIRE_SMTP_URL,
    mailFrom: parsed.data.QUIRE_MAIL_FROM,
    remindAt: parsed.data.QUIRE_REMIND_AT,
  };
}

/**
 * log2 of scrypt's N for new password hashes (QUIRE_SCRYPT_COST, default 15). Read from the process's
 * environment, as readConfig's default is: the password module hashes for every caller alike.
 */
export function readScryptCost(env: Record<string, string | undefined> = process.env): number {
  const parsed = EnvSchema.shape.QUIRE_SCRYPT_COST.safeParse(env.QUIRE_SCRYPT_COST);
  if (!parsed.success) throw new ConfigError(`Invalid environment variable QUIRE_SCRYPT_COST: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
