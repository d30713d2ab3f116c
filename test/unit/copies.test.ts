import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { approveChange } from "~/modules/change-control/change-control.server";
import { copyNumber, copyStatus, parseCopyNumber, parseRegisterFilter } from "~/modules/copies/copies";
import { CopyRefused, issueCopies, recordRecall, renderIssuedCopy } from "~/modules/copies/copies.server";
import { readCopyInfo } from "~/modules/copies/pdf-copy-info";
import { getCopy, listRegister, registerCounts } from "~/modules/copies/register.server";
import { verifyCopyFile } from "~/modules/copies/verify-copy.server";
import { verifyRecord } from "~/modules/integrity/verify.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { signaturesOfVersion, verifySigner, type VerifiedSigner } from "~/modules/signatures/signatures.server";

import { changeInReview, openCopy } from "../helpers/factories";

// The copy register's rules on a real SQLite file and content repository (the fixture demo:
// SOP-TS-001 v1.0 superseded by v2.0 on 2026-03-02), through the module calls the routes make.

const ISSUED_AT = new Date("2026-11-30T09:00:00Z");
let q: Quire;
let qa: VerifiedSigner;

beforeAll(async () => {
  q = await openCopy("fixture-demo", ISSUED_AT.toISOString());
  qa = await verifySigner(q, { username: "qa", clientAddress: "127.0.0.1" }, DEMO_PASSWORD);
});
afterAll(async () => {
  await q?.db.close();
});

const request = { docId: "SOP-TS-001", version: "2.0", recipient: "Dr Jane Site", location: "Site 12, Lyon", reason: "Site without system access", copies: 2 };

describe("copy numbers", () => {
  it("are the version and a three-digit sequence per version, and read back", () => {
    expect(copyNumber("SOP-DM-001", "2.0", 7)).toBe("SOP-DM-001-2.0-C007");
    expect(copyNumber("SOP-DM-001", "2.0", 1000)).toBe("SOP-DM-001-2.0-C1000");
    expect(parseCopyNumber("SOP-DM-001-2.0-C007")).toEqual({ docId: "SOP-DM-001", version: "2.0", seq: 7 });
    expect(parseCopyNumber("QM-001-1.1-C012")).toEqual({ docId: "QM-001", version: "1.1", seq: 12 });
    for (const bad of ["SOP-DM-001-2.0-C7", "SOP-DM-001-2.0-C000", "SOP-DM-001-2-C001", "uncontrolled", "SOP-DM-001-2.0-C0007"])
      expect(parseCopyNumber(bad), bad).toBeNull();
    expect(() => copyNumber("SOP-DM-001", "2.0", 0)).toThrow();
  });

  it("derive the status from the version's status and the recall", () => {
    expect(copyStatus("effective", false)).toBe("outstanding");
    expect(copyStatus("approved", false)).toBe("outstanding");
    expect(copyStatus("superseded", false)).toBe("to-recall");
    expect(copyStatus("retired", false)).toBe("to-recall");
    expect(copyStatus("superseded", true)).toBe("closed");
    expect(copyStatus("effective", true)).toBe("closed");
    expect(parseRegisterFilter(new URLSearchParams("status=to-recall&doc=sop-ts-001"))).toEqual({ status: "to-recall", doc: "SOP-TS-001", problems: [] });
    expect(parseRegisterFilter(new URLSearchParams("status=lost&doc=%27;drop"))).toEqual({
      status: null,
      doc: null,
      problems: [
        "The status “lost” was not used: it is one of outstanding, to-recall, closed.",
        "The document “';DROP” was not used: write a document id such as SOP-DM-001.",
      ],
    });
  });
});

describe("issuing", () => {
  it("numbers copies per version, signs the issue, keeps each file's SHA-256 and audits it", async () => {
    const first = await issueCopies(q, qa, request, ISSUED_AT);
    expect(first.map((c) => c.copyId)).toEqual(["SOP-TS-001-2.0-C001", "SOP-TS-001-2.0-C002"]);
    const second = await issueCopies(q, qa, { ...request, copies: 1, recipient: "Archive" }, new Date(ISSUED_AT.getTime() + 60_000));
    expect(second.map((c) => c.copyId)).toEqual(["SOP-TS-001-2.0-C003"]);
    expect(new Set([...first, ...second].map((c) => c.sha256)).size).toBe(3);

    const rows = await listRegister(q.db, { status: null, doc: "SOP-TS-001" }, "2026-11-30");
    expect(rows.map((r) => [r.copyId, r.status, r.recipient, r.issuedByName, r.printedBy])).toEqual([
      ["SOP-TS-001-2.0-C001", "outstanding", "Dr Jane Site", "Quinn Avery", "Quinn Avery"],
      ["SOP-TS-001-2.0-C002", "outstanding", "Dr Jane Site", "Quinn Avery", "Quinn Avery"],
      ["SOP-TS-001-2.0-C003", "outstanding", "Archive", "Quinn Avery", "Quinn Avery"],
    ]);
    const audit = await q.db.all<{ action: string; new_values: string }>(
      "SELECT action, new_values FROM audit_events WHERE action IN ('copy.issue', 'signature.sign') ORDER BY seq DESC LIMIT 4",
    );
    expect(audit.map((a) => a.action)).toEqual(["copy.issue", "signature.sign", "copy.issue", "signature.sign"]);
    expect(JSON.parse(audit[1]!.new_values)).toMatchObject({ meaning: "Controlled copy issued", docId: "SOP-TS-001", version: "2.0" });
    expect(JSON.parse(audit[2]!.new_values).issued).toEqual(first.map((c) => ({ copyId: c.copyId, sha256: c.sha256 })));
    // The issue's signature is bound to the register record, so it does not join the version's signature page,
    // and the whole record still verifies.
    expect((await signaturesOfVersion(q.db, "SOP-TS-001", "2.0")).map((s) => s.meaning).sort()).toEqual(["Approved", "Authored", "Reviewed"]);
    expect((await verifyRecord(q.db, q.repo)).problems).toEqual([]);
  });

  it("renders a copy again byte for byte, and the file carries its number in its metadata", async () => {
    const copy = (await getCopy(q.db, "SOP-TS-001-2.0-C002", "2026-11-30"))!;
    const again = await renderIssuedCopy(q, copy);
    expect(readCopyInfo(again)).toEqual({ ok: true, copy: "SOP-TS-001-2.0-C002" });
    const verdict = await verifyCopyFile(q.db, "c2.pdf", again, "2026-11-30");
    expect(verdict).toMatchObject({
      genuine: true,
      kind: "controlled",
      copyId: "SOP-TS-001-2.0-C002",
      doc: "SOP-TS-001",
      version: "2.0",
      status: "effective",
      current: true,
    });
    // A register entry that the file does not match is refused, never handed out.
    await expect(renderIssuedCopy(q, { ...copy, sha256: "0".repeat(64) })).rejects.toThrow(/does not match the register/);
    const edited = Buffer.from(again);
    const middle = Math.floor(edited.length / 2);
    edited[middle] = edited[middle]! ^ 0x01;
    const altered = await verifyCopyFile(q.db, "edited.pdf", edited, "2026-11-30");
    expect(altered.genuine).toBe(false);
    expect(altered.problems[0]).toMatch(/altered after issue/);
  });

  it("refuses a superseded version, an unknown one, and a count outside 1-50", async () => {
    await expect(issueCopies(q, qa, { ...request, version: "1.0" }, ISSUED_AT)).rejects.toThrow(/superseded: controlled copies are issued only/);
    await expect(issueCopies(q, qa, { ...request, version: "9.0" }, ISSUED_AT)).rejects.toThrow(CopyRefused);
    await expect(issueCopies(q, qa, { ...request, docId: "SOP-NO-999" }, ISSUED_AT)).rejects.toThrow(/no controlled document/);
    await expect(issueCopies(q, qa, { ...request, copies: 51 }, ISSUED_AT)).rejects.toThrow(/between 1 and 50/);
    await expect(issueCopies(q, qa, { ...request, copies: 0 }, ISSUED_AT)).rejects.toThrow(/between 1 and 50/);
  });
});

describe("recall", () => {
  it("shows a superseded version's open copies as to recall, derived from the day, not stored", async () => {
    const { crId, who } = await changeInReview(q, { at: new Date("2026-11-30T10:00:00Z"), revision: "major", retrainingRequired: false });
    await approveChange(q, who("qa"), crId, "2026-12-14", new Date("2026-11-30T10:10:00Z"));
    const before = await listRegister(q.db, { status: null, doc: null }, "2026-12-13");
    expect(registerCounts(before)).toEqual({ outstanding: 3, "to-recall": 0, closed: 0 });
    const after = await listRegister(q.db, { status: "to-recall", doc: null }, "2026-12-14");
    expect(after.map((r) => [r.copyId, r.versionStatus])).toEqual([
      ["SOP-TS-001-2.0-C001", "superseded"],
      ["SOP-TS-001-2.0-C002", "superseded"],
      ["SOP-TS-001-2.0-C003", "superseded"],
    ]);
    // The copy printed before the new version still renders to its own bytes (the record as it stood then).
    const copy = (await getCopy(q.db, "SOP-TS-001-2.0-C001", "2026-12-14"))!;
    expect((await renderIssuedCopy(q, copy)).length).toBeGreaterThan(1000);
    const verdict = await verifyCopyFile(q.db, "c1.pdf", await renderIssuedCopy(q, copy), "2026-12-14");
    expect(verdict).toMatchObject({ genuine: true, status: "superseded", copyStatus: "to-recall", current: false });
  });

  it("is closed once per copy by a signed record of return or destruction", async () => {
    const at = new Date("2026-12-15T09:00:00Z");
    await expect(
      recordRecall(q.db, qa, { copyId: "SOP-TS-001-2.0-C001", outcome: "destroyed", closedOn: "2026-12-16", note: "" }, "2026-12-15", at),
    ).rejects.toThrow(/in the future/);
    await expect(
      recordRecall(q.db, qa, { copyId: "SOP-TS-001-2.0-C001", outcome: "destroyed", closedOn: "2026-11-01", note: "" }, "2026-12-15", at),
    ).rejects.toThrow(/before the copy was issued/);
    await expect(
      recordRecall(q.db, qa, { copyId: "SOP-TS-001-2.0-C404", outcome: "returned", closedOn: "2026-12-15", note: "" }, "2026-12-15", at),
    ).rejects.toThrow(/no controlled copy/);
    await recordRecall(q.db, qa, { copyId: "SOP-TS-001-2.0-C001", outcome: "destroyed", closedOn: "2026-12-15", note: " Shredded at site " }, "2026-12-15", at);
    const closed = (await getCopy(q.db, "SOP-TS-001-2.0-C001", "2026-12-15"))!;
    expect(closed.status).toBe("closed");
    expect(closed.recall).toMatchObject({
      outcome: "destroyed",
      closedOn: "2026-12-15",
      note: "Shredded at site",
      recordedBy: "qa",
      recordedByName: "Quinn Avery",
    });
    await expect(
      recordRecall(q.db, qa, { copyId: "SOP-TS-001-2.0-C001", outcome: "returned", closedOn: "2026-12-15", note: "" }, "2026-12-15", at),
    ).rejects.toThrow(/already closed/);
    const recalls = await q.db.all<{ action: string; object_id: string }>("SELECT action, object_id FROM audit_events WHERE action = 'copy.recall'");
    expect(recalls).toEqual([{ action: "copy.recall", object_id: "SOP-TS-001-2.0-C001" }]);
    const verdict = await verifyCopyFile(q.db, "c1.pdf", await renderIssuedCopy(q, closed), "2026-12-15");
    expect(verdict).toMatchObject({ genuine: true, copyStatus: "closed", current: false });
    expect((await verifyRecord(q.db, q.repo)).problems).toEqual([]);
  });

  it("keeps the register a record: rows are never updated or deleted", async () => {
    await expect(q.db.transaction((tx) => tx.run("UPDATE copy_recalls SET outcome = 'returned'"))).rejects.toThrow(/never updated/);
    await expect(q.db.transaction((tx) => tx.run("DELETE FROM controlled_copies"))).rejects.toThrow(/never deleted/);
    await expect(q.db.transaction((tx) => tx.run("UPDATE copy_issues SET recipient = 'x'"))).rejects.toThrow(/never updated/);
  });
});
