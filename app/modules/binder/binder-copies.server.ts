// The controlled copy register as it stood at the end of a day: copies issued by then, a recall only
// if it was recorded by then, and each copy's status from its version's status that day.
import type { Queryable } from "~/db/db.server";
import { copyStatus } from "~/modules/copies/copies";
import { listRegister, type RegisterRow } from "~/modules/copies/register.server";

import { endOfDay } from "./binder";

export async function copyRegisterAsOf(db: Queryable, asOf: string): Promise<RegisterRow[]> {
  const end = endOfDay(asOf);
  return (await listRegister(db, { status: null, doc: null }, asOf))
    .filter((c) => c.issuedAt <= end)
    .map((c) => {
      const recall = c.recall && c.recall.recordedAt <= end ? c.recall : null;
      return { ...c, recall, status: copyStatus(c.versionStatus, recall !== null) };
    })
    .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.copyId.localeCompare(b.copyId));
}
