import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_USERS } from "~/modules/setup/demo-users";
import { permissionsOf, type Permission } from "~/modules/users/permissions";

import { PROJECT_ROOT, copyDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * Every route, every method it answers, and what it requires. A route file that is not listed
 * here fails the test below, so a new route cannot ship without its permission being exercised
 * for every role. Forms are deliberately incomplete: an authorised user gets a validation answer
 * (never 403), an unauthorised one 403 before any validation.
 */
interface RouteCase {
  file: string;
  method: "GET" | "POST";
  path: string;
  form?: Record<string, string>;
  requires: Permission | "signed-in" | "public";
}

const ROUTES: RouteCase[] = [
  { file: "_index.tsx", method: "GET", path: "/", requires: "document.read" },
  { file: "about.tsx", method: "GET", path: "/about", requires: "document.read" },
  { file: "manual.tsx", method: "GET", path: "/manual", requires: "document.read" },
  { file: "documents.$docId.tsx", method: "GET", path: "/documents/SOP-DC-001", requires: "document.read" },
  { file: "documents.$docId.body.tsx", method: "GET", path: "/documents/SOP-DC-001/body", requires: "document.read" },
  { file: "documents.$docId_.history.tsx", method: "GET", path: "/documents/SOP-DC-001/history", requires: "document.read" },
  { file: "documents.$docId_.pdf.ts", method: "GET", path: "/documents/SOP-DC-001/pdf", requires: "document.read" },
  { file: "documents.$docId_.redline.tsx", method: "GET", path: "/documents/SOP-DC-001/redline?from=1.0&to=2.0", requires: "document.read" },
  { file: "changes._index.tsx", method: "GET", path: "/changes", requires: "change.read" },
  { file: "documents[.]csv.ts", method: "GET", path: "/documents.csv", requires: "document.read" },
  { file: "changes.new.tsx", method: "GET", path: "/changes/new", requires: "document.author" },
  { file: "changes.new.tsx", method: "POST", path: "/changes/new", form: {}, requires: "document.author" },
  { file: "changes.$crId.tsx", method: "GET", path: "/changes/CR-2099-9999", requires: "document.read" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "comment" }, requires: "document.read" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "submit" }, requires: "document.author" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "withdraw" }, requires: "document.author" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "reviewers" }, requires: "document.author" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "review" }, requires: "document.review" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "reject" }, requires: "document.review" },
  { file: "changes.$crId.tsx", method: "POST", path: "/changes/CR-2099-9999", form: { intent: "approve" }, requires: "document.approve" },
  { file: "changes.$crId_.edit.tsx", method: "GET", path: "/changes/CR-2099-9999/edit", requires: "document.author" },
  { file: "changes.$crId_.edit.tsx", method: "POST", path: "/changes/CR-2099-9999/edit", form: {}, requires: "document.author" },
  { file: "changes.$crId_.preview.tsx", method: "POST", path: "/changes/CR-2099-9999/preview", form: {}, requires: "document.author" },
  { file: "training._index.tsx", method: "GET", path: "/training", requires: "training.acknowledge" },
  { file: "training._index.tsx", method: "POST", path: "/training", form: {}, requires: "training.acknowledge" },
  { file: "training.$assignmentId.tsx", method: "GET", path: "/training/999999", requires: "training.acknowledge" },
  { file: "training.$assignmentId.tsx", method: "POST", path: "/training/999999", form: { intent: "acknowledge" }, requires: "training.acknowledge" },
  { file: "training.sessions._index.tsx", method: "GET", path: "/training/sessions", requires: "training.acknowledge" },
  { file: "training.sessions.new.tsx", method: "GET", path: "/training/sessions/new", requires: "training.acknowledge" },
  { file: "training.sessions.new.tsx", method: "POST", path: "/training/sessions/new", form: {}, requires: "training.acknowledge" },
  { file: "training.competence.tsx", method: "GET", path: "/training/competence", requires: "training.acknowledge" },
  { file: "training.competence.tsx", method: "POST", path: "/training/competence", form: {}, requires: "training.acknowledge" },
  { file: "training.matrix.tsx", method: "GET", path: "/training/matrix", requires: "training.read" },
  { file: "training.as-of.tsx", method: "GET", path: "/training/as-of", requires: "training.read" },
  { file: "training.curriculum.tsx", method: "GET", path: "/training/curriculum", requires: "training.read" },
  { file: "training.curriculum.tsx", method: "POST", path: "/training/curriculum", form: { intent: "propose" }, requires: "training.manage" },
  { file: "training.curriculum.tsx", method: "POST", path: "/training/curriculum", form: { intent: "decide-1" }, requires: "training.approve" },
  { file: "training.people._index.tsx", method: "GET", path: "/training/people", requires: "training.read" },
  { file: "training.people.$username.tsx", method: "GET", path: "/training/people/cra1", requires: "training.read" },
  { file: "training.people.$username.tsx", method: "POST", path: "/training/people/cra1", form: {}, requires: "training.manage" },
  { file: "training.people.$username.tsx", method: "POST", path: "/training/people/cra1", form: { intent: "exemption-request" }, requires: "training.manage" },
  { file: "training.people.$username.tsx", method: "POST", path: "/training/people/cra1", form: { intent: "exemption-decide" }, requires: "training.approve" },
  { file: "training.people.$username_.csv.ts", method: "GET", path: "/training/people/cra1/csv", requires: "training.read" },
  { file: "training.documents.$docId.$version.tsx", method: "GET", path: "/training/documents/SOP-DC-001/2.0", requires: "training.read" },
  { file: "reviews._index.tsx", method: "GET", path: "/reviews", requires: "document.read" },
  { file: "tasks.tsx", method: "GET", path: "/tasks", requires: "document.read" },
  { file: "documents.$docId_.review.tsx", method: "GET", path: "/documents/SOP-DC-001/review", requires: "document.approve" },
  { file: "documents.$docId_.review.tsx", method: "POST", path: "/documents/SOP-DC-001/review", form: {}, requires: "document.approve" },
  { file: "documents.$docId_.retire.tsx", method: "GET", path: "/documents/SOP-DC-001/retire", requires: "change.read" },
  { file: "documents.$docId_.retire.tsx", method: "POST", path: "/documents/SOP-DC-001/retire", form: {}, requires: "document.withdraw" },
  { file: "changes.$crId_.withdrawal.tsx", method: "GET", path: "/changes/CR-2099-9999/withdrawal", requires: "change.read" },
  { file: "changes.$crId_.withdrawal.tsx", method: "POST", path: "/changes/CR-2099-9999/withdrawal", form: {}, requires: "document.withdraw" },
  { file: "changes.$crId_.withdrawal.tsx", method: "POST", path: "/changes/CR-2099-9999/withdrawal", form: { intent: "sign" }, requires: "change.read" },
  { file: "copies._index.tsx", method: "GET", path: "/copies", requires: "copies.read" },
  { file: "copies[.]csv.ts", method: "GET", path: "/copies.csv", requires: "copies.read" },
  { file: "copies.$copyId.tsx", method: "GET", path: "/copies/SOP-DC-001-2.0-C999", requires: "copies.read" },
  { file: "copies.$copyId.tsx", method: "POST", path: "/copies/SOP-DC-001-2.0-C999", form: {}, requires: "copies.issue" },
  { file: "copies.$copyId_.pdf.ts", method: "GET", path: "/copies/SOP-DC-001-2.0-C999/pdf", requires: "copies.read" },
  { file: "documents.$docId_.copies.new.tsx", method: "GET", path: "/documents/SOP-DC-001/copies/new", requires: "copies.issue" },
  { file: "documents.$docId_.copies.new.tsx", method: "POST", path: "/documents/SOP-DC-001/copies/new", form: {}, requires: "copies.issue" },
  { file: "kpis._index.tsx", method: "GET", path: "/kpis", requires: "kpi.read" },
  { file: "kpis.catalogue.tsx", method: "GET", path: "/kpis/catalogue", requires: "kpi.read" },
  { file: "kpis.$kpiId.tsx", method: "GET", path: "/kpis/query-resolution-time", requires: "kpi.read" },
  { file: "kpis.$kpiId_.data[.]csv.ts", method: "GET", path: "/kpis/query-resolution-time/data.csv", requires: "kpi.read" },
  { file: "kpis.review-pack.ts", method: "GET", path: "/kpis/review-pack?from=2026-10&to=2026-10", requires: "kpi.read" },
  { file: "kpis.import.tsx", method: "GET", path: "/kpis/import", requires: "kpi.import" },
  { file: "kpis.imports.$importId.file.ts", method: "GET", path: "/kpis/imports/1/file", requires: "kpi.read" },
  { file: "kpis.import.tsx", method: "POST", path: "/kpis/import", form: {}, requires: "kpi.import" },
  { file: "kpis.$kpiId_.analysis.tsx", method: "GET", path: "/kpis/query-resolution-time/analysis", requires: "actions.manage" },
  { file: "kpis.$kpiId_.analysis.tsx", method: "POST", path: "/kpis/query-resolution-time/analysis", form: {}, requires: "actions.manage" },
  // The register is read by those who read KPIs or manage actions; every role with actions.manage has kpi.read.
  { file: "actions._index.tsx", method: "GET", path: "/actions", requires: "kpi.read" },
  { file: "actions[.]csv.ts", method: "GET", path: "/actions.csv", requires: "kpi.read" },
  { file: "actions.$actionId.tsx", method: "GET", path: "/actions/ACT-9999", requires: "kpi.read" },
  { file: "actions.$actionId.tsx", method: "POST", path: "/actions/ACT-9999", form: {}, requires: "actions.manage" },
  { file: "actions.new.tsx", method: "GET", path: "/actions/new", requires: "actions.manage" },
  { file: "actions.new.tsx", method: "POST", path: "/actions/new", form: {}, requires: "actions.manage" },
  { file: "audit.tsx", method: "GET", path: "/audit", requires: "audit.read" },
  { file: "audit[.]csv.ts", method: "GET", path: "/audit.csv", requires: "audit.read" },
  { file: "binder.tsx", method: "GET", path: "/binder", requires: "export.binder" },
  { file: "binder.tsx", method: "POST", path: "/binder", form: {}, requires: "export.binder" },
  { file: "binder_.jobs.$jobId.ts", method: "GET", path: "/binder/jobs/no-such-job", requires: "export.binder" },
  { file: "binder_.jobs.$jobId_.download.ts", method: "GET", path: "/binder/jobs/no-such-job/download", requires: "export.binder" },
  { file: "admin.users._index.tsx", method: "GET", path: "/admin/users", requires: "users.manage" },
  { file: "admin.users.new.tsx", method: "GET", path: "/admin/users/new", requires: "users.manage" },
  { file: "admin.users.new.tsx", method: "POST", path: "/admin/users/new", form: {}, requires: "users.manage" },
  { file: "admin.users.$userId.tsx", method: "GET", path: "/admin/users/no-such-user", requires: "users.manage" },
  { file: "admin.users.$userId.tsx", method: "POST", path: "/admin/users/no-such-user", form: {}, requires: "users.manage" },
  { file: "account.password.tsx", method: "GET", path: "/account/password", requires: "signed-in" },
  { file: "account.password.tsx", method: "POST", path: "/account/password", form: {}, requires: "signed-in" },
  { file: "login.tsx", method: "GET", path: "/login", requires: "public" },
  { file: "login.tsx", method: "POST", path: "/login", form: {}, requires: "public" },
  { file: "logout.tsx", method: "POST", path: "/logout", form: {}, requires: "public" },
];

let server: RunningServer;
const clients = new Map<string, HttpClient>();
const roleUsers = DEMO_USERS.filter((u, i, all) => all.findIndex((o) => o.roles[0] === u.roles[0]) === i);

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir);
});
afterAll(async () => {
  await server?.stop();
});

async function clientFor(username: string): Promise<HttpClient> {
  let client = clients.get(username);
  if (!client) {
    client = await signedIn(server.url, username);
    clients.set(username, client);
  }
  return client;
}

describe("permission matrix", () => {
  it("lists every route file in app/routes", () => {
    const files = fs.readdirSync(path.join(PROJECT_ROOT, "app", "routes")).sort();
    const covered = new Set(ROUTES.map((r) => r.file));
    expect(files.filter((f) => !covered.has(f))).toEqual([]);
  });

  for (const route of ROUTES.filter((r) => r.requires !== "public" && r.file !== "logout.tsx")) {
    it(`${route.method} ${route.path} requires ${route.requires}`, async () => {
      for (const user of roleUsers) {
        const client = await clientFor(user.username);
        const res = route.method === "GET" ? await client.get(route.path) : await client.post(route.path, route.form ?? {});
        const granted = route.requires === "signed-in" || permissionsOf(user.roles).has(route.requires as Permission);
        const label = `${route.method} ${route.path} as ${user.username} (${user.roles.join(", ")})`;
        if (granted) {
          expect(res.status, label).not.toBe(403);
          expect(res.headers.get("location") ?? "", label).not.toMatch(/^\/login/);
        } else {
          expect(res.status, label).toBe(403);
          expect(res.text, label).toContain(`You do not have the permission ${route.requires}`);
        }
      }
      const anonymous = new HttpClient(server.url);
      const res = route.method === "GET" ? await anonymous.get(route.path) : await anonymous.post(route.path, route.form ?? {});
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    });
  }

  it("serves the public routes to anyone", async () => {
    const anonymous = new HttpClient(server.url);
    expect((await anonymous.get("/login")).status).toBe(200);
    expect((await anonymous.post("/login", {})).status).toBe(400);
    expect((await anonymous.post("/logout", {})).status).toBe(302);
  });
});
