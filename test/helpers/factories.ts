import { open, type Quire } from "~/context.server";
import type { Queryable } from "~/db/db.server";
import {
  getChangeRequest,
  openChangeRequest,
  readDraft,
  saveDraft,
  signReview,
  submitForReview,
  type Participant,
} from "~/modules/change-control/change-control.server";
import type { Role } from "~/modules/users/permissions";
import { createUser, type Actor } from "~/modules/users/users.server";

import { copyDataFolder, type DataFolderKind } from "./data-folder";

/**
 * Factories: what many tests need, built in one call through the same module functions the app
 * uses (so every row is audited as in real use), never by writing rows behind their back.
 */

/** A password every factory-made user has: long enough to pass the guessability check. */
export const TEST_PASSWORD = "correct horse battery";

/** Looks up a person of a data folder by user name, as change control needs them (signer, author). */
export type People = (username: string) => Participant;

/** The users of a data folder as change-control participants, signing from 127.0.0.1. */
export async function peopleOf(db: Queryable): Promise<People> {
  const people = new Map<string, Participant>();
  for (const u of await db.all<{ id: string; username: string; display_name: string; email: string }>("SELECT id, username, display_name, email FROM users")) {
    people.set(u.username, { userId: u.id, username: u.username, printedName: u.display_name, email: u.email, clientAddress: "127.0.0.1" });
  }
  return (username) => {
    const person = people.get(username);
    if (!person) throw new Error(`No user ${username} in this data folder (it has ${[...people.keys()].join(", ")})`);
    return person;
  };
}

/** The administrator of a data folder as an actor (every init creates `admin`). */
export async function adminOf(q: Quire, clientAddress: string | null = null): Promise<Actor & { userId: string }> {
  const row = await q.db.get<{ id: string }>("SELECT id FROM users WHERE username = 'admin'");
  if (!row) throw new Error("This data folder has no admin user.");
  return { userId: row.id, username: "admin", clientAddress };
}

export interface UserOptions {
  roles?: Role[];
  jobFunctions?: string[];
  /** Defaults to TEST_PASSWORD; `null` asks for a generated one-time password. */
  password?: string | null;
  displayName?: string;
  email?: string;
}

/**
 * A user created by an actor (the administrator unless given) through the users module: audited,
 * password hashed and checked. Named `Person <username>` with `<username>@example.org`.
 */
export async function createTestUser(
  q: Quire,
  username: string,
  options: UserOptions = {},
  by?: Actor,
): Promise<{ id: string; temporaryPassword: string | null }> {
  const actor = by ?? (await adminOf(q));
  const password = options.password === undefined ? TEST_PASSWORD : options.password;
  return createUser(
    q,
    {
      username,
      displayName: options.displayName ?? `Person ${username}`,
      email: options.email ?? `${username}@example.org`,
      roles: options.roles ?? ["staff"],
      jobFunctions: options.jobFunctions ?? ["cra"],
      ...(password === null ? {} : { password }),
    },
    actor,
  );
}

export interface ChangeInReviewOptions {
  /** When the author opens it; each later step is a minute after the one before. */
  at: Date;
  docId?: string;
  reason?: string;
  revision?: "major" | "minor";
  retrainingRequired?: boolean;
  proposedEffectiveDate?: string;
  /** The edit the author saves to the draft. */
  edit?: (source: string) => string;
  author?: string;
  reviewer?: string;
}

/**
 * A change request with the author's and the reviewer's signatures, waiting only for approval:
 * opened, edited and saved, submitted (Authored) and reviewed (Reviewed), at `at` + 0..3 minutes.
 * Defaults fit the fixture demo: SOP-TS-001's visit report deadline shortened from 10 to 5 days.
 */
export async function changeInReview(q: Quire, options: ChangeInReviewOptions): Promise<{ crId: string; who: People }> {
  const who = await peopleOf(q.db);
  const minute = (n: number) => new Date(options.at.getTime() + n * 60_000);
  const author = who(options.author ?? "author");
  const crId = await openChangeRequest(
    q,
    author,
    {
      target: "existing",
      docId: options.docId ?? "SOP-TS-001",
      reason: options.reason ?? "Shorten the visit report deadline.",
      revision: options.revision ?? "minor",
      retrainingRequired: options.retrainingRequired ?? false,
      proposedEffectiveDate: options.proposedEffectiveDate ?? "2026-12-01",
      reviewerIds: [who(options.reviewer ?? "reviewer").userId],
    },
    minute(0),
  );
  const draft = await readDraft(q, (await getChangeRequest(q.db, crId))!);
  const edit = options.edit ?? ((source: string) => source.replace("within 10 working days", "within 5 working days"));
  const edited = edit(draft.source);
  if (edited === draft.source) throw new Error(`changeInReview: the edit changes nothing in ${crId}'s draft`);
  await saveDraft(q, author, crId, edited, draft.head, minute(1));
  await submitForReview(q, author, crId, minute(2));
  await signReview(q, who(options.reviewer ?? "reviewer"), crId, minute(3));
  return { crId, who };
}

/** A private copy of a template data folder, opened in-process with Quire's clock pinned to `fixedNow`. */
export async function openCopy(kind: DataFolderKind, fixedNow: string): Promise<Quire> {
  const { config } = await copyDataFolder(kind);
  return open({ ...config, fixedNow });
}
