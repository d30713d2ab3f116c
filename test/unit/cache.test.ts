import { describe, expect, it } from "vitest";

import { boundedCache, cacheSizes, clearCaches } from "~/cache";

describe("the one cache abstraction", () => {
  it("keeps at most its limit, dropping the least recently used first", () => {
    const cache = boundedCache<string>("test-bounded", 2);
    cache.set("a", "1");
    cache.set("b", "2");
    expect(cache.get("a")).toBe("1"); // a is now the most recently used
    cache.set("c", "3");
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([true, false, true]);
    expect(cacheSizes()["test-bounded"]).toEqual({ size: 2, max: 2 });
  });

  it("names every cache Quire keeps, each with a limit, and empties them all at once", async () => {
    // Importing the modules registers their caches.
    await import("~/modules/documents/redline");
    await import("~/modules/pdf/layout");
    await import("~/modules/kpi/definitions.server");
    await import("~/modules/change-control/routing.server");
    const sizes = cacheSizes();
    for (const name of ["redlines", "pdf-syntax-trees", "kpi-definitions", "document-control-rules"]) {
      expect(sizes[name]?.max, name).toBeGreaterThan(0);
    }
    const cache = boundedCache<number>("test-cleared", 10);
    cache.set("x", 1);
    clearCaches();
    expect(cache.size).toBe(0);
  });
});
