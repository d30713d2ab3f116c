import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { copyRegisterAsOf } from "~/modules/binder/binder-copies.server";

import { openCopy } from "../helpers/factories";

// The project demo's register: SOP-CM-001 v1.1 C001 and C002 issued 2025-10-06 to site 104; v2.0 took
// effect 2026-04-06 and its C001 was issued 2026-04-08; v1.1 C001 came back, recorded 2026-04-21.

let q: Quire;
beforeAll(async () => {
  q = await openCopy("project-demo", "2026-11-30T12:00:00Z");
});
afterAll(async () => {
  await q?.db.close();
});

const statuses = async (day: string) => (await copyRegisterAsOf(q.db, day)).map((c) => [c.copyId, c.status]);

describe("the controlled copy register as of a day (the binder's section)", () => {
  it("holds only copies issued by then, each with its status that day and a recall only once recorded", async () => {
    expect(await statuses("2025-10-01")).toEqual([]);
    expect(await statuses("2026-03-01")).toEqual([
      ["SOP-CM-001-1.1-C001", "outstanding"],
      ["SOP-CM-001-1.1-C002", "outstanding"],
    ]);
    expect(await statuses("2026-04-10")).toEqual([
      ["SOP-CM-001-1.1-C001", "to-recall"],
      ["SOP-CM-001-1.1-C002", "to-recall"],
      ["SOP-CM-001-2.0-C001", "outstanding"],
    ]);
    expect(await statuses("2026-11-30")).toEqual([
      ["SOP-CM-001-1.1-C001", "closed"],
      ["SOP-CM-001-1.1-C002", "to-recall"],
      ["SOP-CM-001-2.0-C001", "outstanding"],
    ]);
  });
});
