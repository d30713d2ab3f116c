import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";

import { TestClock } from "../helpers/clock";
import { PROJECT_CONTENT, createDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let dataDir: string;
const START = Date.parse("2026-11-25T09:00:00Z");
const clock = new TestClock(START);


async function auditRows(action: string): Promise<{ username: string | null; new_values: string | null; client_address: string | null }[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all("SELECT username, new_values, client_address FROM audit_events WHERE action = ? ORDER BY seq", [action]);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  ({ dataDir } = await createDataFolder({ seedDir: PROJECT_CONTENT, demo: true, now: new Date(START) }));
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

  it("answers a wrong password or an unknown user with the same message, and audits both", async () => {
    const client = new HttpClient(server.url);
    const wrong = await client.post("/login", { username: "cra2", password: "not-the-password" });
    const unknown = await client.post("/login", { username: "nobody-here", password: "whatever-password" });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain("Unknown user name or wrong password.");
      expect(res.text).not.toMatch(/\n\s+at /);
    }
    const failed = await auditRows("auth.signin.failed");
    expect(failed.map((r) => [r.username, JSON.parse(r.new_values!).reason])).toEqual(
      expect.arrayContaining([
        ["cra2", "wrong password"],
        [null, "unknown user name"],
      ]),
    );
    const empty = await client.post("/login", { username: "", password: "" });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Enter your user name");
  });

  it("locks an account after five wrong passwords in a row, refusing even the right one", async () => {
    const client = new HttpClient(server.url);
    for (let i = 1; i <= 4; i++) {
      expect((await client.post("/login", { username: "reviewer", password: `wrong-${i}-password` })).text).toContain("Unknown user name or wrong password.");
    }
    const fifth = await client.post("/login", { username: "reviewer", password: "wrong-5-password" });
    expect(fifth.text).toContain("The account is now locked after 5 failed attempts");
    const right = await client.post("/login", { username: "reviewer", password: "quire-demo-2026" });
    expect(right.status).toBe(401);
    expect(right.text).toContain("This account is locked");
    expect((await auditRows("user.locked")).map((r) => r.username)).toContain("reviewer");
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
