import fs from "node:fs";

import type { QuireConfig } from "./config.server";

type ClockConfig = Pick<QuireConfig, "fixedNow"> & Partial<Pick<QuireConfig, "clockFile">>;

/**
 * The one clock. QUIRE_NOW pins it for demos and tests (a date means that day at 12:00 UTC);
 * QUIRE_CLOCK_FILE (tests only) names a file whose instant is read on every call, so a test can
 * move time forward (idle session expiry). Production sets neither. Calendar dates are UTC dates.
 */
export function now(config: ClockConfig): Date {
  if (config.clockFile) return new Date(fs.readFileSync(config.clockFile, "utf8").trim());
  if (!config.fixedNow) return new Date();
  return new Date(config.fixedNow.length === 10 ? `${config.fixedNow}T12:00:00Z` : config.fixedNow);
}

export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function today(config: ClockConfig): string {
  return isoDate(now(config));
}
