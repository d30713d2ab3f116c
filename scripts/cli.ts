import { Command } from "commander";

import { withUsageExitCodes } from "./cli-support";
import { auditCommand } from "./commands/audit";
import { binderCommand } from "./commands/binder";
import { copyCommand } from "./commands/copy";
import { effectiveCommand } from "./commands/effective";
import { initCommand } from "./commands/init";
import { kpiCommand } from "./commands/kpi";
import { notifyCommand } from "./commands/notify";
import { pdfCommand } from "./commands/pdf";
import { remindCommand } from "./commands/remind";
import { reviewPackCommand } from "./commands/review-pack";
import { trainedCommand } from "./commands/trained";
import { usersCommand } from "./commands/users";
import { validateCommand } from "./commands/validate";
import { verifyCommand } from "./commands/verify";
import { verifyCopyCommand } from "./commands/verify-copy";

// Each command file only declares its options and help; its action imports the implementation
// (scripts/commands/<name>.action.ts, and through it the app modules) when that command runs, so
// `quire --help` loads commander and nothing else, and each command only what its own code uses.
const program = new Command("quire").description("Quire: a document-centric quality system for clinical research.").showHelpAfterError();
initCommand(program);
validateCommand(program);
effectiveCommand(program);
trainedCommand(program);
kpiCommand(program);
reviewPackCommand(program);
remindCommand(program);
notifyCommand(program);
auditCommand(program);
verifyCommand(program);
pdfCommand(program);
verifyCopyCommand(program);
copyCommand(program);
binderCommand(program);
usersCommand(program);
withUsageExitCodes(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Anything unexpected: one line, no stack trace (set QUIRE_DEBUG=1 to see it).
  process.stderr.write(`quire: ${(error as Error).message}\n`);
  if (process.env.QUIRE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(3);
}
