import { describe, expect, it } from "vitest";

import { statusWording } from "~/modules/documents/documents";

// The document page's one wording of a version's status (issue 13): the banner and the panel say the same day.
describe("statusWording", () => {
  const on = "2026-11-25";

  it("dates a superseded version by the day the next version took effect, not the day shown", () => {
    expect(statusWording({ status: "superseded", effectiveFrom: "2025-02-03", effectiveTo: "2026-05-04" }, on, null)).toEqual({
      date: "2026-05-04",
      banner: "Superseded on 2026-05-04",
      detail: "on 2026-05-04",
    });
  });

  it("dates a retired version by the retirement's effective date", () => {
    expect(statusWording({ status: "retired", effectiveFrom: "2025-02-03", effectiveTo: "2026-09-01" }, on, "2026-09-01")).toEqual({
      date: "2026-09-01",
      banner: "Retired from 2026-09-01",
      detail: "from 2026-09-01",
    });
  });

  it("dates an approved version by its own effective date, and the version in force by the day shown", () => {
    expect(statusWording({ status: "approved", effectiveFrom: "2026-12-01", effectiveTo: null }, on, null)).toEqual({
      date: "2026-12-01",
      banner: "Approved, effective from 2026-12-01",
      detail: "takes effect 2026-12-01",
    });
    expect(statusWording({ status: "effective", effectiveFrom: "2026-05-04", effectiveTo: null }, on, null)).toEqual({
      date: on,
      banner: null,
      detail: `on ${on}`,
    });
  });
});
