import { execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { simpleGit, type SimpleGit } from "simple-git";

import { boundedCache } from "~/cache";

import { JOB_FUNCTIONS_FILE, isDocumentPath, isQuizPath, type SourceFile } from "./content-files";

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitOptions {
  /** The branch the commit goes on (refs/heads/<branch>). */
  branch: string;
  /** The commit whose tree the new tree starts from, and the first parent; null for a root commit. */
  base: string | null;
  /** Further parents (a merge records the change request's branch head). */
  extraParents?: string[];
  /** The branch head the caller read; the update is refused if the branch has moved since (no lost edits). */
  expectedHead: string | null;
  files: SourceFile[];
  /** Paths to delete from the base commit's tree (e.g. a knowledge check the change removes). */
  remove?: string[];
  message: string;
  author: GitIdentity;
  /** UTC instant recorded as author and committer date. */
  date: string;
}

export class StaleHeadError extends Error {}

/** The content files of a commit: its documents, their quizzes and job-functions.yaml. */
export interface ContentTree {
  documents: SourceFile[];
  quizzes: SourceFile[];
  jobFunctions: SourceFile | null;
}

export const MAIN_BRANCH = "main";
export const QUIRE_IDENTITY: GitIdentity = { name: "Quire", email: "quire@quire.invalid" };
const ZERO = "0".repeat(40);
/** git's empty tree, which every repository knows without storing it. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

const GUARDED_ENV = [
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
  "GIT_INDEX_FILE",
];

/**
 * The environment for git runs that set identities, dates or a private index. Only what git needs
 * is passed on: simple-git guards variables such as EDITOR and GIT_*, so these are allowed by name.
 */
function gitEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "LANG", "TZ"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** A version tag: `<DOC-ID>/v<major>.<minor>`. */
export function versionTag(docId: string, version: string): string {
  return `${docId}/v${version}`;
}

export const VERSION_TAG_PATTERN = /^([A-Z]{2,5}(?:-[A-Z]{2,5})?-\d{3})\/v(\d+)\.(\d+)$/;

/**
 * Runs a git command that prints nothing on success (read-tree, update-index, update-ref, tag,
 * config). simple-git waits a fixed 50 ms after any command that printed nothing before it
 * resolves (its completion plugin), which made each approval and `init --demo` seconds slower;
 * these few plumbing calls therefore run git directly (docs/decisions/006). Everything that
 * reads output stays on simple-git.
 */
function runSilent(dir: string, args: string[], env?: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const options = { cwd: dir, env: (env ?? gitEnv({})) as NodeJS.ProcessEnv, encoding: "utf8" as const, maxBuffer: 1024 * 1024 };
    execFile("git", args, options, (error: Error | null, _stdout: string, stderr: string) => {
      if (error) reject(new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}

/** The trailers of a commit message (`Key: value` lines, unfolded), each key's values in order. */
function parseTrailers(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of out.split("\n")) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const list = map.get(m[1]!) ?? [];
    list.push(m[2]!);
    map.set(m[1]!, list);
  }
  return map;
}

/** What `readVersionCommits` found: present commits, files by `commit:path`, trailers by commit. */
export interface VersionCommits {
  present: Set<string>;
  files: Map<string, string>;
  trailers: Map<string, Map<string, string[]>>;
}

/** A commit named by its full SHA-1: what it holds never changes. */
const FULL_SHA = /^[0-9a-f]{40}$/;

// Git objects never change, so what a commit holds can be kept, keyed by repository folder (a SHA read
// in one repository says nothing of another) and commit: the trees of recently read commits, and files
// read at a commit (a document version's body, its knowledge check).
const treeAtCommit = boundedCache<Promise<ContentTree>>("content trees at a commit", 8);
const fileAtCommit = boundedCache<Promise<string>>("content files at a commit", 500);
const fileAbsentAtCommit = boundedCache<true>("content files absent at a commit", 500);

/**
 * The one gateway to the content repository (simple-git). Quire's repository is bare: commits are
 * written with git's plumbing into a private index, so no work tree can drift, branch updates are
 * compare-and-swap (a stale head is refused), and authors can push `cr/*` branches to it.
 * Versions are commits on `main` with trailers, tagged `<DOC-ID>/v<major>.<minor>`.
 */
export class ContentRepository {
  readonly git: SimpleGit;
  /** The repository's git folder (the folder itself when bare), asked of git once. */
  private gitDir: Promise<string> | null = null;

  constructor(readonly dir: string) {
    this.git = simpleGit({ baseDir: dir });
  }

  static async create(dir: string): Promise<ContentRepository> {
    fs.mkdirSync(dir, { recursive: true });
    await runSilent(dir, ["init", "--quiet", "--bare", "--initial-branch", MAIN_BRANCH]);
    await runSilent(dir, ["config", "user.name", QUIRE_IDENTITY.name]);
    await runSilent(dir, ["config", "user.email", QUIRE_IDENTITY.email]);
    return new ContentRepository(dir);
  }

  /** True when the folder itself is a repository (bare, or with .git), not merely inside one. */
  async isRepository(): Promise<boolean> {
    if (!fs.existsSync(this.dir)) return false;
    try {
      const gitDir = fs.realpathSync((await this.git.raw(["rev-parse", "--absolute-git-dir"])).trim());
      const own = fs.realpathSync(this.dir);
      return gitDir === own || gitDir === path.join(own, ".git");
    } catch {
      return false;
    }
  }

  /**
   * Writes one commit on a branch: the base commit's tree with `files` replaced or added, moved
   * onto the branch only if the branch still points where the caller read it.
   */
  async commit(options: CommitOptions): Promise<string> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "quire-git-"));
    try {
      const env = gitEnv({
        GIT_INDEX_FILE: path.join(scratch, "index"),
        GIT_AUTHOR_NAME: options.author.name,
        GIT_AUTHOR_EMAIL: options.author.email,
        GIT_AUTHOR_DATE: options.date,
        GIT_COMMITTER_NAME: QUIRE_IDENTITY.name,
        GIT_COMMITTER_EMAIL: QUIRE_IDENTITY.email,
        GIT_COMMITTER_DATE: options.date,
      });
      const git = simpleGit({ baseDir: this.dir, allowEnvironment: GUARDED_ENV }).env(env);
      await runSilent(this.dir, ["read-tree", ...(options.base ? [options.base] : ["--empty"])], env);
      for (const file of options.files) {
        const blobFile = path.join(scratch, crypto.randomUUID());
        fs.writeFileSync(blobFile, file.source);
        const blob = (await git.raw(["hash-object", "-w", "--", blobFile])).trim();
        await runSilent(this.dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${file.path}`], env);
      }
      // update-index refuses to remove without a work tree: an empty scratch one will do (only the index changes).
      for (const gone of options.remove ?? []) await runSilent(this.dir, ["update-index", "--force-remove", "--", gone], { ...env, GIT_WORK_TREE: scratch });
      const tree = (await git.raw(["write-tree"])).trim();
      const parents = [...(options.base ? [options.base] : []), ...(options.extraParents ?? [])].flatMap((p) => ["-p", p]);
      const messageFile = path.join(scratch, "message");
      fs.writeFileSync(messageFile, options.message);
      const sha = (await git.raw(["commit-tree", tree, ...parents, "-F", messageFile])).trim();
      try {
        await runSilent(this.dir, ["update-ref", `refs/heads/${options.branch}`, sha, options.expectedHead ?? ZERO]);
      } catch {
        throw new StaleHeadError(
          `The branch ${options.branch} has moved since it was read (expected ${options.expectedHead?.slice(0, 12) ?? "no branch"}); reload and apply your change again.`,
        );
      }
      return sha;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  async tag(name: string, commit: string, message: string, date: string): Promise<void> {
    await runSilent(
      this.dir,
      ["tag", "--annotate", name, commit, "-m", message],
      gitEnv({ GIT_COMMITTER_DATE: date, GIT_COMMITTER_NAME: QUIRE_IDENTITY.name, GIT_COMMITTER_EMAIL: QUIRE_IDENTITY.email }),
    );
  }

  /** Every version tag with the commit it points at. */
  async versionTags(): Promise<{ tag: string; commit: string }[]> {
    const out = await this.git.raw(["for-each-ref", "--format=%(refname:short) %(*objectname) %(objectname)", "refs/tags"]);
    return out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [tag = "", peeled = "", object = ""] = line.split(" ");
        return { tag, commit: peeled || object };
      })
      .filter((t) => VERSION_TAG_PATTERN.test(t.tag));
  }

  async hasTag(name: string): Promise<boolean> {
    const out = await this.git.raw(["tag", "--list", name]);
    return out.trim() === name;
  }

  /** The trailers of a commit message, as key to values. */
  async trailers(commit: string): Promise<Map<string, string[]>> {
    return parseTrailers(await this.git.raw(["log", "-1", "--format=%(trailers:only,unfold)", commit]));
  }

  /**
   * What `quire verify` reads of every version commit, with three git processes in all rather than
   * three per version: which commits exist, each version's file at its commit, and each commit's
   * trailers. A missing commit or file is simply absent from the answer; a git failure rejects, and
   * the caller reads the versions one by one instead (a damaged repository is then a finding per version).
   */
  async readVersionCommits(items: readonly { commit: string; path: string }[]): Promise<VersionCommits> {
    const commits = [...new Set(items.map((i) => i.commit))].filter((c) => FULL_SHA.test(c));
    const check = await this.catFile("--batch-check", commits.map((c) => `${c}^{commit}`));
    const present = new Set(commits.filter((_, i) => / commit \d+$/.test(check.headers[i] ?? "")));
    const wanted = items.filter((i) => present.has(i.commit));
    const read = await this.catFile("--batch", wanted.map((i) => `${i.commit}:${i.path}`));
    const files = new Map<string, string>();
    wanted.forEach((item, i) => {
      const body = read.bodies[i];
      if (body !== undefined) files.set(`${item.commit}:${item.path}`, body);
    });
    const trailers = new Map<string, Map<string, string[]>>();
    if (present.size > 0) {
      const out = await this.git.raw(["log", "--no-walk=unsorted", "--format=%x1e%H%x1f%(trailers:only,unfold)", ...present]);
      for (const entry of out.split("\x1e").slice(1)) {
        const [sha, text] = entry.split("\x1f");
        trailers.set(sha!.trim(), parseTrailers(text ?? ""));
      }
    }
    return { present, files, trailers };
  }

  /**
   * One `git cat-file` run over many objects: each one's header line and, in --batch mode, its
   * content as UTF-8 (undefined when git says it is missing or not a blob).
   */
  private async catFile(mode: "--batch" | "--batch-check", objects: readonly string[]): Promise<{ headers: string[]; bodies: (string | undefined)[] }> {
    if (objects.length === 0) return { headers: [], bodies: [] };
    const output = await new Promise<Buffer>((resolve, reject) => {
      const child = spawn("git", ["cat-file", mode], { cwd: this.dir, env: gitEnv({}) as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
      const chunks: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`git cat-file failed: ${stderr.trim()}`))));
      child.stdin.end(objects.map((o) => `${o}\n`).join(""));
    });
    const headers: string[] = [];
    const bodies: (string | undefined)[] = [];
    let at = 0;
    for (let i = 0; i < objects.length; i++) {
      const end = output.indexOf(10, at);
      if (end < 0) throw new Error(`git cat-file answered ${i} of ${objects.length} objects`);
      const header = output.subarray(at, end).toString();
      headers.push(header);
      at = end + 1;
      const size = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      if (mode === "--batch" && size) {
        bodies.push(size[1] === "blob" ? output.subarray(at, at + Number(size[2])).toString("utf8") : undefined);
        at += Number(size[2]) + 1;
      } else bodies.push(undefined);
    }
    return { headers, bodies };
  }

  /** Who made a commit (git's author) and its subject line. */
  async commitSummary(commit: string): Promise<{ author: string; subject: string; date: string }> {
    const out = await this.git.raw(["log", "-1", "--format=%an <%ae>%n%aI%n%s", commit]);
    const [author = "", date = "", subject = ""] = out.split("\n");
    return { author, subject, date: new Date(date).toISOString() };
  }

  async commitDate(commit: string): Promise<string> {
    const out = await this.git.raw(["log", "-1", "--format=%cI", commit]);
    return new Date(out.trim()).toISOString();
  }

  /** Commits reachable from `to` but not from `from`, newest first. */
  async commitsBetween(from: string, to: string): Promise<string[]> {
    return (await this.git.raw(["rev-list", `${from}..${to}`])).split("\n").filter(Boolean);
  }

  /** The bytes of a file at a commit, as UTF-8 text; null when the file is not there. */
  async readFileOrNull(commit: string, filePath: string): Promise<string | null> {
    if (!FULL_SHA.test(commit)) return this.git.show([`${commit}:${filePath}`]).catch(() => null);
    // A file missing at a commit stays missing (most versions have no knowledge check): kept too.
    const key = `${this.dir}\0${commit}:${filePath}`;
    if (fileAbsentAtCommit.has(key)) return null;
    return this.readFile(commit, filePath).catch(async () => {
      // git words a missing path and an unknown commit alike: keep the absence only in a commit that exists.
      if (await this.hasCommit(commit)) fileAbsentAtCommit.set(key, true);
      return null;
    });
  }

  /**
   * The bytes of a file at a commit, as UTF-8 text. At a commit named by its full SHA-1 the answer
   * never changes (git objects are immutable), so it is kept: one approval reads the same version's
   * body and knowledge check several times, and each `git show` is a process start.
   */
  async readFile(commit: string, filePath: string): Promise<string> {
    if (!FULL_SHA.test(commit)) return this.git.show([`${commit}:${filePath}`]);
    const key = `${this.dir}\0${commit}:${filePath}`;
    let source = fileAtCommit.get(key);
    if (source === undefined) {
      source = this.git.show([`${commit}:${filePath}`]);
      source.catch(() => fileAtCommit.delete(key));
      fileAtCommit.set(key, source);
    }
    return source;
  }

  /**
   * Many files at once, in the order asked, through one `git cat-file --batch` (one process, not one
   * per file: the inspection binder reads hundreds of versions). Throws if any is missing.
   */
  async readFiles(files: readonly { commit: string; path: string }[]): Promise<string[]> {
    const { headers, bodies } = await this.catFile(
      "--batch",
      files.map((f) => `${f.commit}:${f.path}`),
    );
    return files.map((f, i) => {
      const source = bodies[i];
      if (source === undefined) throw new Error(`${f.commit}:${f.path} is not in the content repository (${headers[i]})`);
      return source;
    });
  }

  /** Every controlled document, every quiz and job-functions.yaml at a commit (or branch), read once per commit. */
  async readTree(commitOrBranch: string): Promise<ContentTree> {
    // A full SHA-1 whose tree was read already is a commit that exists: no need to ask git again.
    const known = FULL_SHA.test(commitOrBranch) && treeAtCommit.has(`${this.dir}\0${commitOrBranch}`);
    const commit = known ? commitOrBranch : (await this.git.raw(["rev-parse", "--verify", `${commitOrBranch}^{commit}`])).trim();
    const key = `${this.dir}\0${commit}`;
    let tree = treeAtCommit.get(key);
    if (!tree) {
      tree = this.readTreeNow(commit);
      tree.catch(() => treeAtCommit.delete(key));
      treeAtCommit.set(key, tree);
    }
    const { documents, quizzes, jobFunctions } = await tree;
    // Callers may change what they get; the cached tree stays as git has it.
    return {
      documents: documents.map((d) => ({ ...d })),
      quizzes: quizzes.map((q) => ({ ...q })),
      jobFunctions: jobFunctions ? { ...jobFunctions } : null,
    };
  }

  private async readTreeNow(commit: string): Promise<ContentTree> {
    const names = (await this.git.raw(["ls-tree", "-r", "--name-only", commit])).split("\n").filter(Boolean);
    // One `git cat-file --batch` for the whole tree rather than a process per file.
    const wanted = [...names.filter(isDocumentPath), ...names.filter(isQuizPath), ...names.filter((n) => n === JOB_FUNCTIONS_FILE)];
    const sources = await this.readFiles(wanted.map((name) => ({ commit, path: name })));
    const files = wanted.map((name, i) => ({ path: name, source: sources[i]! }));
    return {
      documents: files.filter((f) => isDocumentPath(f.path)),
      quizzes: files.filter((f) => isQuizPath(f.path)),
      jobFunctions: files.find((f) => f.path === JOB_FUNCTIONS_FILE) ?? null,
    };
  }

  /** The commits of a branch's first-parent line (its own history, not merged drafts), newest first. */
  async firstParentCommits(branch: string): Promise<string[]> {
    const head = await this.branchHead(branch);
    if (!head) return [];
    return (await this.git.raw(["rev-list", "--first-parent", head])).split("\n").filter(Boolean);
  }

  /** Whether `ancestor` is reachable from `descendant` (git merge-base --is-ancestor). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return runSilent(this.dir, ["merge-base", "--is-ancestor", ancestor, descendant]).then(
      () => true,
      () => false,
    );
  }

  /** Whether the repository holds this commit object. */
  async hasCommit(sha: string): Promise<boolean> {
    return runSilent(this.dir, ["cat-file", "-e", `${sha}^{commit}`]).then(
      () => true,
      () => false,
    );
  }

  /** The root commits of a branch (its first commit: the repository's identity). */
  async rootCommits(branch: string): Promise<string[]> {
    const head = await this.branchHead(branch);
    if (!head) return [];
    return (await this.git.raw(["rev-list", "--max-parents=0", head])).split("\n").filter(Boolean);
  }

  /** The commit any ref points at (peeling tags), or null. */
  async refTarget(ref: string): Promise<string | null> {
    try {
      return (await this.git.raw(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * Appends a commit with an empty tree and the given message to a ref outside refs/heads and
   * refs/tags (Quire's audit anchors), compare-and-swap against the head the caller read.
   */
  async appendToRef(ref: string, message: string, date: string): Promise<string> {
    const parent = await this.refTarget(ref);
    const env = gitEnv({
      GIT_AUTHOR_NAME: QUIRE_IDENTITY.name,
      GIT_AUTHOR_EMAIL: QUIRE_IDENTITY.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: QUIRE_IDENTITY.name,
      GIT_COMMITTER_EMAIL: QUIRE_IDENTITY.email,
      GIT_COMMITTER_DATE: date,
    });
    const git = simpleGit({ baseDir: this.dir, allowEnvironment: GUARDED_ENV }).env(env);
    const sha = (await git.raw(["commit-tree", EMPTY_TREE, ...(parent ? ["-p", parent] : []), "-m", message])).trim();
    await runSilent(this.dir, ["update-ref", ref, sha, parent ?? ZERO], env);
    return sha;
  }

  /** The commits of a ref's history, newest first (empty when the ref does not exist). */
  async refHistory(ref: string): Promise<string[]> {
    const head = await this.refTarget(ref);
    if (!head) return [];
    return (await this.git.raw(["rev-list", head])).split("\n").filter(Boolean);
  }

  /** The commit a branch points at, or null when there is no such branch. */
  async branchHead(branch: string): Promise<string | null> {
    const loose = await this.looseBranchRef(branch);
    if (loose) return loose;
    try {
      return (await this.git.raw(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * The SHA a branch's loose ref file holds, or null for git to answer. Pages and change control ask
   * for branch heads many times per request and step, and each `git rev-parse` is a process start.
   * git writes a loose ref whole (a lock file renamed into place) and only ever to a commit under
   * refs/heads, so the file says what `rev-parse` would; a packed, missing or unusual ref (or a
   * repository whose refs are not files) falls back to git.
   */
  private async looseBranchRef(branch: string): Promise<string | null> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || branch.includes("..")) return null;
    this.gitDir ??= this.git.raw(["rev-parse", "--absolute-git-dir"]).then((out) => out.trim());
    try {
      const text = await fs.promises.readFile(path.join(await this.gitDir, "refs", "heads", branch), "utf8");
      return /^[0-9a-f]{40}\n?$/.test(text) ? text.trim() : null;
    } catch {
      return null;
    }
  }

  /** The branch HEAD names (main for Quire's own repository). */
  async currentBranch(): Promise<string> {
    return (await this.git.raw(["symbolic-ref", "--short", "HEAD"])).trim();
  }

  async head(): Promise<string | null> {
    return this.branchHead(await this.currentBranch().catch(() => MAIN_BRANCH));
  }

  /** Deletes a branch, only if it still points where the caller saw it. */
  async deleteBranch(branch: string, expectedHead: string): Promise<void> {
    await runSilent(this.dir, ["update-ref", "-d", `refs/heads/${branch}`, expectedHead]);
  }

  /** Creates a branch at a commit; refused when it exists already. */
  async createBranch(branch: string, at: string): Promise<void> {
    await runSilent(this.dir, ["update-ref", `refs/heads/${branch}`, at, ZERO]);
  }
}
