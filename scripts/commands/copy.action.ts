// What `quire copy issue` does, loaded only when it runs (scripts/commands/copy.ts defines the command).
// The same path as the Issue controlled copy form: the copies module checks and issues, the signature
// service checks the password; this reads the options and the password and writes the files.
import fs from "node:fs";
import path from "node:path";

import { z } from "zod";

import { isoDate, now } from "~/clock.server";
import type { DataFolder } from "~/data-folder.server";
import { IssueForm, versionToIssue } from "~/modules/copies/copies";
import { CopyRefused, assertMayIssueCopies, issuableState, issuableVersions, issueCopies, type IssuedCopyFile } from "~/modules/copies/copies.server";
import { SignaturePasswordRefused, verifySigner } from "~/modules/signatures/signatures.server";
import { getUserByUsername } from "~/modules/users/users.server";

import { EXIT, cliActor, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

// The form's own rules for the recipient, location, reason and number of copies (one schema for both).
const Options = IssueForm.pick({ recipient: true, location: true, reason: true, copies: true }).extend({
  doc: z.string({ error: "give the document id, e.g. SOP-DM-001" }).trim().min(1, "give the document id, e.g. SOP-DM-001"),
  version: z
    .string()
    .trim()
    .regex(/^\d+\.\d+$/, "write the version X.Y, e.g. 2.0")
    .optional(),
  as: z.string({ error: "give your Quire user name" }).trim().min(1, "give your Quire user name"),
  out: z.string({ error: "give the folder to write the copies to" }).min(1, "give the folder to write the copies to"),
  json: z.boolean().optional(),
});
type IssueOptions = z.infer<typeof Options>;

export async function copyIssue(raw: unknown): Promise<void> {
  const options = parseOptions(raw);
  const out = checkOutFolder(options.out);
  const q = await openDataFolderOrExit();
  const written: string[] = [];
  try {
    const day = isoDate(now(q.config));
    const version = await chooseVersion(q, options.doc, options.version, day);
    const user = await getUserByUsername(q.db, options.as);
    if (!user) fail(`no user account is named ${options.as.trim().toLowerCase()}`);
    // Checked before the password is asked for, so nobody types it for nothing; issueCopies checks again.
    await assertMayIssueCopies(q.db, user.id);
    const password = await readPassword(user.username);
    // Part 11 §11.200(a)(1): the password re-entered for this signature; a wrong one is audited and counts toward the lockout.
    const signer = await verifySigner(q, { username: user.username, clientAddress: cliActor().username }, password);
    const request = { docId: options.doc, version, recipient: options.recipient, location: options.location, reason: options.reason, copies: options.copies };
    const staged: { temporary: string; target: string }[] = [];
    const issued = await issueCopies(q, signer, request, now(q.config), {
      // Inside the issue's transaction: a file that cannot be written means nothing is issued.
      beforeCommit: async (files) => {
        for (const f of files) staged.push(stageFile(out, f));
      },
    }).catch((error: unknown) => {
      for (const s of staged) fs.rmSync(s.temporary, { force: true });
      throw error;
    });
    for (const s of staged) {
      fs.renameSync(s.temporary, s.target);
      written.push(s.target);
    }
    const copies = issued.map((c, i) => ({ copyId: c.copyId, version, sha256: c.sha256, file: staged[i]!.target }));
    if (options.json === true) printJson({ copies });
    else {
      process.stdout.write(
        `Issued ${copies.length} controlled ${copies.length === 1 ? "copy" : "copies"} of ${options.doc} v${version} to ${request.recipient.trim()} (${request.location.trim()}), signed by ${signer.printedName} (${signer.username}):\n`,
      );
      for (const c of copies) process.stdout.write(`  ${c.copyId}  sha256 ${c.sha256}  ${c.file}\n`);
    }
    process.exitCode = EXIT.ok;
  } catch (error) {
    if (error instanceof CopyRefused || error instanceof SignaturePasswordRefused || error instanceof OutFolderRefused) fail(error.message);
    throw error;
  } finally {
    await q.db.close();
  }
}

/** The options, checked by the issue form's rules; a problem names its option. */
function parseOptions(raw: unknown): IssueOptions {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`--${String(issue.path[0] ?? "doc")}: ${issue.message}`);
  }
  return parsed.data;
}

class OutFolderRefused extends Error {}

/** The --out folder as an absolute path, or exit 2 before anything is done: it must exist, be a folder and be writable. */
function checkOutFolder(out: string): string {
  const folder = path.resolve(out);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    fail(`cannot write the copies to ${folder}: the folder does not exist`);
  }
  if (!stat.isDirectory()) fail(`cannot write the copies to ${folder}: it is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    fail(`cannot write the copies to ${folder}: the folder is not writable`);
  }
  return folder;
}

/** The version to copy: the one asked for (refused if it cannot be copied), else the one the form offers first. */
async function chooseVersion(q: DataFolder, docId: string, asked: string | undefined, day: string): Promise<string> {
  if (asked !== undefined) return (await issuableState(q, docId, asked, day)).version.version;
  const versions = await issuableVersions(q, docId, day);
  if (!versions) throw new CopyRefused(`There is no controlled document ${docId}.`);
  const chosen = versionToIssue(versions);
  if (!chosen) throw new CopyRefused(`No version of ${docId} is approved or in force today: there is nothing to issue.`);
  return chosen.version;
}

/** Writes one copy under a temporary name beside its final one (renamed once the issue commits); never over an existing file. */
function stageFile(folder: string, f: IssuedCopyFile): { temporary: string; target: string } {
  const target = path.join(folder, `${f.copyId}.pdf`);
  if (fs.existsSync(target)) throw new OutFolderRefused(`cannot write ${target}: a file of that name is already there (nothing was issued)`);
  const temporary = path.join(folder, `.${f.copyId}.pdf.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temporary, f.pdf, { flag: "wx" });
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new OutFolderRefused(`cannot write ${target} (${(error as NodeJS.ErrnoException).code ?? String(error)}): nothing was issued`);
  }
  return { temporary, target };
}

// ---------------------------------------------------------------------------------------------
// The password, from standard input only: an argument or an environment variable would be seen in
// shell history and process lists.

async function readPassword(username: string): Promise<string> {
  const password = process.stdin.isTTY ? await promptHidden(`Password for ${username}: `) : await firstLine(process.stdin);
  if (password === null || password === "")
    fail(`no password was given: type it when asked, or pipe it as one line, e.g. printf '%s\\n' "$PW" | npx quire copy issue ... --as ${username}`);
  return password;
}

/** Asks on the terminal without echoing what is typed (stderr, so stdout stays the answer). Ctrl-C stops without issuing. */
function promptHidden(prompt: string): Promise<string | null> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let typed = "";
    const finish = (value: string | null) => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(typed);
        if (ch === "\u0003") {
          finish(null);
          process.stderr.write("quire: stopped; nothing was issued\n");
          process.exit(130);
        }
        if (ch === "\u0004") return finish(typed === "" ? null : typed);
        if (ch === "\u007f" || ch === "\b") typed = [...typed].slice(0, -1).join("");
        else if (ch >= " ") typed += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

/** The first line of a pipe (without its line ending), or null when nothing came. */
function firstLine(input: NodeJS.ReadStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let text = "";
    let got = false;
    const done = (value: string | null) => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", reject);
      input.destroy();
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      got = true;
      text += chunk.toString("utf8");
      const end = text.indexOf("\n");
      if (end >= 0) done(text.slice(0, end).replace(/\r$/, ""));
    };
    const onEnd = () => done(got ? text.replace(/\r$/, "") : null);
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", reject);
  });
}
