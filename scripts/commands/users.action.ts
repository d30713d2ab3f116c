// What `quire users unlock` does, loaded only when it runs (scripts/commands/users.ts defines the command).
import { z } from "zod";

import { now } from "~/clock.server";
import { lockInForce, lockLapsesAt } from "~/modules/users/users";
import { UserInputError, getUserByUsername, unlockUser } from "~/modules/users/users.server";

import { EXIT, cliActor, fail } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const UnlockOptions = z.object({
  username: z.string().trim().min(1, "give the user name of the account to unlock"),
  reason: z
    .string({ error: 'give --reason "...": why the account is unlocked from the command line, for the audit trail' })
    .trim()
    .min(1, 'give --reason "...": why the account is unlocked from the command line, for the audit trail')
    .max(500, "keep --reason under 500 characters"),
});

function minuteLabel(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export async function usersUnlock(username: string, raw: { reason?: string }): Promise<void> {
  const parsed = UnlockOptions.safeParse({ username, reason: raw.reason });
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { reason } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const user = await getUserByUsername(q.db, parsed.data.username);
    if (!user) fail(`no user account is named ${parsed.data.username.trim().toLowerCase()}`);
    if (!user.lockedAt) {
      process.stdout.write(`${user.username} is not locked; nothing changed.\n`);
      process.exitCode = EXIT.ok;
      return;
    }
    const wasInForce = lockInForce(user.lockedAt, now(q.config), q.config.lockoutMinutes);
    try {
      await unlockUser(q, user.id, cliActor(), reason);
    } catch (error) {
      // Unlocked by someone else (or by a sign-in after the lock lapsed) since it was read.
      if (error instanceof UserInputError) {
        process.stdout.write(`${user.username} is not locked; nothing changed.\n`);
        process.exitCode = EXIT.ok;
        return;
      }
      throw error;
    }
    const lapsed = wasInForce ? "" : ` (its lock had already lapsed at ${minuteLabel(lockLapsesAt(user.lockedAt, q.config.lockoutMinutes).toISOString())})`;
    process.stdout.write(`Unlocked ${user.username}${lapsed}; failed sign-ins reset to 0. Recorded in the audit trail as ${cliActor().username}.\n`);
    if (!user.active) process.stdout.write(`Note: ${user.username} is deactivated, so it still cannot sign in; an administrator can reactivate it.\n`);
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}
