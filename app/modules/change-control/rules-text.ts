// How document control's rules read where SOP-DC-001 states them (decision 017), the same on screen
// (app/components/mdx) and on paper (app/modules/pdf): the component is the rule, this is its text.
import { TYPE_LABELS, type DocumentType } from "~/modules/content/document-types";

import { OWNER } from "./routing";

/** The document type's name as the library writes it. */
export function documentTypeLabel(type: string): string {
  return Object.hasOwn(TYPE_LABELS, type) ? TYPE_LABELS[type as DocumentType] : type;
}

/** "owner quality-manager" -> "Owner function, then Quality Manager". */
export function approvalRouteText(signers: string, jobFunctionName: (id: string) => string): string {
  return signers
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => (s === OWNER ? "Owner function" : jobFunctionName(s)))
    .join(", then ");
}

/** The job function reviewers must include, or what `none` means. */
export function reviewersIncludeText(jobFunction: string, jobFunctionName: (id: string) => string): string {
  return jobFunction === "none" ? "any job function (no particular one is required)" : jobFunctionName(jobFunction);
}

/** The sentence <ReviewerFinalApproval allowed="..."> reads as. */
export function reviewerFinalApprovalText(allowed: string): string {
  return allowed === "yes"
    ? "A person who reviewed the change may also give its final approval."
    : "A person who reviewed the change does not also give its final approval; another approver does.";
}

/** "10 working days", "1 working day". */
export function workingDaysText(days: string): string {
  return `${days} working ${days === "1" ? "day" : "days"}`;
}

/** "60 days", "1 day". */
export function daysText(days: string): string {
  return `${days} ${days === "1" ? "day" : "days"}`;
}
