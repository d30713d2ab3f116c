// The demo's copy register (SOP-DC-001): a site without access to Quire received two controlled paper
// copies of SOP-CM-001 v1.1; v2.0 superseded it, one copy came back and the other is still to recall;
// the site then received v2.0. Issued and recalled through the same code as the pages, each on its day.
import { issueCopies, recordRecall } from "~/modules/copies/copies.server";
import { verifySigner } from "~/modules/signatures/signatures.server";
import type { Quire } from "~/quire";

import { at, type DemoStep } from "./demo-timeline.server";
import { DEMO_PASSWORD } from "./demo-users";

const SITE = {
  recipient: "Dr. Elena Marquez, Principal Investigator",
  location: "Site 104, Hospital Universitario La Paz, Madrid",
};

/** The register's steps, when the demo history makes SOP-CM-001 v1.1 and v2.0 (`versions`: "<doc> <version>" of every version it makes). */
export function demoCopySteps(q: Quire, versions: ReadonlySet<string>): DemoStep[] {
  if (!["1.1", "2.0"].every((v) => versions.has(`SOP-CM-001 ${v}`))) return [];
  const qa = () => verifySigner(q, { username: "qa", clientAddress: null }, DEMO_PASSWORD);
  const copies = { returned: "" };
  const firstIssue = at("2025-10-06", "09:00");
  const secondIssue = at("2026-04-08", "09:00");
  const recall = at("2026-04-21", "15:00");
  return [
    {
      at: firstIssue,
      what: "controlled copies of SOP-CM-001 v1.1 issued",
      run: async () => {
        const [returned] = await issueCopies(
          q,
          await qa(),
          { docId: "SOP-CM-001", version: "1.1", ...SITE, reason: "The site file needs the monitoring procedure; the site has no Quire access.", copies: 2 },
          firstIssue,
        );
        copies.returned = returned!.copyId;
      },
    },
    {
      at: secondIssue,
      what: "a controlled copy of SOP-CM-001 v2.0 issued",
      run: async () => {
        await issueCopies(
          q,
          await qa(),
          { docId: "SOP-CM-001", version: "2.0", ...SITE, reason: "Replaces v1.1 in the site file (v2.0 effective 2026-04-06).", copies: 1 },
          secondIssue,
        );
      },
    },
    {
      at: recall,
      what: "a controlled copy of SOP-CM-001 v1.1 returned",
      run: async () =>
        // Recorded the day the copy came back: that day is the check's "today" (not in the future).
        recordRecall(
          q.db,
          await qa(),
          { copyId: copies.returned, outcome: "returned", closedOn: "2026-04-21", note: "Returned by the site at the interim monitoring visit." },
          "2026-04-21",
          recall,
        ),
    },
  ];
}
