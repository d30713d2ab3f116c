import fs from "node:fs";
import path from "node:path";

import { simpleGit, type SimpleGit } from "simple-git";

import { JOB_FUNCTIONS_FILE, isDocumentPath, type SourceFile } from "./content";

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitOptions {
  message: string;
  author: GitIdentity;
  /** UTC instant recorded as author and committer date. */
  date: string;
}

export const MAIN_BRANCH = "main";
const QUIRE_IDENTITY: GitIdentity = { name: "Quire", email: "quire@quire.invalid" };

const IDENTITY_ENV = [
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "GIT_COMMITTER_DATE",
];

/**
 * The environment for git runs that set identities and dates. Only what git needs is passed:
 * simple-git guards variables such as EDITOR and GIT_*; identities and dates are allowed by name.
 */
function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "LANG", "TZ"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** A version tag: `<DOC-ID>/v<major>.<minor>`. */
export function versionTag(docId: string, version: string): string {
  return `${docId}/v${version}`;
}

export const VERSION_TAG_PATTERN = /^([A-Z]{2,5}(?:-[A-Z]{2,5})?-\d{3})\/v(\d+)\.(\d+)$/;

/**
 * The one gateway to the content repository (simple-git). Versions are commits on `main`
 * with trailers, tagged `<DOC-ID>/v<major>.<minor>`.
 */
export class ContentRepository {
  readonly git: SimpleGit;

  constructor(readonly dir: string) {
    this.git = simpleGit({ baseDir: dir });
  }

  static async create(dir: string): Promise<ContentRepository> {
    fs.mkdirSync(dir, { recursive: true });
    const repo = new ContentRepository(dir);
    await repo.git.raw(["init", "--quiet", "--initial-branch", MAIN_BRANCH]);
    await repo.git.addConfig("user.name", QUIRE_IDENTITY.name);
    await repo.git.addConfig("user.email", QUIRE_IDENTITY.email);
    // Content is text; keep line endings exactly as written so content hashes are stable.
    await repo.git.addConfig("core.autocrlf", "false");
    return repo;
  }

  async isRepository(): Promise<boolean> {
    if (!fs.existsSync(this.dir)) return false;
    return this.git.checkIsRepo().catch(() => false);
  }

  /** Writes files into the work tree on `main` and commits them as one commit; returns its sha. */
  async commitFiles(files: SourceFile[], options: CommitOptions): Promise<string> {
    for (const file of files) {
      const target = path.join(this.dir, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.source);
    }
    const git = simpleGit({ baseDir: this.dir, allowEnvironment: IDENTITY_ENV }).env({
      ...gitEnv(),
      GIT_AUTHOR_NAME: options.author.name,
      GIT_AUTHOR_EMAIL: options.author.email,
      GIT_AUTHOR_DATE: options.date,
      GIT_COMMITTER_NAME: QUIRE_IDENTITY.name,
      GIT_COMMITTER_EMAIL: QUIRE_IDENTITY.email,
      GIT_COMMITTER_DATE: options.date,
    });
    await git.add(files.map((f) => f.path));
    await git.raw(["commit", "--quiet", "--allow-empty", "-m", options.message]);
    return (await git.revparse(["HEAD"])).trim();
  }

  async tag(name: string, commit: string, message: string, date: string): Promise<void> {
    await simpleGit({ baseDir: this.dir, allowEnvironment: IDENTITY_ENV })
      .env({ ...gitEnv(), GIT_COMMITTER_DATE: date })
      .raw(["tag", "--annotate", name, commit, "-m", message]);
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

  /** The trailers of a commit message, as key to values. */
  async trailers(commit: string): Promise<Map<string, string[]>> {
    const out = await this.git.raw(["log", "-1", "--format=%(trailers:only,unfold)", commit]);
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

  async commitDate(commit: string): Promise<string> {
    const out = await this.git.raw(["log", "-1", "--format=%cI", commit]);
    return new Date(out.trim()).toISOString();
  }

  /** The bytes of a file at a commit, as UTF-8 text. */
  async readFile(commit: string, filePath: string): Promise<string> {
    return this.git.show([`${commit}:${filePath}`]);
  }

  /** Every controlled document and job-functions.yaml at a commit. */
  async readTree(commit: string): Promise<{ documents: SourceFile[]; jobFunctions: SourceFile | null }> {
    const names = (await this.git.raw(["ls-tree", "-r", "--name-only", commit])).split("\n").filter(Boolean);
    const documents: SourceFile[] = [];
    for (const name of names.filter(isDocumentPath)) {
      documents.push({ path: name, source: await this.readFile(commit, name) });
    }
    const jobFunctions = names.includes(JOB_FUNCTIONS_FILE)
      ? { path: JOB_FUNCTIONS_FILE, source: await this.readFile(commit, JOB_FUNCTIONS_FILE) }
      : null;
    return { documents, jobFunctions };
  }

  async head(): Promise<string | null> {
    try {
      return (await this.git.revparse(["HEAD"])).trim();
    } catch {
      return null;
    }
  }
}
