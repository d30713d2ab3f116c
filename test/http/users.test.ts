import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { SIGN_IN_REFUSED } from "~/modules/users/users";

import { copyDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn, type HttpResult } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let admin: HttpClient;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  admin = await signedIn(server.url, "admin");
});
afterAll(async () => {
  await server?.stop();
});

/** The page as a person reads it: tags dropped, entities decoded, spaces collapsed. */
function plain(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ");
}

function fieldError(res: HttpResult, name: string): string | null {
  const m = new RegExp(`id="${name}-error"[^>]*>([^<]*)<`).exec(res.text);
  return m ? plain(m[1]!).trim() : null;
}

function oneTimePassword(res: HttpResult): string {
  const m = /id="one-time-password"[^>]*>([^<]+)</.exec(res.text);
  if (!m) throw new Error(`no one-time password in the page: ${plain(res.text).slice(0, 500)}`);
  return m[1]!;
}

/** The users list as rows of cell texts, keyed by user name. */
async function usersList(): Promise<Map<string, string[]>> {
  const res = await admin.get("/admin/users");
  expect(res.status).toBe(200);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(res.text)?.[1] ?? "";
  const rows = [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => plain(cell[1]!).trim()),
  );
  return new Map(rows.map((r) => [r[0]!, r]));
}

async function signInResult(username: string, password: string): Promise<HttpResult> {
  return new HttpClient(server.url).post("/login", { username, password });
}

const NEW_USER = {
  username: "JSmith",
  displayName: "Jane Smith",
  email: "jane.smith@example.org",
  roles: ["author", "reviewer"],
  jobFunctions: ["cra", "data-manager"],
  reason: "Hired: access request AR-2026-17",
};

let janeId = "";
let janePassword = "";
let jane: HttpClient;

describe("creating a user (/admin/users/new)", () => {
  it("refuses missing and invalid fields with a message naming each field, creating nothing", async () => {
    const before = (await usersList()).size;
    const res = await admin.post("/admin/users/new", { username: "", displayName: " ", email: "not-an-email", reason: "" });
    expect(res.status).toBe(400);
    expect(fieldError(res, "username")).toBe("Enter a user name");
    expect(fieldError(res, "displayName")).toBe("Enter the person's full name, as it should be printed under their signatures");
    expect(fieldError(res, "email")).toBe("Enter a valid email address, such as name@example.org");
    expect(fieldError(res, "roles")).toBe("Choose at least one role: without one the person can open nothing");
    expect(plain(res.text)).toContain("The account was not created. Correct the fields marked below.");
    expect(res.text).not.toMatch(/at .*\.js:\d+/); // never a stack trace

    const format = await admin.post("/admin/users/new", { ...NEW_USER, username: "9lives" });
    expect(format.status).toBe(400);
    expect(fieldError(format, "username")).toContain("starting with a letter");
    // What the administrator typed is kept.
    expect(format.text).toContain('value="jane.smith@example.org"');
    expect(format.text).toMatch(/<input type="checkbox" name="roles" checked="" value="reviewer"\/>/);
    expect(format.text).toMatch(/<input type="checkbox" name="roles" value="staff"\/>/);

    const jf = await admin.post("/admin/users/new", { ...NEW_USER, jobFunctions: ["astronaut"] });
    expect(fieldError(jf, "jobFunctions")).toBe("astronaut is not a defined job function");
    expect((await usersList()).size).toBe(before);
  });

  it("creates the account with roles and job functions and shows its one-time password once", async () => {
    const res = await admin.post("/admin/users/new", NEW_USER);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    janePassword = oneTimePassword(res);
    expect(janePassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    const text = plain(res.text);
    expect(text).toContain("Account created for Jane Smith");
    expect(text).toContain("One-time password for jsmith");
    expect(text).toContain("It is shown only this once.");
    expect(text).toContain("must replace it with a password of their own at first sign-in");
    janeId = /href="\/admin\/users\/([0-9a-f-]{36})"/.exec(res.text)![1]!;

    const row = (await usersList()).get("jsmith")!;
    expect(row).toEqual([
      "jsmith",
      "Jane Smith",
      "jane.smith@example.org",
      "Author, Reviewer",
      "Clinical Research Associate, Data Manager",
      "Must change password",
      "2026-11-25",
    ]);
    const page = await admin.get(`/admin/users/${janeId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(janePassword);
    expect(plain(page.text)).toContain("Hired: access request AR-2026-17");
  });

  it("never reuses a user name, whatever its case", async () => {
    for (const username of ["jsmith", "admin", "INSPECTOR"]) {
      const res = await admin.post("/admin/users/new", { ...NEW_USER, username });
      expect(res.status).toBe(400);
      expect(fieldError(res, "username")).toBe(
        `The user name ${username.toLowerCase()} is taken (user names are never reused, even for deactivated accounts).`,
      );
    }
  });
});

describe("first sign-in with a one-time password (/account/password)", () => {
  it("sends the new user to the password page and keeps every other page closed until they change it", async () => {
    jane = new HttpClient(server.url);
    const signIn = await jane.signIn("jsmith", janePassword);
    expect(signIn.headers.get("location")).toBe("/account/password?required=1");
    for (const path of ["/", "/documents/SOP-DM-001", "/manual"]) {
      const res = await jane.get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/account/password?required=1");
    }
    const page = await jane.get("/account/password?required=1");
    expect(page.status).toBe(200);
    const text = plain(page.text);
    expect(text).toContain("A password change is required before you continue.");
    expect(text).toContain("At least 12 characters");
    expect(text).toContain("Not your user name (jsmith).");
    expect(text).toContain("Not easy to guess: no common password, keyboard run, repeat, date or your own name.");
    expect(text).toContain("Not one of your last 5 passwords.");
    // The navigation is hidden while the change is required.
    expect(page.text).not.toContain('href="/manual"');
  });

  it("refuses a short password, the user name, a mismatched confirmation and a wrong current password, as field errors", async () => {
    const short = await jane.post("/account/password", { current: janePassword, password: "too short", confirm: "too short" });
    expect(short.status).toBe(400);
    expect(fieldError(short, "password")).toBe("The new password must be at least 12 characters long.");

    const name = await jane.post("/account/password", { current: janePassword, password: "JSMITH", confirm: "JSMITH" });
    expect(name.status).toBe(400);
    expect(fieldError(name, "password")).toBe("The new password must be at least 12 characters long and must not be the user name.");

    const common = await jane.post("/account/password", { current: janePassword, password: "iloveyou2026", confirm: "iloveyou2026" });
    expect(common.status).toBe(400);
    expect(fieldError(common, "password")).toBe(
      "The new password is too easy to guess: this is similar to a commonly used password. Add more words that are less common.",
    );
    const personal = await jane.post("/account/password", { current: janePassword, password: "jane.smith.1990", confirm: "jane.smith.1990" });
    expect(fieldError(personal, "password")).toMatch(/^The new password is too easy to guess: there should not be any personal or page related data\./);

    const mismatch = await jane.post("/account/password", { current: janePassword, password: "a long new passphrase", confirm: "a long new passphrasE" });
    expect(mismatch.status).toBe(400);
    expect(fieldError(mismatch, "confirm")).toBe("The confirmation does not match the new password");

    const wrong = await jane.post("/account/password", { current: "not the password", password: "a long new passphrase", confirm: "a long new passphrase" });
    expect(wrong.status).toBe(400);
    expect(fieldError(wrong, "current")).toBe("The current password is wrong.");

    const reuse = await jane.post("/account/password", { current: janePassword, password: janePassword, confirm: janePassword });
    expect(fieldError(reuse, "password")).toBe("The new password must differ from your last 5 passwords.");
    expect((await jane.get("/")).status).toBe(302);
  });

  it("changes the password, then opens the library with a notice; her other sessions end", async () => {
    const elsewhere = await signedIn(server.url, "jsmith", janePassword);
    const res = await jane.post("/account/password", { current: janePassword, password: "a long new passphrase", confirm: "a long new passphrase" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/?notice=password-changed");
    const home = await jane.get("/?notice=password-changed");
    expect(home.status).toBe(200);
    expect(plain(home.text)).toContain("Your password has been changed.");
    expect(home.text).toContain('<table class="library"');
    janePassword = "a long new passphrase";
    expect((await elsewhere.get("/")).headers.get("location")).toMatch(/^\/login/);
    expect((await usersList()).get("jsmith")![5]).toBe("Active");
    // Without the flag the page no longer says a change is required.
    expect(plain((await jane.get("/account/password?required=1")).text)).not.toContain("A password change is required");
  });
});

describe("editing an account (/admin/users/:id)", () => {
  it("saves name, email, roles and job functions with the reason, and the change shows", async () => {
    const res = await admin.post(`/admin/users/${janeId}`, {
      intent: "details",
      displayName: "Jane Smith-Okafor",
      email: "jane.okafor@example.org",
      roles: ["staff"],
      jobFunctions: ["cra"],
      reason: "Moved to monitoring, ticket AR-2026-31",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/admin/users/${janeId}?notice=user-saved`);
    const page = plain((await admin.get(`/admin/users/${janeId}?notice=user-saved`)).text);
    expect(page).toContain("The account's changes are saved and recorded in the audit trail.");
    expect(page).toContain("Moved to monitoring, ticket AR-2026-31");
    expect(page).toMatch(/Roles: author, reviewer → staff/);
    expect(page).toMatch(/Name: Jane Smith → Jane Smith-Okafor/);
    expect((await usersList()).get("jsmith")!.slice(1, 5)).toEqual(["Jane Smith-Okafor", "jane.okafor@example.org", "Staff", "Clinical Research Associate"]);
    // The person's own pages follow at once: the header shows the new name.
    expect(plain((await jane.get("/")).text)).toContain("Jane Smith-Okafor (jsmith)");

    const same = await admin.post(`/admin/users/${janeId}`, {
      intent: "details",
      displayName: "Jane Smith-Okafor",
      email: "jane.okafor@example.org",
      roles: ["staff"],
      jobFunctions: ["cra"],
    });
    expect(same.headers.get("location")).toBe(`/admin/users/${janeId}?notice=user-unchanged`);
  });

  it("refuses bad input with field errors and an unknown action with a message", async () => {
    const res = await admin.post(`/admin/users/${janeId}`, { intent: "details", displayName: "Jane", email: "jane@", jobFunctions: ["cra"] });
    expect(res.status).toBe(400);
    expect(fieldError(res, "email")).toBe("Enter a valid email address, such as name@example.org");
    expect(fieldError(res, "roles")).toBe("Choose at least one role: without one the person can open nothing");
    const bad = await admin.post(`/admin/users/${janeId}`, { intent: "delete" });
    expect(bad.status).toBe(400);
    expect(plain(bad.text)).toContain("Unknown action: reload the page and try again");
    expect((await usersList()).get("jsmith")![3]).toBe("Staff");
  });

  it("deactivation ends the person's session and refuses their sign-in; reactivation lets them back", async () => {
    const res = await admin.post(`/admin/users/${janeId}`, { intent: "deactivate", reason: "Left the company" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/admin/users/${janeId}?notice=user-deactivated`);
    const next = await jane.get("/");
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toMatch(/^\/login\?redirectTo=%2F/);
    const refused = await signInResult("jsmith", janePassword);
    expect(refused.status).toBe(401);
    // The sign-in form does not say why (a stranger learns nothing); the administrator's list does.
    expect(plain(refused.text)).toContain(SIGN_IN_REFUSED);
    expect((await usersList()).get("jsmith")![5]).toBe("Deactivated");
    const page = plain((await admin.get(`/admin/users/${janeId}`)).text);
    expect(page).toContain("Reactivate account");
    expect(page).not.toContain("Deactivate account");
    expect(page).not.toMatch(/\bDelete\b/);

    const again = await admin.post(`/admin/users/${janeId}`, { intent: "deactivate" });
    expect(again.status).toBe(400);
    expect(plain(again.text)).toContain("The account is already deactivated.");

    expect((await admin.post(`/admin/users/${janeId}`, { intent: "reactivate", reason: "Rehired" })).headers.get("location")).toBe(
      `/admin/users/${janeId}?notice=user-reactivated`,
    );
    await jane.signIn("jsmith", janePassword);
    expect((await jane.get("/")).status).toBe(200);
  });

  it("five failed sign-ins lock the account; the administrator unlocks it", async () => {
    for (let n = 1; n <= 5; n++) {
      const res = await signInResult("jsmith", "wrong password " + n);
      expect(res.status).toBe(401);
      expect(plain(res.text)).toContain(SIGN_IN_REFUSED);
    }
    expect(plain((await signInResult("jsmith", janePassword)).text)).toContain(SIGN_IN_REFUSED);
    expect((await jane.get("/")).status).toBe(302);
    expect((await usersList()).get("jsmith")![5]).toBe("Locked");
    const page = plain((await admin.get(`/admin/users/${janeId}`)).text);
    expect(page).toContain("Unlock account");
    expect(page).toContain("Locked on 2026-11-25 12:00 UTC; 5 failed sign-ins in a row so far.");
    expect(page).toContain("It unlocks itself at the first sign-in attempt after 2026-11-25 12:30 UTC.");

    const res = await admin.post(`/admin/users/${janeId}`, { intent: "unlock", reason: "Holder confirmed by phone" });
    expect(res.headers.get("location")).toBe(`/admin/users/${janeId}?notice=user-unlocked`);
    const after = plain((await admin.get(`/admin/users/${janeId}?notice=user-unlocked`)).text);
    expect(after).toContain("The account is unlocked and its count of failed sign-ins is back to zero.");
    expect(after).not.toContain("Unlock account");
    expect(after).toContain("Holder confirmed by phone");
    await jane.signIn("jsmith", janePassword);

    const notLocked = await admin.post(`/admin/users/${janeId}`, { intent: "unlock" });
    expect(notLocked.status).toBe(400);
    expect(plain(notLocked.text)).toContain("The account is not locked.");
  });

  it("forces a password reset: a one-time password shown once, the old password and session dead", async () => {
    const res = await admin.post(`/admin/users/${janeId}`, { intent: "reset-password", reason: "Forgotten password" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const temp = oneTimePassword(res);
    expect(temp).not.toBe(janePassword);
    expect(plain(res.text)).toContain("Password reset");
    expect((await admin.get(`/admin/users/${janeId}`)).text).not.toContain(temp);

    expect((await jane.get("/")).status).toBe(302);
    expect((await signInResult("jsmith", janePassword)).status).toBe(401);
    const signIn = await jane.signIn("jsmith", temp);
    expect(signIn.headers.get("location")).toBe("/account/password?required=1");
    expect((await usersList()).get("jsmith")![5]).toBe("Must change password");
  });

  it("does not let the administrator deactivate themselves or drop their own administrator role", async () => {
    const list = await admin.get("/admin/users");
    const adminId = /href="\/admin\/users\/([0-9a-f-]{36})">admin</.exec(list.text)![1]!;
    const page = plain((await admin.get(`/admin/users/${adminId}`)).text);
    expect(page).not.toContain("Deactivate account");
    expect(page).toContain("This is your own account");

    const self = await admin.post(`/admin/users/${adminId}`, { intent: "deactivate" });
    expect(self.status).toBe(400);
    expect(plain(self.text)).toContain("You cannot deactivate your own account.");
    const role = await admin.post(`/admin/users/${adminId}`, {
      intent: "details",
      displayName: "Alex Morgan",
      email: "admin@demo.quire.invalid",
      roles: ["staff"],
    });
    expect(role.status).toBe(400);
    expect(fieldError(role, "roles")).toBe("You cannot remove your own administrator role; ask another administrator.");
    expect((await admin.get("/admin/users")).status).toBe(200);
  });

  it("answers 404 with a message for an unknown user", async () => {
    for (const res of [await admin.get("/admin/users/no-such-user"), await admin.post("/admin/users/no-such-user", { intent: "unlock" })]) {
      expect(res.status).toBe(404);
      expect(plain(res.text)).toContain("There is no user account with the id no-such-user.");
    }
  });
});

describe("who may administer users", () => {
  it("refuses qa, cra1 and inspector with 403 naming users.manage, on every admin page and form", async () => {
    for (const username of ["qa", "cra1", "inspector"]) {
      const client = await signedIn(server.url, username);
      expect((await client.get("/")).text).not.toContain('href="/admin/users"');
      const attempts = [
        await client.get("/admin/users"),
        await client.get("/admin/users/new"),
        await client.get(`/admin/users/${janeId}`),
        await client.post("/admin/users/new", { ...NEW_USER, username: `made.by.${username}` }),
        await client.post(`/admin/users/${janeId}`, { intent: "deactivate" }),
        await client.post(`/admin/users/${janeId}`, { intent: "reset-password" }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(plain(res.text)).toContain("You do not have the permission users.manage needed for this page or action.");
      }
    }
    expect((await usersList()).has("made.by.qa")).toBe(false);
    expect((await usersList()).get("jsmith")![5]).toBe("Must change password");
  });

  it("sends an anonymous visitor to sign in", async () => {
    const res = await new HttpClient(server.url).get("/admin/users");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login?redirectTo=%2Fadmin%2Fusers");
  });

  it("refuses a POST without an Origin header as a cross-site request", async () => {
    const attempts: [string, Record<string, string | string[]>][] = [
      ["/admin/users/new", { ...NEW_USER, username: "csrf.victim" }],
      [`/admin/users/${janeId}`, { intent: "deactivate" }],
      ["/account/password", { current: "quire-demo-2026", password: "a long new passphrase", confirm: "a long new passphrase" }],
    ];
    for (const [path, form] of attempts) {
      const res = await admin.post(path, form, null);
      expect(res.status).toBe(403);
      expect(res.text).toContain("Cross-site request refused");
    }
    expect((await usersList()).has("csrf.victim")).toBe(false);
  });
});
