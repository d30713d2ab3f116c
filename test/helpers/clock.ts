import fs from "node:fs";
import path from "node:path";

import { tempDir } from "./data-folder";

/**
 * Quire's clock for a test server (QUIRE_CLOCK_FILE): the server reads the file's instant on every
 * call, so a test can move time forward (idle sessions, effective dates, retirements).
 */
export class TestClock {
  readonly file = path.join(tempDir("quire-clock-"), "now");

  constructor(start: string | number) {
    this.set(start);
  }

  /** An ISO instant, or milliseconds since the epoch. */
  set(at: string | number): void {
    fs.writeFileSync(this.file, typeof at === "string" ? at : new Date(at).toISOString());
  }

  /** The environment that points a server at this clock. */
  get env(): { QUIRE_CLOCK_FILE: string } {
    return { QUIRE_CLOCK_FILE: this.file };
  }
}
