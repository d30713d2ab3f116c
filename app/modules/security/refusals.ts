/**
 * What the audit trail keeps of a refused request. A refused request costs an attacker nothing,
 * so its record must be bounded: the Origin header is cut to a printable prefix, and a flood of
 * refusals from one client address becomes a few rows plus a count, not one row per request.
 * The request itself is still refused every time; only its record is summarised.
 */

/** The most of an Origin header the audit trail stores (a real origin is far shorter). */
export const ORIGIN_LIMIT = 200;

/** Printable ASCII only: control characters or other bytes are shown as "?". */
export function printable(text: string, limit: number): string {
  return text.slice(0, limit).replace(/[^\x20-\x7e]/g, "?");
}

/**
 * The origin as stored: at most ORIGIN_LIMIT printable characters; `originLength` says how long
 * the header really was when it had to be cut.
 */
export function boundedOrigin(origin: string | null): { origin: string | null; originLength?: number } {
  if (origin === null) return { origin: null };
  const stored = printable(origin, ORIGIN_LIMIT);
  return origin.length > ORIGIN_LIMIT ? { origin: stored, originLength: origin.length } : { origin: stored };
}

/**
 * Whether to write a row; if so, how many refusals from this client went unrecorded since its last
 * row, and how many from clients no longer tracked (see RefusalThrottle).
 */
export type Admission = { record: true; suppressedBefore: number; suppressedUntracked: number } | { record: false };

interface ClientWindow {
  start: number;
  recorded: number;
  suppressed: number;
}

/**
 * Per client address: the first `burst` refusals in each window are recorded one row each; the
 * rest are counted, and the count is carried into that client's next recorded row
 * (`suppressedBefore`). At most `maxClients` addresses are tracked; when one is dropped to make
 * room, its uncarried count goes into the next row recorded for anyone (`suppressedUntracked`),
 * so no refusal goes uncounted while the server runs.
 */
export class RefusalThrottle {
  private readonly clients = new Map<string, ClientWindow>();
  private dropped = 0;

  constructor(
    readonly burst = 5,
    readonly windowMs = 60_000,
    readonly maxClients = 10_000,
  ) {}

  admit(client: string, at: Date): Admission {
    const time = at.getTime();
    let entry = this.clients.get(client);
    // A window ends after windowMs, or when the clock moved back (a reset test or system clock).
    if (!entry || time - entry.start >= this.windowMs || time < entry.start) {
      entry = { start: time, recorded: 0, suppressed: entry?.suppressed ?? 0 };
    }
    this.clients.delete(client);
    this.clients.set(client, entry); // most recently seen last, so the oldest is dropped first
    this.dropOldest();
    if (entry.recorded >= this.burst) {
      entry.suppressed += 1;
      return { record: false };
    }
    entry.recorded += 1;
    const admission: Admission = { record: true, suppressedBefore: entry.suppressed, suppressedUntracked: this.dropped };
    entry.suppressed = 0;
    this.dropped = 0;
    return admission;
  }

  private dropOldest(): void {
    while (this.clients.size > this.maxClients) {
      const [oldest, entry] = this.clients.entries().next().value!;
      this.dropped += entry.suppressed;
      this.clients.delete(oldest);
    }
  }
}
