import { describe, expect, it } from "vitest";

import { draftSections, isOpenComment } from "~/modules/change-control/comments";

describe("review comments (SOP-DC-001, Review the draft)", () => {
  it("offers the draft's headings and step titles as sections, in order, as plain text", () => {
    const source = `---
id: SOP-X-001
---

## Purpose

Text.

### Sub *part*

\`\`\`
## not a heading
\`\`\`

<Steps>
<Step title="Plan the visit" owner="cra">
</Step>
</Steps>

## [Records](/x)
`;
    expect(draftSections(source)).toEqual(["Purpose", "Sub part", "Step: Plan the visit", "Records"]);
  });

  it("counts a reviewer's comment as open until resolved; the author's own remarks, rejections and withdrawals never", () => {
    expect(isOpenComment({ kind: "comment", userId: "r1", resolution: null }, "author")).toBe(true);
    // A rejection is answered by resubmitting a revised draft, not by a resolution.
    expect(isOpenComment({ kind: "rejection", userId: "qa", resolution: null }, "author")).toBe(false);
    expect(isOpenComment({ kind: "comment", userId: "r1", resolution: { outcome: "changed" } }, "author")).toBe(false);
    expect(isOpenComment({ kind: "comment", userId: "author", resolution: null }, "author")).toBe(false);
    expect(isOpenComment({ kind: "withdrawal", userId: "r1", resolution: null }, "author")).toBe(false);
  });
});
