import { createHash } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

import { parseCsv } from "../helpers/csv";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// KPIs over HTTP against the built server (project demo, SOP-KP-001): the demo imported 24 months of
// trial figures; data query resolution time was red in September (22.5 days) and October 2026 (24.6
// days), analysed by its owner (dm1) and taken into CAPA-0001 by qa. Today is 2026-11-25, so the
// dashboard reports October. qa manages KPIs, the inspector reads them, cra1 (staff) may not.

let server: RunningServer;
let dataDir: string;
let qa: HttpClient;
let inspector: HttpClient;
let cra: HttpClient;
let dm: HttpClient;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T12:00:00Z" });
  [qa, inspector, cra, dm] = await Promise.all([
    signedIn(server.url, "qa"),
    signedIn(server.url, "inspector"),
    signedIn(server.url, "cra1"),
    signedIn(server.url, "dm1"),
  ]);
});
afterAll(async () => {
  await server?.stop();
});

/** The text of the tile for one KPI on the dashboard. */
function tile(html: string, kpi: string): string {
  const start = html.indexOf(`data-kpi="${kpi}"`);
  expect(start, `a tile for ${kpi}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</li>", start)).replace(/<[^>]+>/g, " ");
}

async function upload(who: HttpClient, name: string, csv: string) {
  const form = new FormData();
  form.append("file", new Blob([csv], { type: "text/csv" }), name);
  return who.request("/kpis/import", { method: "POST", body: form, headers: { origin: server.url } });
}

describe("the dashboard", () => {
  it("shows each KPI's October value against its target, its status in words, and the red KPI's follow-up", async () => {
    const res = await qa.get("/kpis");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Results for <strong>Oct 2026</strong>");
    const queries = tile(res.text, "query-resolution-time");
    expect(queries).toContain("24.6 days");
    expect(queries).toContain("target 15 days or fewer");
    expect(queries).toContain("Red: act");
    // Both red months are analysed and a CAPA is open: nothing more is asked.
    expect(queries).not.toContain("Cause analysis due");
    expect(queries).not.toContain("open a CAPA");
    expect(tile(res.text, "protocol-adherence-rate")).toContain("Green: on target");
    // A sparkline per tile, accessible by its title.
    expect(res.text).toMatch(/<svg[^>]*role="img"[^>]*class="kpi-sparkline"|<svg[^>]*class="kpi-sparkline"[^>]*role="img"/);
  });

  it("is read by the inspector and refused to staff without kpi.read", async () => {
    expect((await inspector.get("/kpis")).status).toBe(200);
    expect((await cra.get("/kpis")).status).toBe(403);
    expect((await cra.get("/kpis/query-resolution-time")).status).toBe(403);
    expect((await cra.get("/kpis/catalogue")).status).toBe(403);
  });
});

describe("a KPI's page", () => {
  it("gives the definition from its SOP, 24 months, the breakdown by study and site with each figure's import", async () => {
    const res = await inspector.get("/kpis/query-resolution-time");
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/documents/SOP-DM-001#kpi-query-resolution-time"');
    expect(res.text).toContain("Median calendar days from query open to query closed");
    const months = [...res.text.matchAll(/<th scope="row"><a [^>]*href="[^"]*\?period=(\d{4}-\d{2})"/g)].map((m) => m[1]);
    expect(months).toHaveLength(24);
    expect(months[0]).toBe("2026-10");
    expect(months[23]).toBe("2024-11");
    expect(res.text).toContain("QRX-410: <strong>");
    expect(res.text).toMatch(/<a href="\/kpis\/imports\/\d+\/file" download="">edc-ctms-kpis-2026-10\.csv<\/a> by dm1/);
    expect(res.text).toContain("CAPA-0001");
    expect(res.text).toContain("signed by Dana Kim");
  });

  it("narrows to a study, answers 404 for an unknown KPI and 400 for a bad month or study", async () => {
    const study = await qa.get("/kpis/enrolment-rate?study=QRX-410");
    expect(study.status).toBe(200);
    expect(study.text).toMatch(/2026-10<\/a><\/th><td>84\.8%<\/td><td><span class="badge kpi-badge-red">Red: act/);
    expect((await qa.get("/kpis/no-such-kpi")).status).toBe(404);
    expect((await qa.get("/kpis/enrolment-rate?period=2026-13")).status).toBe(400);
    expect((await qa.get("/kpis/enrolment-rate?period=2027-01")).status).toBe(400);
    expect((await qa.get("/kpis/enrolment-rate?study=NOPE")).status).toBe(400);
  });

  it("exports the figures as CSV with each figure's import and SHA-256, audited", async () => {
    const res = await inspector.get("/kpis/query-resolution-time/data.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual([
      "kpi",
      "period",
      "study",
      "site",
      "value",
      "numerator",
      "denominator",
      "status",
      "import_id",
      "import_file",
      "import_sha256",
      "imported_at",
    ]);
    const october = rows.find((r) => r[1] === "2026-10" && r[2] === "ALL")!;
    expect(Number(october[4]).toFixed(1)).toBe("24.6");
    expect(october[7]).toBe("red");
    const site = rows.find((r) => r[1] === "2026-10" && r[2] === "QRX-410")!;
    expect(site[9]).toBe("edc-ctms-kpis-2026-10.csv");
    expect(site[10]).toMatch(/^[0-9a-f]{64}$/);
    const audit = await queryDataFolder<{ username: string }>(
      dataDir,
      "SELECT username FROM audit_events WHERE action = 'kpi.export' AND object_id = 'query-resolution-time'",
    );
    expect(audit.map((a) => a.username)).toContain("inspector");
  });
});

describe("the catalogue", () => {
  it("lists every KPI with the SOP that defines it", async () => {
    const res = await inspector.get("/kpis/catalogue");
    expect(res.status).toBe(200);
    for (const id of [
      "training-compliance",
      "training-overdue",
      "approval-cycle-time",
      "documents-past-review",
      "protocol-adherence-rate",
      "site-initiation-time",
      "enrolment-rate",
      "query-resolution-time",
    ]) {
      expect(res.text).toContain(`<code class="kpi-id">${id}</code>`);
    }
    expect(res.text).toContain('href="/documents/SOP-SS-001#kpi-site-initiation-time"');
  });
});

describe("importing figures", () => {
  const HEADER = "kpi,period,study,site,value,numerator,denominator";

  it("imports a good file, changes nothing on the same file again, and names each problem of a bad file while importing none of it", async () => {
    const good = [HEADER, "protocol-adherence-rate,2026-10,T-7,S-1,90,9,10", "protocol-adherence-rate,2026-10,T-7,S-2,100,20,20"].join("\n") + "\n";
    const first = await upload(dm, "ctms-t7.csv", good);
    expect(first.status).toBe(200);
    expect(first.text).toContain("Imported ctms-t7.csv as import");
    expect(first.text).toContain("2 rows, 2 new, 0 changed, 0 unchanged");
    // The data extract itself is kept and served byte for byte, under the import's SHA-256 (SOP-KP-001).
    const importId = /as import (\d+)/.exec(first.text)![1]!;
    const kept = await dm.get(`/kpis/imports/${importId}/file`);
    expect(kept.status).toBe(200);
    expect(kept.text).toBe(good);
    expect(kept.headers.get("x-content-sha256")).toBe(createHash("sha256").update(good).digest("hex"));
    expect((await cra.get(`/kpis/imports/${importId}/file`)).status).toBe(403);
    expect((await dm.get("/kpis/imports/99999/file")).status).toBe(404);
    const again = await upload(dm, "ctms-t7.csv", good);
    expect(again.text).toContain("2 rows, 0 new, 0 changed, 2 unchanged");

    const bad =
      [HEADER, "protocol-adherence-rate,2026-10,T-8,S-1,90,9,10", 'protocol-adherence-rate,2026-10,T-8,S-2,"12,5",,', "no-such-kpi,2026-10,T-8,S-3,1,,"].join(
        "\n",
      ) + "\n";
    const refused = await upload(dm, "bad.csv", bad);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Nothing was imported from bad.csv");
    const problems = refused.text.replaceAll("&quot;", '"');
    expect(problems).toContain('line 3, column value: "12,5" is not a number');
    expect(problems).toContain('line 4, column kpi: "no-such-kpi" is not the id of a KPI in the catalogue');
    const t8 = await queryDataFolder(dataDir, "SELECT 1 FROM kpi_values WHERE study = 'T-8'");
    expect(t8).toHaveLength(0);

    // The weighted study figure: (9 + 20) / (10 + 20) = 96.7%.
    const page = await qa.get("/kpis/protocol-adherence-rate?study=T-7");
    expect(page.text).toContain("T-7: <strong>96.7%</strong>");
  });

  it("is refused without kpi.import, and audited with the file's SHA-256", async () => {
    expect((await inspector.get("/kpis/import")).status).toBe(403);
    expect((await upload(inspector, "x.csv", `${HEADER}\n`)).status).toBe(403);
    const audit = await queryDataFolder<{ username: string; new_values: string }>(
      dataDir,
      "SELECT username, new_values FROM audit_events WHERE action = 'kpi.import' AND username = 'dm1' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit[0]?.new_values).toMatch(/"sha256":"[0-9a-f]{64}"/);
  });
});

describe("a red KPI's cause analysis", () => {
  it("is signed by the KPI's owner with the password, and refused with a wrong one", async () => {
    const form = {
      period: "2026-10",
      cause: "Site initiation paperwork waited for the sponsor's budget approval.",
      action0: "Agree a budget template with the sponsor",
      owner0: (await queryDataFolder<{ id: string }>(dataDir, "SELECT id FROM users WHERE username = 'dm1'"))[0]!.id,
      due0: "2026-12-18",
    };
    const wrong = await dm.post("/kpis/enrolment-rate/analysis", { ...form, password: "not-the-password" });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    // dm1 holds the data manager function, not the project manager's that owns enrolment: refused.
    const notOwner = await dm.post("/kpis/enrolment-rate/analysis", { ...form, password: DEMO_PASSWORD });
    expect(notOwner.status).toBeGreaterThanOrEqual(400);
    const byQa = await qa.post("/kpis/enrolment-rate/analysis", { ...form, password: DEMO_PASSWORD });
    expect(byQa.status).toBe(302);
    expect(byQa.headers.get("location")).toBe("/kpis/enrolment-rate?period=2026-10");
    const signatures = await queryDataFolder<{ meaning: string }>(dataDir, "SELECT meaning FROM signatures WHERE doc_id = 'enrolment-rate'");
    expect(signatures.map((s) => s.meaning)).toEqual(["Cause analysis"]);
  });
});

describe("the management review input report", () => {
  it("downloads as a PDF for a period, audited with its SHA-256, and refuses an incomplete month", async () => {
    const res = await fetch(`${server.url}/kpis/review-pack?from=2026-05&to=2026-10`, { headers: { cookie: inspector.cookie ?? "" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain("management-review-inputs-2026-05-to-2026-10.pdf");
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    const sha = createHash("sha256").update(body).digest("hex");
    const audit = await queryDataFolder<{ username: string; new_values: string }>(
      dataDir,
      "SELECT username, new_values FROM audit_events WHERE action = 'kpi.review-pack'",
    );
    expect(audit.some((a) => a.username === "inspector" && a.new_values.includes(sha))).toBe(true);
    const refused = await inspector.get("/kpis/review-pack?from=2026-05&to=2026-11");
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("to 2026-11 is not a complete month yet");
    expect((await cra.get("/kpis/review-pack")).status).toBe(403);
  });
});
