import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";

// `quire remind` on the project demo as init leaves it on 25 November 2026: cra2 is 233 days late on
// SOP-CM-001 v2.0 (due 2026-04-06), cra3 7 days late on SOP-CM-001 v2.0 and WI-CM-001 v1.1 (due
// 2026-11-18), pm1's induction is due on 2026-12-15; qa is everyone's line manager, exec (Elena
// Vance) holds executive management.

let dataDir: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
});

function remind(...args: string[]) {
  return runQuire(["remind", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-25T09:00:00Z" });
}

interface SentJson {
  assignmentId: number;
  user: string;
  doc: string;
  version: string;
  dueOn: string;
  rule: string;
  recipients: { username: string; role: string; email: string; copy: boolean }[];
  transport: string;
  file?: string;
}

function sentOf(stdout: string): SentJson[] {
  return (JSON.parse(stdout) as { sent: SentJson[] }).sent;
}

function summary(sent: SentJson[]): string[] {
  return sent.map(
    (s) => `${s.user} ${s.doc} v${s.version} ${s.dueOn} ${s.rule}: ${s.recipients.map((r) => `${r.username} ${r.role}${r.copy ? " cc" : ""}`).join(", ")}`,
  );
}

function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
  return queryDataFolder<T>(dataDir, sql, params);
}

function outbox(): string[] {
  const dir = path.join(dataDir, "outbox");
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/**
 * Reads an RFC 5322 message as a mail client would: headers unfolded (and RFC 2047 words decoded),
 * the body decoded from quoted-printable or base64.
 */
function parseEml(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, " ")
    .split("\r\n")) {
    const colon = line.indexOf(":");
    const value = line
      .slice(colon + 1)
      .trim()
      .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
        enc.toUpperCase() === "B" ? Buffer.from(text, "base64").toString("utf8") : decodeQp(text.replace(/_/g, " ")),
      );
    headers.set(line.slice(0, colon).toLowerCase(), value);
  }
  const rawBody = raw.slice(split + 4);
  const encoding = headers.get("content-transfer-encoding")?.toLowerCase();
  const body = encoding === "quoted-printable" ? decodeQp(rawBody) : encoding === "base64" ? Buffer.from(rawBody, "base64").toString("utf8") : rawBody;
  return { headers, body };
}

function decodeQp(text: string): string {
  const bytes = text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, "%25"));
}

describe("quire remind (SOP-TR-001: reminders and escalation)", () => {
  it("shows in a dry run what is due, and writes nothing", async () => {
    const dry = remind("--dry-run");
    expect(dry.stderr).toBe("");
    expect(dry.status).toBe(0);
    expect(dry.stdout.split("\n").slice(0, 3)).toEqual([
      "overdue-30  SOP-CM-001 v2.0  due 2026-04-06, 233 days overdue  cra2  -> exec (executive management), qa (quality manager), reviewer (quality manager)",
      "overdue-1   SOP-CM-001 v2.0  due 2026-11-18, 7 days overdue  cra3  -> cra3 (employee), qa (line manager)",
      "overdue-1   WI-CM-001 v1.1  due 2026-11-18, 7 days overdue  cra3  -> cra3 (employee), qa (line manager)",
    ]);
    expect(dry.stdout).toContain("Dry run for 2026-11-25: 3 notices to 7 recipients would be sent to the outbox");
    expect(JSON.parse(remind("--dry-run", "--json").stdout)).toMatchObject({ on: "2026-11-25", dryRun: true, transport: "outbox", warnings: [] });
    expect(outbox()).toEqual([]);
    expect(await query("SELECT id FROM training_reminders")).toEqual([]);
    expect(await query("SELECT seq FROM audit_events WHERE action = 'training.remind'")).toEqual([]);
  });

  it("sends the demo's overdue notices to the outbox once, and nothing on a second run the same day", async () => {
    const first = remind("--on", "2026-11-25", "--json");
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const sent = sentOf(first.stdout);
    expect(summary(sent)).toEqual([
      "cra2 SOP-CM-001 v2.0 2026-04-06 overdue-30: exec executive-management, qa quality-manager, reviewer quality-manager",
      "cra3 SOP-CM-001 v2.0 2026-11-18 overdue-1: cra3 employee, qa line-manager",
      "cra3 WI-CM-001 v1.1 2026-11-18 overdue-1: cra3 employee, qa line-manager",
    ]);
    expect(sent.every((s) => s.transport === "outbox")).toBe(true);
    expect(outbox()).toEqual(sent.map((s) => path.basename(s.file!)).sort());
    expect(sent[0]!.file).toBe(`outbox/2026-11-25-${sent[0]!.assignmentId}-overdue-30-cra2.eml`);

    // The escalation as a mail client reads it.
    const mail = parseEml(fs.readFileSync(path.join(dataDir, sent[0]!.file!), "utf8"));
    expect(mail.headers.get("to")).toBe(
      "Elena Vance <exec@demo.quire.invalid>, Quinn Avery <qa@demo.quire.invalid>, Rafael Ortiz <reviewer@demo.quire.invalid>",
    );
    expect(mail.headers.get("from")).toBe("Quire <quire@localhost>");
    expect(mail.headers.get("subject")).toBe("Escalation to executive management: Carlos Ruiz's training on SOP-CM-001 v2.0 is 233 days overdue");
    expect(mail.body).toContain('Carlos Ruiz\'s read-and-understood training on SOP-CM-001 v2.0 "Clinical Monitoring" was due on 2026-04-06');
    expect(mail.body).toContain("a deviation under SOP-DV-001");
    expect(mail.body).toContain("Due date: 2026-04-06 (233 days overdue)");
    const reminder = parseEml(fs.readFileSync(path.join(dataDir, sent[1]!.file!), "utf8"));
    expect(reminder.headers.get("to")).toBe("Nadia Osei <cra3@demo.quire.invalid>, Quinn Avery <qa@demo.quire.invalid>");
    expect(reminder.headers.get("subject")).toBe("Overdue training: SOP-CM-001 v2.0 Clinical Monitoring (Nadia Osei, due 2026-11-18)");

    // Recorded: one row per person told, their in-app notices, one audit row for the run.
    const rows = await query<{ rule: string; recipient_role: string; sent_on: string; transport: string }>(
      "SELECT rule, recipient_role, sent_on, transport FROM training_reminders ORDER BY id",
    );
    expect(rows.map((r) => `${r.rule} ${r.recipient_role} ${r.sent_on} ${r.transport}`)).toEqual([
      "overdue-30 executive-management 2026-11-25 outbox",
      "overdue-30 quality-manager 2026-11-25 outbox",
      "overdue-30 quality-manager 2026-11-25 outbox",
      "overdue-1 employee 2026-11-25 outbox",
      "overdue-1 line-manager 2026-11-25 outbox",
      "overdue-1 employee 2026-11-25 outbox",
      "overdue-1 line-manager 2026-11-25 outbox",
    ]);
    const notices = await query<{ username: string; kind: string; doc_id: string }>(
      "SELECT u.username, n.kind, n.doc_id FROM training_notices n JOIN users u ON u.id = n.user_id WHERE n.kind IN ('reminder', 'escalation') ORDER BY n.id",
    );
    expect(notices.map((n) => `${n.username} ${n.kind} ${n.doc_id}`)).toEqual([
      "exec escalation SOP-CM-001",
      "qa escalation SOP-CM-001",
      "reviewer escalation SOP-CM-001",
      "cra3 reminder SOP-CM-001",
      "qa reminder SOP-CM-001",
      "cra3 reminder WI-CM-001",
      "qa reminder WI-CM-001",
    ]);
    const audits = await query<{ username: string; new_values: string }>("SELECT username, new_values FROM audit_events WHERE action = 'training.remind'");
    expect(audits).toHaveLength(1);
    expect(audits[0]!.username).toMatch(/^cli:/);
    expect(JSON.parse(audits[0]!.new_values)).toMatchObject({ on: "2026-11-25", notices: 3, recipients: 7, byRule: { "overdue-30": 1, "overdue-1": 2 } });

    const again = remind("--on", "2026-11-25", "--json");
    expect(again.status).toBe(0);
    expect(sentOf(again.stdout)).toEqual([]);
    expect(remind().stdout).toBe("No reminders due on 2026-11-25: nothing sent.\n");
    expect(outbox()).toHaveLength(3);
    expect(await query("SELECT id FROM training_reminders")).toHaveLength(7);
    expect(await query("SELECT seq FROM audit_events WHERE action = 'training.remind'")).toHaveLength(1);
  });

  it("sends the next steps only on a later day: cra3's 20-day escalation, pm1's 5-day reminders", async () => {
    const pm1 = await query<{ doc_id: string; version: string }>(
      "SELECT a.doc_id, a.version FROM training_assignments a JOIN users u ON u.id = a.user_id WHERE u.username = 'pm1' AND a.status = 'open' ORDER BY a.doc_id, a.id",
    );
    expect(pm1.length).toBeGreaterThan(0);
    const later = remind("--on", "2026-12-08", "--json");
    expect(later.status).toBe(0);
    const sent = sentOf(later.stdout);
    // cra3's line manager is the quality manager: told once, as quality manager.
    expect(summary(sent.filter((s) => s.user !== "pm1"))).toEqual([
      "cra3 SOP-CM-001 v2.0 2026-11-18 overdue-20: qa quality-manager, reviewer quality-manager, cra3 employee cc",
      "cra3 WI-CM-001 v1.1 2026-11-18 overdue-20: qa quality-manager, reviewer quality-manager, cra3 employee cc",
    ]);
    expect(summary(sent.filter((s) => s.user === "pm1")).sort()).toEqual(
      pm1.map((a) => `pm1 ${a.doc_id} v${a.version} 2026-12-15 before-5: pm1 employee`).sort(),
    );
    const escalation = parseEml(fs.readFileSync(path.join(dataDir, sent.find((s) => s.user === "cra3")!.file!), "utf8"));
    expect(escalation.headers.get("to")).toBe("Quinn Avery <qa@demo.quire.invalid>, Rafael Ortiz <reviewer@demo.quire.invalid>");
    expect(escalation.headers.get("cc")).toBe("Nadia Osei <cra3@demo.quire.invalid>");
    expect(escalation.body).toContain("Nadia Osei must stop performing tasks governed by SOP-CM-001 until the training is complete.");
    expect(sentOf(remind("--on", "2026-12-08", "--json").stdout)).toEqual([]);
  });

  it("refuses a bad date with exit 2", () => {
    for (const bad of ["2026-02-30", "tomorrow", "2026-12-8"]) {
      const result = remind("--on", bad);
      expect(result.status).toBe(2);
      expect(result.stderr).toBe("quire: --on must be a date YYYY-MM-DD\n");
    }
  });
});
