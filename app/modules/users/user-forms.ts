import { z } from "zod";

import { PASSWORD_HISTORY, PASSWORD_MIN_LENGTH } from "./passwords";
import { ROLE_NAMES } from "./permissions";

/**
 * The administrator's and the user's forms, parsed at the edge into typed values before the users
 * module sees them. The module re-checks what it owns (user name rules and uniqueness, job
 * functions that exist, password rules and history) and reports it as a UserInputError.
 */

/** A form's fields as zod wants them: repeated names (checkboxes) as arrays, files ignored. */
export function formValues(form: FormData, multiple: readonly string[] = []): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of form) {
    if (typeof value !== "string" || multiple.includes(key)) continue;
    values[key] = value;
  }
  for (const key of multiple) values[key] = form.getAll(key).filter((v): v is string => typeof v === "string");
  return values;
}

/** An optional reason for the audit trail: blank means none given. */
const Reason = z
  .string()
  .trim()
  .max(500, "Keep the reason under 500 characters")
  .optional()
  .transform((v) => (v ? v : null));

const DetailsFields = {
  displayName: z
    .string({ error: "Enter the person's full name" })
    .trim()
    .min(1, "Enter the person's full name, as it should be printed under their signatures")
    .max(100, "Keep the full name under 100 characters")
    // Printed under signatures and in git trailers: one line, no angle brackets.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or refuses
    .regex(/^[^\u0000-\u001f\u007f<>]*$/, "The full name may not contain line breaks, control characters or < >"),
  email: z
    .string({ error: "Enter an email address" })
    .trim()
    .min(1, "Enter an email address")
    .max(254, "Keep the email address under 254 characters")
    .pipe(z.email("Enter a valid email address, such as name@example.org")),
  roles: z.array(z.enum(ROLE_NAMES, { error: "Choose roles from the list" })).min(1, "Choose at least one role: without one the person can open nothing"),
  jobFunctions: z.array(z.string().max(60, "Choose job functions from the list")),
  reason: Reason,
};

export const NewUserForm = z.object({
  // Sign-in lower-cases the user name too, so "JSmith" and "jsmith" are the same person.
  username: z.string({ error: "Enter a user name" }).trim().toLowerCase().min(1, "Enter a user name").max(32, "User names are at most 32 characters"),
  ...DetailsFields,
});
export type NewUserValues = z.infer<typeof NewUserForm>;

/** The account page's forms, one per intent (details, deactivate, reactivate, unlock, password reset). */
export const AccountForm = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("details"), ...DetailsFields }),
    z.object({ intent: z.literal("deactivate"), reason: Reason }),
    z.object({ intent: z.literal("reactivate"), reason: Reason }),
    z.object({ intent: z.literal("unlock"), reason: Reason }),
    z.object({ intent: z.literal("reset-password"), reason: Reason }),
    z.object({ intent: z.literal("manager"), managerId: z.string().max(64).default(""), reason: Reason }),
  ],
  { error: "Unknown action: reload the page and try again" },
);
export type AccountIntent = z.infer<typeof AccountForm>["intent"];

export const OwnPasswordForm = z
  .object({
    current: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(256),
    password: z.string({ error: "Enter a new password" }).min(1, "Enter a new password").max(256, "Keep the new password under 256 characters"),
    confirm: z.string({ error: "Enter the new password again" }).min(1, "Enter the new password again").max(256),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The confirmation does not match the new password" });

/** Shown next to the password form; passwords.ts, password-strength.server.ts and changeOwnPassword enforce them. */
export const PASSWORD_RULES = [
  `At least ${PASSWORD_MIN_LENGTH} characters. A short sentence is easier to remember than a jumble.`,
  "Not your user name.",
  "Not easy to guess: no common password, keyboard run, repeat, date or your own name.",
  `Not one of your last ${PASSWORD_HISTORY} passwords.`,
];
