import { describe, expect, it } from "vitest";

import { changedParts, proposeTrainingImpact } from "~/modules/training/impact";

const BEFORE = `---
id: SOP-X-001
---

## Purpose

Why we do it.

## Responsibilities

<Responsibilities>

<Responsibility role="cra">

Monitors sites.

</Responsibility>

<Responsibility role="data-manager">

Cleans data.

</Responsibility>

</Responsibilities>

## Procedure

<Steps>

<Step title="Visit the site" owner="cra">

Visit every 6 weeks.

</Step>

<Step title="Raise queries" owner="data-manager">

Raise queries within 5 days.

</Step>

</Steps>
`;

describe("training impact of a change", () => {
  it("pins a change to the Step or Responsibility it is in, and the function that owns it", () => {
    const after = BEFORE.replace("Raise queries within 5 days.", "Raise queries within 3 days.");
    expect(changedParts(BEFORE, after)).toEqual([{ title: "Step: Raise queries", functions: ["data-manager"], kind: "changed" }]);
    const impact = proposeTrainingImpact({
      before: BEFORE,
      after,
      audience: ["cra", "data-manager", "project-manager"],
      revision: "minor",
      training: "required",
    });
    expect(impact.proposal).toEqual({ cra: "notify", "data-manager": "retrain", "project-manager": "notify" });
    expect(impact.reasons["data-manager"]).toBe("Named in changed Step: Raise queries.");
  });

  it("sees added and removed parts, and changes in a plain section", () => {
    const after = BEFORE.replace("Why we do it.", "Why we do it, and for whom.").replace(
      "</Responsibilities>",
      '<Responsibility role="project-manager">\n\nOversees.\n\n</Responsibility>\n\n</Responsibilities>',
    );
    expect(changedParts(BEFORE, after)).toEqual([
      { title: "Purpose", functions: [], kind: "changed" },
      { title: "Responsibility of project-manager", functions: ["project-manager"], kind: "added" },
    ]);
    const removed = BEFORE.replace(/<Step title="Visit the site"[\s\S]*?<\/Step>\n\n/, "");
    expect(changedParts(BEFORE, removed)).toEqual([{ title: "Step: Visit the site", functions: ["cra"], kind: "removed" }]);
  });

  it("retrains everyone on a major revision or a first issue, and nobody on a read-only document", () => {
    const after = BEFORE.replace("Visit every 6 weeks.", "Visit every 4 weeks.");
    expect(proposeTrainingImpact({ before: BEFORE, after, audience: ["cra", "data-manager"], revision: "major", training: "required" }).proposal).toEqual({
      cra: "retrain",
      "data-manager": "retrain",
    });
    expect(proposeTrainingImpact({ before: null, after, audience: ["cra"], revision: "minor", training: "required" }).proposal).toEqual({ cra: "retrain" });
    expect(proposeTrainingImpact({ before: BEFORE, after, audience: ["cra"], revision: "minor", training: "read-only" }).proposal).toEqual({ cra: "none" });
  });
});
