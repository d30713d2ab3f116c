import type { QuireConfig } from "./config.server";

/**
 * The one clock. QUIRE_NOW pins it for demos and tests (a date means that day at 12:00 UTC);
 * production leaves it unset. Calendar dates in Quire are UTC dates.
 */
export function now(config: Pick<QuireConfig, "fixedNow">): Date {
  if (!config.fixedNow) return new Date();
  return new Date(config.fixedNow.length === 10 ? `${config.fixedNow}T12:00:00Z` : config.fixedNow);
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function today(config: Pick<QuireConfig, "fixedNow">): string {
  return isoDate(now(config));
}
