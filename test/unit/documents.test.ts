import { describe, expect, it } from "vitest";

import { addMonths, compareVersions, effectiveOn, filterLibrary, libraryEntry, parseVersion, versionStates } from "~/modules/documents/documents";

import { sampleVersion as version } from "../helpers/versions";

const history = [version("1.0", "2025-02-03"), version("1.1", "2025-09-01"), version("2.0", "2026-05-04")];

describe("version numbers", () => {
  it("parses, orders and refuses malformed numbers", () => {
    expect(parseVersion("2.10")).toEqual({ major: 2, minor: 10 });
    expect(parseVersion("0.1")).toBeNull();
    expect(parseVersion("v1.0")).toBeNull();
    expect(compareVersions(parseVersion("2.10")!, parseVersion("2.9")!)).toBeGreaterThan(0);
  });
});

describe("effective on a date", () => {
  it("finds the version in force on each day, none before the first", () => {
    expect(effectiveOn(history, "2025-02-02")).toBeNull();
    expect(effectiveOn(history, "2025-02-03")?.version.version).toBe("1.0");
    expect(effectiveOn(history, "2025-08-31")?.version.version).toBe("1.0");
    expect(effectiveOn(history, "2025-09-01")?.version.version).toBe("1.1");
    expect(effectiveOn(history, "2026-11-25")?.version.version).toBe("2.0");
  });

  it("derives statuses and the day each version stopped being in force", () => {
    const states = versionStates(history, "2026-01-01");
    expect(states.map((s) => [s.version.version, s.status, s.effectiveTo])).toEqual([
      ["2.0", "approved", null],
      ["1.1", "effective", "2026-05-04"],
      ["1.0", "superseded", "2025-09-01"],
    ]);
  });
});

describe("periodic review", () => {
  it("adds calendar months, clamping to the month's end", () => {
    expect(addMonths("2025-02-03", 24)).toBe("2027-02-03");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2025-11-30", 3)).toBe("2026-02-28");
  });
});

describe("library", () => {
  it("shows the version in force with its next review, and an upcoming one", () => {
    // Approved well ahead of their effective dates:
    const approvedEarly = history.map((v) => ({ ...v, approvedAt: `${v.major === 1 && v.minor === 0 ? "2025-01-10" : "2025-12-15"}T10:00:00.000Z` }));
    const entry = libraryEntry("SOP-DM-001", "sop", approvedEarly, "2026-01-01")!;
    expect(entry).toMatchObject({ version: "1.1", status: "effective", effectiveFrom: "2025-09-01", nextReview: "2027-09-01" });
    expect(entry.upcoming).toEqual({ version: "2.0", effectiveFrom: "2026-05-04" });
    const before = libraryEntry("SOP-DM-001", "sop", approvedEarly, "2025-01-20")!;
    expect(before).toMatchObject({ version: null, status: "pending", upcoming: { version: "1.0" } });
  });

  it("filters by search text, type and job function", () => {
    const entries = [
      libraryEntry("SOP-DM-001", "sop", history, "2026-11-25")!,
      {
        ...libraryEntry("SOP-DM-001", "sop", history, "2026-11-25")!,
        id: "FRM-DC-001",
        type: "form" as const,
        title: "Change request",
        audience: ["quality-manager"],
      },
    ];
    expect(filterLibrary(entries, { q: "dm-001" }).map((e) => e.id)).toEqual(["SOP-DM-001"]);
    expect(filterLibrary(entries, { q: "CHANGE" }).map((e) => e.id)).toEqual(["FRM-DC-001"]);
    expect(filterLibrary(entries, { type: "form" }).map((e) => e.id)).toEqual(["FRM-DC-001"]);
    expect(filterLibrary(entries, { jobFunction: "cra" }).map((e) => e.id)).toEqual(["SOP-DM-001"]);
    expect(filterLibrary(entries, {})).toHaveLength(2);
  });
});

describe("library as of a past day", () => {
  it("leaves out versions approved after that day", () => {
    const approvedLate = { ...version("2.0", "2026-05-04"), approvedAt: "2026-04-20T10:00:00.000Z" };
    const h = [version("1.0", "2025-02-03"), approvedLate];
    expect(libraryEntry("SOP-DM-001", "sop", h, "2026-04-01")?.upcoming).toBeNull();
    expect(libraryEntry("SOP-DM-001", "sop", h, "2026-04-25")?.upcoming).toEqual({ version: "2.0", effectiveFrom: "2026-05-04" });
    expect(libraryEntry("SOP-DM-001", "sop", h, "2025-01-01")).toBeNull();
  });
});
