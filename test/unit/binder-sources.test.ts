import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { sourcesInOrder, versionsInForce } from "~/modules/binder/binder-data.server";

import { openCopy } from "../helpers/factories";

// The binder reads its versions' sources a batch at a time as its parts reach them, in both passes,
// instead of holding every source through the build (issue 12: the binder's memory stays flat).
let q: Quire;
beforeAll(async () => {
  q = await openCopy("fixture-demo", "2026-11-30T12:00:00Z");
});
afterAll(async () => {
  await q?.db.close();
});

describe("the binder's sources, a batch at a time", () => {
  it("gives each version its own approved source across batch boundaries, in a second pass and out of order", async () => {
    const versions = await versionsInForce(q, "2026-11-30");
    expect(versions.length).toBeGreaterThanOrEqual(3);
    const expected = await Promise.all(versions.map((v) => q.repo.readFile(v.state.version.commit, v.state.version.path)));
    // Batches of two, so three or more versions cross a boundary.
    const read = sourcesInOrder(q, versions, 2);
    const firstPass = [];
    for (const v of versions) firstPass.push(await read(v));
    expect(firstPass).toEqual(expected);
    const secondPass = [];
    for (const v of versions) secondPass.push(await read(v));
    expect(secondPass).toEqual(expected);
    const backwards = [];
    for (const v of [...versions].reverse()) backwards.push(await read(v));
    expect(backwards).toEqual([...expected].reverse());
    // Asked for together (two batches in flight), each still gets its own.
    expect(await Promise.all(versions.map((v) => read(v)))).toEqual(expected);
  });

  it("refuses a version that is not in the binder", async () => {
    const [first, ...rest] = await versionsInForce(q, "2026-11-30");
    const read = sourcesInOrder(q, rest, 2);
    await expect(read(first!)).rejects.toThrow(/is not in the binder/);
  });
});
