// Where a person stands on one curriculum course (SOP-TR-001 step 1: GCP training "refreshed at
// least every 3 years"). Pure, so the rule is tested on crafted dates.

import { addMonths } from "~/modules/documents/documents";

export type CourseStanding = "current" | "expired" | "missing";

export const COURSE_STANDING_LABELS: Record<CourseStanding, string> = {
  current: "Current",
  expired: "Refresh overdue",
  missing: "Not completed",
};

/**
 * A course completed on `completedOn` must be refreshed `refreshMonths` later: it is current up to and
 * including that day (`refreshDue`) and expired after it. Without a refresh interval it stays current.
 */
export function courseStanding(
  completedOn: string | null,
  refreshMonths: number | null,
  today: string,
): { standing: CourseStanding; refreshDue: string | null } {
  if (completedOn === null) return { standing: "missing", refreshDue: null };
  if (refreshMonths === null) return { standing: "current", refreshDue: null };
  const refreshDue = addMonths(completedOn, refreshMonths);
  return { standing: today <= refreshDue ? "current" : "expired", refreshDue };
}
