import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { SIGN_IN_REFUSED } from "~/modules/users/users";

import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn, type HttpResult } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let dataDir: string;
const START = Date.parse("2026-11-25T09:00:00Z");
const clock = new TestClock(START);

async function auditRows(
  action: string,
): Promise<{ at: string; username: string | null; object_id: string | null; new_values: string | null; client_address: string | null }[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all("SELECT at, username, object_id, new_values, client_address FROM audit_events WHERE action = ? ORDER BY seq", [action]);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo")); // set up at START
  server = await startServer(dataDir, clock.env);
});
afterAll(async () => {
  await server?.stop();
});

describe("sign-in and sign-out", () => {
  it("sends an anonymous reader to /login and back after signing in", async () => {
    const client = new HttpClient(server.url);
    const first = await client.get("/documents/SOP-DM-001");
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/login?redirectTo=%2Fdocuments%2FSOP-DM-001");
    const login = await client.post("/login", { username: "dm1", password: "quire-demo-2026", redirectTo: "/documents/SOP-DM-001" });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe("/documents/SOP-DM-001");
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^quire_session=[a-z0-9]+; HttpOnly; Path=\/; SameSite=Lax$/);
    expect((await client.get("/documents/SOP-DM-001")).status).toBe(200);
    const signins = await auditRows("auth.signin");
    expect(signins.at(-1)).toMatchObject({ username: "dm1", client_address: expect.stringMatching(/127\.0\.0\.1/) });
  });

  it("refuses an open redirect after sign-in", async () => {
    const client = new HttpClient(server.url);
    const login = await client.post("/login", { username: "cra2", password: "quire-demo-2026", redirectTo: "//evil.example/x" });
    expect(login.headers.get("location")).toBe("/");
  });

  it("signs out: the session ends on the server, the cookie is cleared and the event audited", async () => {
    const client = await signedIn(server.url, "cra1");
    const oldCookie = client.cookie!;
    const out = await client.post("/logout", {});
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/login?signedOut=1");
    expect(out.headers.get("set-cookie")).toMatch(/^quire_session=; /);
    // Replaying the old cookie gets nowhere: the session no longer exists.
    const replay = new HttpClient(server.url);
    replay.cookie = oldCookie;
    const res = await replay.get("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
    expect(res.headers.get("set-cookie")).toMatch(/^quire_session=; /);
    expect((await auditRows("auth.signout")).at(-1)?.username).toBe("cra1");
  });

  it("answers an unknown user, a wrong password, a locked and a deactivated account alike, and audits each reason", async () => {
    // Set-up: inspector deactivated by the administrator, dm1 locked by five wrong passwords.
    const admin = await signedIn(server.url, "admin");
    const inspectorId = /href="\/admin\/users\/([0-9a-f-]{36})">inspector</.exec((await admin.get("/admin/users")).text)![1]!;
    expect((await admin.post(`/admin/users/${inspectorId}`, { intent: "deactivate", reason: "Audit finished" })).status).toBe(302);
    const client = new HttpClient(server.url);
    const locking: HttpResult[] = [];
    for (let n = 1; n <= 5; n++) locking.push(await client.post("/login", { username: "dm1", password: `wrong-${n}-password` }));

    const cases = {
      unknown: await client.post("/login", { username: "nobody-here", password: "whatever-password" }),
      wrong: await client.post("/login", { username: "cra2", password: "not-the-password" }),
      locked: await client.post("/login", { username: "dm1", password: DEMO_PASSWORD }),
      deactivated: await client.post("/login", { username: "inspector", password: DEMO_PASSWORD }),
      lockingAttempt: locking[4]!,
    };
    for (const [name, res] of Object.entries(cases)) {
      expect([name, res.status]).toEqual([name, 401]);
      // The whole page, byte for byte: nothing tells the cases apart.
      expect([name, res.text]).toEqual([name, cases.wrong.text]);
    }
    expect(cases.wrong.text).toContain(SIGN_IN_REFUSED);
    expect(cases.wrong.text).not.toMatch(/locked|deactivated|Unknown user/i);
    expect(cases.wrong.text).not.toMatch(/\n\s+at /);

    // The audit trail, which only authorised people read, keeps the real reason of each.
    const failed = await auditRows("auth.signin.failed");
    expect(failed.map((r) => [r.username, JSON.parse(r.new_values!).reason])).toEqual(
      expect.arrayContaining([
        [null, "unknown user name"],
        ["cra2", "wrong password"],
        ["dm1", "account locked"],
        ["inspector", "account deactivated"],
      ]),
    );
    expect((await auditRows("user.locked")).map((r) => r.username)).toContain("dm1");
    const empty = await client.post("/login", { username: "", password: "" });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Enter your user name");
  });

  it("locks an account after five wrong passwords in a row, refusing even the right one, without saying so", async () => {
    const client = new HttpClient(server.url);
    for (let i = 1; i <= 5; i++) {
      const res = await client.post("/login", { username: "reviewer", password: `wrong-${i}-password` });
      expect(res.status).toBe(401);
      expect(res.text).toContain(SIGN_IN_REFUSED);
    }
    const right = await client.post("/login", { username: "reviewer", password: DEMO_PASSWORD });
    expect(right.status).toBe(401);
    expect(right.text).toContain(SIGN_IN_REFUSED);
    expect((await auditRows("user.locked")).map((r) => r.username)).toContain("reviewer");
    expect((await new HttpClient(server.url).get("/login")).text).toContain("lock the account for 30 minutes");
  });

  it("ignores a forged session cookie", async () => {
    const client = new HttpClient(server.url);
    client.cookie = "quire_session=forgedforgedforgedforgedforgedforged";
    const res = await client.get("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2F");
    expect(res.headers.get("set-cookie")).toMatch(/^quire_session=; /);
  });
});

describe("session expiry (injectable clock)", () => {
  it("ends a session after 15 idle minutes, audits it and says why on the sign-in page", async () => {
    clock.set(START);
    const client = await signedIn(server.url, "trainer");
    clock.set(START + 14 * 60_000);
    expect((await client.get("/")).status).toBe(200); // activity at minute 14 restarts the idle clock
    clock.set(START + 28 * 60_000);
    expect((await client.get("/")).status).toBe(200);
    clock.set(START + 43 * 60_000 + 1000);
    const expired = await client.get("/");
    expect(expired.status).toBe(302);
    expect(expired.headers.get("location")).toBe("/login?redirectTo=%2F&expired=idle");
    const page = await new HttpClient(server.url).get("/login?redirectTo=%2F&expired=idle");
    expect(page.text).toContain("Your session ended after 15 minutes without activity.");
    const rows = await auditRows("auth.session.expired");
    expect(rows.at(-1)).toMatchObject({ username: "trainer" });
    expect(JSON.parse(rows.at(-1)!.new_values!).why).toBe("idle");
    clock.set(START);
  });

  it("ends any session 12 hours after sign-in, however active", async () => {
    clock.set(START);
    const client = await signedIn(server.url, "author");
    let t = START;
    while (t < START + 12 * 3_600_000) {
      t += 10 * 60_000;
      clock.set(t);
      const res = await client.get("/about");
      if (t <= START + 12 * 3_600_000) expect(res.status).toBe(200);
    }
    clock.set(START + 12 * 3_600_000 + 60_000);
    const res = await client.get("/about");
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fabout&expired=absolute");
    clock.set(START);
  });
});

describe("lockout period (QUIRE_LOCKOUT_MINUTES, default 30; Part 11 §11.300(d))", () => {
  /** The administrator's view of qa: the users list's status cell and the account page. */
  async function adminView(): Promise<{ status: string; page: string }> {
    const admin = await signedIn(server.url, "admin");
    const list = (await admin.get("/admin/users")).text;
    const id = /href="\/admin\/users\/([0-9a-f-]{36})">qa</.exec(list)![1]!;
    const row = list.slice(list.indexOf(`href="/admin/users/${id}"`)).split("</tr>")[0]!;
    const status = [...row.matchAll(/class="badge badge-account-([a-z-]+)"/g)].map((m) => m[1]).join(",");
    const page = (await admin.get(`/admin/users/${id}`)).text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    return { status, page };
  }

  it("keeps the account locked for 30 minutes, shows it to the administrator, then lets the holder in and audits the lift", async () => {
    const lockedAt = START + 2 * 3_600_000; // 11:00 UTC
    clock.set(lockedAt);
    const client = new HttpClient(server.url);
    for (let n = 1; n <= 5; n++) await client.post("/login", { username: "qa", password: `wrong-${n}-password` });

    clock.set(lockedAt + 29 * 60_000 + 59_000);
    const early = await client.post("/login", { username: "qa", password: DEMO_PASSWORD });
    expect(early.status).toBe(401);
    expect(early.text).toContain(SIGN_IN_REFUSED);
    const during = await adminView();
    expect(during.status).toBe("locked");
    expect(during.page).toContain("Unlock account");
    expect(during.page).toContain("It unlocks itself at the first sign-in attempt after 2026-11-25 11:30 UTC.");

    clock.set(lockedAt + 30 * 60_000);
    const lapsed = await adminView();
    expect(lapsed.status).toBe("active");
    expect(lapsed.page).not.toContain("Unlock account");
    expect(lapsed.page).toContain("lapsed at 2026-11-25 11:30 UTC. It no longer stops sign-in");

    const signIn = await client.post("/login", { username: "qa", password: DEMO_PASSWORD });
    expect(signIn.status).toBe(302);
    expect((await client.get("/")).status).toBe(200);
    const lifts = await auditRows("user.unlock.automatic");
    expect(lifts).toHaveLength(1);
    expect(lifts[0]).toMatchObject({
      at: "2026-11-25T11:30:00.000Z",
      username: "system",
      object_id: "qa",
      client_address: expect.stringMatching(/127\.0\.0\.1/),
    });
    const after = await adminView();
    expect(after.page).toContain("Account unlocked: lockout period over");
    expect(after.page).not.toContain("It no longer stops sign-in");
    clock.set(START);
  });
});

describe("cross-site requests (CSRF)", () => {
  it("refuses a state-changing request from another origin, or with no origin, and audits it", async () => {
    const client = await signedIn(server.url, "cra2");
    const foreign = await client.post("/logout", {}, "https://evil.example");
    expect(foreign.status).toBe(403);
    expect(foreign.text).toBe("Cross-site request refused: this form must be sent from a Quire page.\n");
    const none = await client.post("/login", { username: "cra2", password: "quire-demo-2026" }, null);
    expect(none.status).toBe(403);
    expect((await client.get("/")).status).toBe(200); // still signed in: the forged sign-out did nothing
    const refused = await auditRows("security.cross-site-request.refused");
    expect(refused.map((r) => JSON.parse(r.new_values!).origin)).toEqual(expect.arrayContaining(["https://evil.example", null]));
  });
});
