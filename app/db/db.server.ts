import fs from "node:fs";
import path from "node:path";

import sqlite3 from "sqlite3";

export type SqlParam = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlParam[] | Record<string, SqlParam>;

export interface RunResult {
  changes: number;
  lastID: number;
}

/** The statements available inside a transaction (and, read-only, outside one). */
export interface Queryable {
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
}
export interface Tx extends Queryable {
  run(sql: string, params?: SqlParams): Promise<RunResult>;
}

function openConnection(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
}

function bind(params: SqlParams | undefined): unknown[] | Record<string, unknown> {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params as unknown[];
  // Named parameters: sqlite3 wants the prefix in the key.
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k.startsWith("$") ? k : `$${k}`, v]));
}

function connectionApi(db: sqlite3.Database): Tx {
  return {
    run: (sql, params) =>
      new Promise((resolve, reject) => {
        db.run(sql, bind(params), function (this: sqlite3.RunResult, err: Error | null) {
          if (err) reject(err);
          else resolve({ changes: this.changes, lastID: this.lastID });
        });
      }),
    get: <T>(sql: string, params?: SqlParams) =>
      new Promise<T | undefined>((resolve, reject) => {
        db.get(sql, bind(params), (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
      }),
    all: <T>(sql: string, params?: SqlParams) =>
      new Promise<T[]>((resolve, reject) => {
        db.all(sql, bind(params), (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
      }),
  };
}

/** One connection that only reads: what a read-only command needs, instead of a Database's two. */
export interface QueryConnection extends Queryable {
  close(): Promise<void>;
}

/**
 * Opens a single connection to an existing database for reading (a read-only CLI command: issue 10
 * counts its start-up). It opens read-write so that, closing last, it checkpoints and removes the
 * -wal and -shm files as a Database does (a read-only connection cannot, and would leave them
 * behind), and `PRAGMA query_only` then refuses any write through it.
 */
export async function openQueryConnection(file: string): Promise<QueryConnection> {
  const db = await openConnection(file, sqlite3.OPEN_READWRITE);
  db.configure("busyTimeout", 5000);
  await exec(db, "PRAGMA query_only = ON;");
  const api = connectionApi(db);
  return {
    get: api.get,
    all: api.all,
    close: () => new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * The one SQLite access layer.
 *
 * Two connections: a writer whose transactions run one at a time through a queue, and a reader.
 * sqlite3 multiplexes every statement of a connection, so a BEGIN..COMMIT spread over awaits would
 * otherwise swallow the statements of another request (stack.md pitfall 3). In WAL mode the reader
 * sees only committed data, so a page never shows half of a transaction.
 */
const MEMO_LIMIT = 5000;

export class Database implements Queryable {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly memo = new Map<string, { version: string; value: Promise<unknown> }>();
  /** This process's commits so far, counted as each finishes. */
  private ownCommits = 0;
  /** The reader's data_version, read once in the current turn of the event loop. */
  private dataVersionThisTurn: Promise<number> | null = null;
  private readonly writerApi: Tx;
  private readonly readerApi: Queryable;

  private constructor(
    readonly file: string,
    private readonly writer: sqlite3.Database,
    private readonly reader: sqlite3.Database,
  ) {
    this.writerApi = connectionApi(writer);
    this.readerApi = connectionApi(reader);
  }

  static async open(file: string): Promise<Database> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const writer = await openConnection(file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
    writer.configure("busyTimeout", 5000);
    await exec(writer, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
    const reader = await openConnection(file, sqlite3.OPEN_READONLY);
    reader.configure("busyTimeout", 5000);
    await exec(reader, "PRAGMA foreign_keys = ON;");
    return new Database(file, writer, reader);
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.readerApi.get<T>(sql, params);
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.readerApi.all<T>(sql, params);
  }

  /**
   * A value computed from the database, kept until any connection (this process's writer, or
   * another process) commits a change: SQLite's `PRAGMA data_version` on the reader tells, at the
   * cost of one statement that touches no table. For read models that pages ask for on every view.
   */
  async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const version = await this.version();
    const hit = this.memo.get(key);
    if (hit && hit.version === version) return hit.value as Promise<T>;
    // Read after the version: the value is at least as new as the version it is filed under.
    const value = load();
    const entry = { version, value };
    this.memo.delete(key);
    this.memo.set(key, entry);
    // Bounded: the least recently filed entries go first (sessions come and go).
    if (this.memo.size > MEMO_LIMIT) this.memo.delete(this.memo.keys().next().value!);
    // A failed read is not kept, unless a newer one has replaced it meanwhile.
    value.catch(() => {
      if (this.memo.get(key) === entry) this.memo.delete(key);
    });
    return value;
  }

  /**
   * A token that changes whenever any connection commits. SQLite's `PRAGMA data_version` on the reader
   * changes with every commit of another connection (this process's writer or another process); it is
   * read at most once per turn of the event loop, since a page asks for several cached read models and
   * each statement is a trip through the thread pool. This process's own commits are counted as they
   * finish, so a read right after one (even in the same turn) sees it; another process's commit is seen
   * from the next turn, as if the reads of one turn had all happened at its start.
   */
  async version(): Promise<string> {
    const own = this.ownCommits;
    if (!this.dataVersionThisTurn) {
      this.dataVersionThisTurn = this.readerApi.get<{ data_version: number }>("PRAGMA data_version").then((row) => row!.data_version);
      const forget = this.dataVersionThisTurn;
      setImmediate(() => {
        if (this.dataVersionThisTurn === forget) this.dataVersionThisTurn = null;
      });
    }
    return `${await this.dataVersionThisTurn} ${own}`;
  }

  /**
   * Runs `work` inside BEGIN IMMEDIATE..COMMIT, after every earlier transaction has finished.
   * A thrown error rolls back everything `work` wrote.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      await this.writerApi.run("BEGIN IMMEDIATE");
      try {
        const result = await work(this.writerApi);
        await this.writerApi.run("COMMIT");
        this.ownCommits++;
        return result;
      } catch (error) {
        await this.writerApi.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs a script of statements outside any transaction: migrations only. */
  async execScript(sql: string): Promise<void> {
    await this.queue;
    await exec(this.writer, sql);
    this.ownCommits++;
  }

  /** Reads through the writer, inside a script's open transaction: migrations only. */
  writerAll<T>(sql: string): Promise<T[]> {
    return this.writerApi.all<T>(sql);
  }

  /**
   * Closes the reader, then the writer. The last connection to close checkpoints the WAL into the
   * database file and removes the -wal and -shm files, and only the writer can: closed side by side,
   * the read-only reader sometimes closed last and left a WAL of megabytes beside a database file that
   * lacked its content (a copied folder then changed on its next open).
   */
  async close(): Promise<void> {
    await this.queue;
    for (const db of [this.reader, this.writer]) await new Promise<void>((resolve, reject) => db.close((err) => (err ? reject(err) : resolve())));
  }
}
