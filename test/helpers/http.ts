import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

export interface HttpResult {
  status: number;
  /** The body with React's `<!-- -->` text separators removed, so assertions read like the page. */
  text: string;
  headers: Headers;
}

/**
 * A browser-like HTTP client for one user: keeps the session cookie, sends same-origin Origin
 * headers on POST (as a browser does for a Quire form), never follows redirects by itself.
 */
export class HttpClient {
  cookie: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<HttpResult> {
    const headers = new Headers(init.headers);
    if (this.cookie && !headers.has("cookie")) headers.set("cookie", this.cookie);
    const res = await fetch(this.baseUrl + path, { redirect: "manual", ...init, headers });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) {
      const pair = setCookie.split(";")[0]!;
      this.cookie = pair.endsWith("=") ? null : pair;
    }
    return { status: res.status, text: (await res.text()).replace(/<!-- -->/g, ""), headers: res.headers };
  }

  get(path: string): Promise<HttpResult> {
    return this.request(path);
  }

  post(path: string, form: Record<string, string | string[]>, origin: string | null = this.baseUrl): Promise<HttpResult> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (origin) headers.origin = origin;
    return this.request(path, { method: "POST", body, headers });
  }

  async signIn(username: string, password = DEMO_PASSWORD): Promise<HttpResult> {
    const res = await this.post("/login", { username, password });
    if (res.status !== 302) throw new Error(`sign-in as ${username} failed: ${res.status} ${res.text.slice(0, 200)}`);
    return res;
  }
}

export async function signedIn(baseUrl: string, username: string, password?: string): Promise<HttpClient> {
  const client = new HttpClient(baseUrl);
  await client.signIn(username, password);
  return client;
}
