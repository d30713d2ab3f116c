import { describe, expect, it } from "vitest";

import { trainingLoad } from "../../bench/training-load";

// The load of issue 11 at a size CI can afford: the bench runs the same function with 200 people
// (BENCH_ONLY=training npm run bench). Counts only: timings are the bench's business.

describe("concurrent read-and-understood acknowledgements (bench/training-load.ts)", () => {
  it("records each of 20 simultaneous signatures exactly once, refuses each simultaneous second one, and keeps the audit chain intact", async () => {
    const r = await trainingLoad({ people: 20, duplicateEvery: 5 });
    expect(r.problems).toEqual([]);
    expect(r.duplicates).toBe(4);
    expect(r.acknowledge.statuses).toEqual({ "302": 20, "409": 4 });
    expect(r.recorded).toMatchObject({
      peopleExactlyOnce: 20,
      signatures: 20,
      peopleSignedOnce: 20,
      completed: 20,
      completedWithOwnSignature: 20,
      completeAuditRows: 20,
      signatureAuditRows: 20,
      duplicatesAnsweredOnce: 4,
      chainIntact: true,
    });
    // Generous: 44 scrypt verifications on a shared two-core machine.
  }, 180_000);
});
