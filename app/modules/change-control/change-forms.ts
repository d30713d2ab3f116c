import { z } from "zod";

import type { Permission } from "~/modules/users/permissions";

import { NewChangeRequestSchema } from "./change-control";
import { COMMENT_OUTCOMES } from "./comments";

/**
 * The change-request forms, parsed at the edge. Checkboxes and radio buttons arrive as strings;
 * these schemas turn them into the typed input the change-control module takes.
 */

/** The largest draft Quire saves or previews, in UTF-8 bytes: a controlled document is text, not a dump. */
export const MAX_DRAFT_BYTES = 512 * 1024;

/** The message for a draft over MAX_DRAFT_BYTES, or null when it fits. */
export function draftTooLarge(source: string): string | null {
  const bytes = new TextEncoder().encode(source).byteLength;
  if (bytes <= MAX_DRAFT_BYTES) return null;
  return `The draft is larger than ${MAX_DRAFT_BYTES / 1024} KB, so it was not saved (it is ${Math.ceil(bytes / 1024)} KB). Split it into several documents or shorten it.`;
}

/** Each person is named once: a second entry would be a second review row for the same signer. */
const ReviewerIds = z
  .array(z.string().min(1))
  .min(1, "Name at least one reviewer")
  .refine((ids) => new Set(ids).size === ids.length, "Name each reviewer once.");

/**
 * A title is printed in headers, lists and the document's frontmatter: one line, no control
 * characters (a line break would let a title add frontmatter keys to the new document).
 */
const Title = z
  .string()
  .trim()
  .max(120)
  .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, "A title is one line of text: remove line breaks and control characters.")
  .optional();

/** The domain's schema, stricter at the form edge on the reviewers and the title. */
const NewChangeRequestForm = NewChangeRequestSchema.safeExtend({ title: Title, reviewerIds: ReviewerIds });

/** The "new change request" form: a yes/no radio for retraining, blank optional fields as absent. */
export function parseNewChangeRequest(values: Record<string, string | string[]>) {
  const text = (key: string) => (typeof values[key] === "string" ? (values[key] as string).trim() || undefined : undefined);
  const retraining = values.retrainingRequired === "yes" ? true : values.retrainingRequired === "no" ? false : undefined;
  return NewChangeRequestForm.safeParse({ ...values, retrainingRequired: retraining, title: text("title"), type: text("type"), capaRef: text("capaRef") });
}

const Password = z.string({ error: "Re-enter your password to sign" }).min(1, "Re-enter your password to sign");
/** The SHA-256 of the content shown to the signer: the signature is refused if the draft has moved on. */
const ContentHash = z
  .string({ error: "The form lacks the content being signed: reload the page" })
  .regex(/^[0-9a-f]{64}$/, "The form lacks the content being signed: reload the page");
const ReasonText = (what: string) =>
  z
    .string({ error: `Give the reason for ${what}` })
    .trim()
    .min(5, `Give the reason for ${what} (at least 5 characters)`)
    .max(2000);

/** The actions on a change request's page, one form each, told apart by `intent`. */
export const ChangeActionForm = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("submit"), password: Password, contentHash: ContentHash }),
    z.object({ intent: z.literal("review"), password: Password, contentHash: ContentHash }),
    z.object({
      intent: z.literal("approve"),
      password: Password,
      contentHash: ContentHash,
      effectiveDate: z.iso.date("Enter the effective date as YYYY-MM-DD"),
      urgentJustification: z.string().trim().max(2000).optional(),
    }),
    z.object({ intent: z.literal("function-approve"), password: Password, contentHash: ContentHash }),
    z.object({ intent: z.literal("reject"), reason: ReasonText("the rejection") }),
    z.object({ intent: z.literal("withdraw"), reason: ReasonText("withdrawing") }),
    z.object({
      intent: z.literal("comment"),
      body: z.string().trim().min(1, "Write a comment first").max(4000),
      // "" is the whole draft; otherwise one of its headings or step titles (checked against the draft).
      section: z.string().trim().max(300).optional(),
    }),
    z.object({
      intent: z.literal("resolve"),
      commentId: z.coerce.number({ error: "Choose the comment to resolve" }).int().positive("Choose the comment to resolve"),
      outcome: z.enum(COMMENT_OUTCOMES, { error: "Say whether the text was changed or no change is needed" }),
      note: z
        .string({ error: "Say what was changed, or why no change is needed" })
        .trim()
        .min(5, "Say what was changed, or why no change is needed (at least 5 characters)")
        .max(2000),
    }),
    z.object({
      intent: z.literal("reviewers"),
      reviewerIds: ReviewerIds,
      reason: ReasonText("changing the reviewers"),
    }),
  ],
  { error: "Choose an action: submit, review, function-approve, approve, reject, withdraw, comment, resolve or reviewers" },
);
export type ChangeAction = z.infer<typeof ChangeActionForm>;
export type ChangeIntent = ChangeAction["intent"];

/** The permission each action needs; who may act on this particular change is checked after. */
export const INTENT_PERMISSION: Record<ChangeIntent, Permission> = {
  submit: "document.author",
  withdraw: "document.author",
  review: "document.review",
  reject: "document.review",
  approve: "document.approve",
  // Signing authority for documents: a holder of the route's job function who may review documents.
  "function-approve": "document.review",
  comment: "document.read",
  resolve: "document.author",
  reviewers: "document.author",
};

export function isChangeIntent(value: unknown): value is ChangeIntent {
  return typeof value === "string" && Object.hasOwn(INTENT_PERMISSION, value);
}

/** The signature meaning each signing action applies (Part 11 §11.50(a)(3)). */
export const INTENT_MEANING = { submit: "Authored", review: "Reviewed", "function-approve": "Function approval", approve: "Approved" } as const;

/** The actions on a withdrawal request's page (change-control/withdrawal.server.ts), one form each. */
export const WithdrawalActionForm = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("sign"), password: Password, contentHash: ContentHash }),
    z.object({ intent: z.literal("reject"), reason: ReasonText("the rejection") }),
    z.object({ intent: z.literal("cancel"), reason: ReasonText("cancelling the request") }),
  ],
  { error: "Choose an action: sign, reject or cancel" },
);
export type WithdrawalIntent = z.infer<typeof WithdrawalActionForm>["intent"];

/**
 * The permission each withdrawal action needs. Signing and rejecting are open to readers of change
 * requests here; who may sign which step (job function, signing authority) is checked with the route.
 */
export const WITHDRAWAL_INTENT_PERMISSION: Record<WithdrawalIntent, Permission> = {
  sign: "change.read",
  reject: "change.read",
  cancel: "document.withdraw",
};

export function isWithdrawalIntent(value: unknown): value is WithdrawalIntent {
  return typeof value === "string" && Object.hasOwn(WITHDRAWAL_INTENT_PERMISSION, value);
}
