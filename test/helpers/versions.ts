import type { Frontmatter } from "~/modules/content/frontmatter";
import { parseVersion, type DocumentVersion } from "~/modules/documents/documents";

/** The frontmatter of the sample document the pure version tests work on. */
export const SAMPLE_FRONTMATTER: Frontmatter = {
  id: "SOP-DM-001",
  title: "Data Management",
  type: "sop",
  owner: "data-manager",
  audience: ["data-manager", "cra"],
  training: "required",
  reviewIntervalMonths: 24,
};

/** A version of SOP-DM-001 for the pure date logic: approved on its effective date unless told. */
export function sampleVersion(v: string, effectiveFrom: string, approvedAt = `${effectiveFrom}T00:00:00.000Z`): DocumentVersion {
  return {
    docId: "SOP-DM-001",
    ...parseVersion(v)!,
    version: v,
    commit: `c${v}`,
    tag: `SOP-DM-001/v${v}`,
    path: "sops/SOP-DM-001.mdx",
    contentHash: `h${v}`,
    title: `Data Management ${v}`,
    frontmatter: SAMPLE_FRONTMATTER,
    changeReason: `reason ${v}`,
    approvedAt,
    effectiveFrom,
  };
}
