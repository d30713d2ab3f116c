import type { Queryable, Tx } from "~/db/db.server";

import { GENESIS_HASH, canonicalJson, rowHash, verifyChain, type AuditEventInput, type AuditRow, type ChainVerdict } from "./audit";

const HEAD_KEY = "audit_head";

/**
 * The one audit writer. Call it inside the transaction that makes the change, so the change and its
 * audit row commit together or not at all. Transactions are serialised, so reading the last row
 * and appending the next cannot race.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput, at: Date): Promise<number> {
  const last = await tx.get<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  const content: Omit<AuditRow, "hash"> = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    user_id: event.userId,
    username: event.username,
    action: event.action,
    object_type: event.objectType,
    object_id: event.objectId,
    old_values: event.oldValues === undefined ? null : canonicalJson(event.oldValues),
    new_values: event.newValues === undefined ? null : canonicalJson(event.newValues),
    reason: event.reason ?? null,
    client_address: event.clientAddress ?? null,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = rowHash(content);
  await tx.run(
    `INSERT INTO audit_events (seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [content.seq, content.at, content.user_id, content.username, content.action, content.object_type, content.object_id, content.old_values, content.new_values, content.reason, content.client_address, content.prev_hash, hash],
  );
  // The head lets `audit verify` notice the removal of the newest rows, which a chain alone cannot.
  await tx.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
    HEAD_KEY,
    JSON.stringify({ seq: content.seq, hash }),
  ]);
  return content.seq;
}

export const AUDIT_COLUMNS =
  "seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash";

export async function verifyAuditTrail(db: Queryable): Promise<ChainVerdict> {
  const rows = await db.all<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_events ORDER BY seq`);
  const head = await db.get<{ value: string }>("SELECT value FROM settings WHERE key = ?", [HEAD_KEY]);
  return verifyChain(rows, head ? (JSON.parse(head.value) as { seq: number; hash: string }) : null);
}
