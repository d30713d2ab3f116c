import { z } from "zod";

import type { DocumentType } from "~/modules/content/frontmatter";

/**
 * A periodic review is "due" from this many days before its date. SOP-DC-001 ("Perform periodic
 * review") has Quire notify the owner sixty days before the due date, so the due list uses the
 * same window: a review shows up as due exactly when the owner is meant to start on it.
 */
export const REVIEW_DUE_WINDOW_DAYS = 60;

/** Overdue: the date has passed. Due: within the window (the date itself included). Scheduled: later. */
export const REVIEW_STATUSES = ["overdue", "due", "scheduled"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const REVIEW_STATUS_LABELS: Record<ReviewStatus, string> = {
  overdue: "Overdue",
  due: "Due",
  scheduled: "Not yet due",
};

/** Whole calendar days from one YYYY-MM-DD date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Where a review date stands on a day: days left (negative when overdue) and the status. */
export function reviewStatus(nextReview: string, on: string): { status: ReviewStatus; daysLeft: number } {
  const daysLeft = daysBetween(on, nextReview);
  const status: ReviewStatus = daysLeft < 0 ? "overdue" : daysLeft <= REVIEW_DUE_WINDOW_DAYS ? "due" : "scheduled";
  return { status, daysLeft };
}

/** One row of the periodic review schedule. */
export interface ReviewScheduleEntry {
  docId: string;
  type: DocumentType;
  title: string;
  owner: string;
  version: string;
  effectiveFrom: string;
  reviewIntervalMonths: number;
  /** The last signed "no change needed" review, if any. */
  lastReviewedOn: string | null;
  nextReview: string;
  daysLeft: number;
  status: ReviewStatus;
}

/** The list's filter: due and overdue together (the default), one of them, or every document. */
export const REVIEW_FILTERS = ["due-or-overdue", "overdue", "due", "all"] as const;
export type ReviewFilter = (typeof REVIEW_FILTERS)[number];

export function filterReviews(entries: readonly ReviewScheduleEntry[], filter: ReviewFilter): ReviewScheduleEntry[] {
  switch (filter) {
    case "all":
      return [...entries];
    case "due-or-overdue":
      return entries.filter((e) => e.status !== "scheduled");
    default:
      return entries.filter((e) => e.status === filter);
  }
}

export function countReviews(entries: readonly ReviewScheduleEntry[]): Record<ReviewStatus, number> {
  const counts: Record<ReviewStatus, number> = { overdue: 0, due: 0, scheduled: 0 };
  for (const e of entries) counts[e.status] += 1;
  return counts;
}

/** Most urgent first: by review date, then id. */
export function compareReviews(a: ReviewScheduleEntry, b: ReviewScheduleEntry): number {
  return a.nextReview.localeCompare(b.nextReview) || a.docId.localeCompare(b.docId);
}

const Password = z.string({ error: "Re-enter your password to sign" }).min(1, "Re-enter your password to sign");

/** The signed "no change needed" periodic review form. */
export const PeriodicReviewForm = z.object({
  outcome: z.literal("no-change", { error: 'This form records only "no change needed"; for a change, open a change request instead' }).default("no-change"),
  password: Password,
  comment: z
    .string()
    .trim()
    .max(2000, "Keep the comment under 2000 characters")
    .optional()
    .transform((v) => v || null),
});

export const RETIREMENT_REASON_MIN = 10;

/** The withdrawal request form (reason and retirement date); `today` refuses a date in the past. */
export function withdrawalRequestForm(today: string) {
  return z.object({
    reason: z
      .string({ error: "Give the reason for retiring the document" })
      .trim()
      .min(RETIREMENT_REASON_MIN, `Give the reason for retiring the document (at least ${RETIREMENT_REASON_MIN} characters)`)
      .max(2000, "Keep the reason under 2000 characters"),
    effectiveFrom: z.iso
      .date("Enter the retirement date as YYYY-MM-DD")
      .refine((d) => d >= today, `The retirement date cannot be in the past: use ${today} or later`),
  });
}
