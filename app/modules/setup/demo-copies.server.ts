// The demo's copy register (SOP-DC-001): a site without access to Quire received two controlled paper
// copies of SOP-CM-001 v1.1; v2.0 superseded it, one copy came back and the other is still to recall;
// the site then received v2.0. Issued and recalled through the same code as the pages.
import { isoDate } from "~/clock.server";
import type { Quire } from "~/context.server";
import { issueCopies, recordRecall } from "~/modules/copies/copies.server";
import { verifySigner } from "~/modules/signatures/signatures.server";

import { DEMO_PASSWORD } from "./demo-users";

const SITE = {
  recipient: "Dr. Elena Marquez, Principal Investigator",
  location: "Site 104, Hospital Universitario La Paz, Madrid",
};

export async function demoControlledCopies(q: Quire, now: Date): Promise<void> {
  const versions = await q.db.all<{ version: string }>("SELECT version FROM document_versions WHERE doc_id = 'SOP-CM-001'");
  if (!["1.1", "2.0"].every((v) => versions.some((x) => x.version === v))) return;
  const qa = await verifySigner(q, { username: "qa", clientAddress: null }, DEMO_PASSWORD);
  const [returned] = await issueCopies(
    q,
    qa,
    { docId: "SOP-CM-001", version: "1.1", ...SITE, reason: "The site file needs the monitoring procedure; the site has no Quire access.", copies: 2 },
    new Date("2025-10-06T09:00:00.000Z"),
  );
  await issueCopies(
    q,
    qa,
    { docId: "SOP-CM-001", version: "2.0", ...SITE, reason: "Replaces v1.1 in the site file (v2.0 effective 2026-04-06).", copies: 1 },
    new Date("2026-04-08T09:00:00.000Z"),
  );
  await recordRecall(
    q.db,
    qa,
    { copyId: returned!.copyId, outcome: "returned", closedOn: "2026-04-21", note: "Returned by the site at the interim monitoring visit." },
    isoDate(now),
    new Date("2026-04-21T15:00:00.000Z"),
  );
}
