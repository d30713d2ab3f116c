import type { Command } from "commander";

export function validateCommand(program: Command): void {
  program
    .command("validate")
    .description("Check controlled documents (frontmatter, MDX policy, components, references) and their quizzes (*.quiz.yaml).")
    .argument("[paths...]", "files or folders to check (default: the content repository)")
    .option("--json", "print the problems as JSON")
    .addHelpText(
      "after",
      "\nEach path is checked within its content root (the nearest folder holding job-functions.yaml), so\nreferences to other documents resolve. Prints one `path:line:column: message [rule]` line per problem.\nExit 0 when all is well, 1 when problems were found, 2 for a path that does not exist.",
    )
    .action(async (paths: string[], opts: { json?: boolean }) => (await import("./validate.action")).validate(paths, opts));
}
