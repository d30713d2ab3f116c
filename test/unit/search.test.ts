import { describe, expect, it } from "vitest";

import { ftsQuery, looksLikeDocumentId, searchableText } from "~/modules/documents/search";
import { MATCH_END, MATCH_START, passageParts } from "~/modules/documents/search-passage";

describe("searchableText", () => {
  it("keeps the words a reader sees, component titles and owners included, without frontmatter or markup", () => {
    const text = searchableText(`---
id: SOP-XX-001
title: Hidden title
---

## Scope

Applies to **vendor** oversight.

<Steps>
<Step title="Qualify the vendor" owner="data-manager">

Send the questionnaire.

</Step>
</Steps>

| Record | Kept |
|---|---|
| Audit report | 25 years |
`);
    expect(text).toBe("Scope Applies to vendor oversight. Qualify the vendor data-manager Send the questionnaire. Record Kept Audit report 25 years");
    expect(text).not.toContain("Hidden title");
  });
});

describe("ftsQuery", () => {
  it("quotes every word so none is read as FTS5 syntax, and matches the last as a prefix", () => {
    expect(ftsQuery("vendor oversight")).toBe('"vendor" "oversight"*');
    expect(ftsQuery('" OR NEAR( * -x')).toBe('"or" "near" "x"*');
    expect(ftsQuery("Ümlaut ÉCRF")).toBe('"ümlaut" "écrf"*');
    expect(ftsQuery("  *() ")).toBeNull();
  });
});

describe("passageParts", () => {
  it("splits a passage into plain and matched stretches, never HTML", () => {
    expect(passageParts(`…the ${MATCH_START}vendor${MATCH_END} <b>audit</b> ${MATCH_START}plan${MATCH_END}`)).toEqual([
      { text: "…the ", match: false },
      { text: "vendor", match: true },
      { text: " <b>audit</b> ", match: false },
      { text: "plan", match: true },
    ]);
  });
});

describe("looksLikeDocumentId", () => {
  it("tells an id or its start from words", () => {
    for (const id of ["SOP-DM-001", "sop-dm", "WI-CM-", "FRM-TR-00", "QM-001"]) expect(looksLikeDocumentId(id), id).toBe(true);
    for (const words of ["vendor", "data query", "risk-based monitoring", "risk-based", "SOP DM", "e-signature"])
      expect(looksLikeDocumentId(words), words).toBe(false);
  });
});
