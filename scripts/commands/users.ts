import type { Command } from "commander";

export function usersCommand(program: Command): void {
  const users = program
    .command("users")
    .description("Work with the user accounts of the data folder (QUIRE_DATA_DIR).")
    .addHelpText("after", '\nExample: npx quire users unlock jsmith --reason "Holder confirmed by phone"');

  users
    .command("unlock")
    .description("Unlock an account locked after failed sign-ins, e.g. the last administrator's, without signing in.")
    .argument("<username>", "the user name of the locked account")
    .option("--reason <text>", "why, for the audit trail (required)")
    .addHelpText(
      "after",
      [
        "",
        "Clears the lock and the count of failed sign-ins, as an administrator's Unlock does, and records it in the",
        'audit trail as done by "cli:<your OS user name>" with your reason (Part 11 §11.300(d)). Locks also lapse by',
        "themselves after QUIRE_LOCKOUT_MINUTES (default 30); this is for when waiting is not an option.",
        "The reason is required: the command bypasses sign-in, so the trail must say why it was used.",
        "",
        "Exit 0 when the account is unlocked, and also when it was not locked (nothing is changed or recorded then);",
        "2 for an unknown user name, a missing reason or no data folder.",
        "",
        'Example: npx quire users unlock admin --reason "Only administrator locked out; identity checked in person"',
      ].join("\n"),
    )
    .action(async (username: string, raw: { reason?: string }) => (await import("./users.action")).usersUnlock(username, raw));
}
