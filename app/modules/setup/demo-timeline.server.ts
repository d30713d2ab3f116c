// The demo's clock. `quire init --demo` writes a history of some two years in a few seconds; for
// that history to be believable, its records must read in the order they happened: an inspector
// who sorts the audit trail by sequence number must see the same story as one who sorts it by time
// (ALCOA+: contemporaneous; Part 11 §11.10(e): time-stamped, in sequence). So every demo event is
// a step with its historical instant, the steps are played in time order, and the clock refuses
// to go back.

/** One thing that happened in the demo's history, at its instant. */
export interface DemoStep {
  at: Date;
  /** What it is, for the message when the history is out of order. */
  what: string;
  run: () => Promise<void>;
}

/** The demo's clock: moves forward only, and never past the instant init runs at. */
export class DemoClock {
  private current: Date | null = null;
  private currentWhat = "";

  constructor(readonly now: Date) {}

  /** Moves the clock to `at` before `what` is written; a step earlier than the last one is a defect in the demo. */
  advance(at: Date, what: string): void {
    if (this.current && at < this.current) {
      throw new Error(`The demo history is out of order: ${what} at ${at.toISOString()} would follow ${this.currentWhat} at ${this.current.toISOString()}.`);
    }
    if (at > this.now) throw new Error(`The demo history is out of order: ${what} at ${at.toISOString()} is after init (${this.now.toISOString()}).`);
    this.current = at;
    this.currentWhat = what;
  }
}

/** Whatever happens between the steps (people joining, training), played up to each step's instant. */
export interface DemoBackground {
  until(instant: Date): Promise<void>;
}

/**
 * Plays the steps in time order (steps at the same instant in the order given), the background
 * first up to each step's instant, then the background up to init.
 */
export async function playDemo(clock: DemoClock, steps: DemoStep[], background: DemoBackground): Promise<void> {
  const ordered = steps.map((step, i) => ({ step, i })).sort((a, b) => a.step.at.getTime() - b.step.at.getTime() || a.i - b.i);
  for (const { step } of ordered) {
    await background.until(step.at);
    clock.advance(step.at, step.what);
    await step.run();
  }
  await background.until(clock.now);
}

/** `date` (YYYY-MM-DD) at `time` (HH:MM) UTC. */
export function at(date: string, time: string): Date {
  return new Date(`${date}T${time}:00.000Z`);
}
