// Quire's HTTP server: Express in front of the Remix build (npm start).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import express from "express";

const root = path.dirname(fileURLToPath(import.meta.url));
const buildFile = path.join(root, "build", "index.js");
if (!fs.existsSync(buildFile)) {
  console.error("Quire is not built yet: run `npm run build` (or `npm run demo`).");
  process.exit(2);
}
const build = await import(buildFile);

try {
  await build.entry.module.startup();
} catch (error) {
  console.error(`Quire cannot start: ${error.message}`);
  process.exit(2);
}

/**
 * Set on every response, assets included (Part 11 §11.10(d): the browser must not be usable
 * against the system: no framing, no MIME sniffing, no leaking URLs, scripts only from here).
 * Remix inlines its hydration data as scripts, hence 'unsafe-inline' for script-src.
 */
const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const { isSameOrigin, recordRefusedCrossSiteRequest, pageLoadContext, lookUpPage } = build.entry.module;

const app = express();
app.disable("x-powered-by");
app.use((req, res, next) => {
  res.set(SECURITY_HEADERS);
  // The audit trail records the client address from the socket; a client cannot set it.
  req.headers["x-quire-client-address"] = req.socket.remoteAddress ?? "";
  if (SAFE_METHODS.has(req.method)) return next();
  // CSRF: a state-changing request must come from a page of this site (with SameSite=Lax cookies).
  const origin = req.get("origin") ?? null;
  if (isSameOrigin({ origin, referer: req.get("referer"), host: req.get("host") })) return next();
  recordRefusedCrossSiteRequest({ method: req.method, path: req.path, origin, clientAddress: req.socket.remoteAddress ?? null })
    .catch((error) => console.error(`Could not audit a refused cross-site request: ${error.message}`))
    .finally(() => res.status(403).type("text/plain").send("Cross-site request refused: this form must be sent from a Quire page.\n"));
});
app.use("/build", express.static(path.join(root, "public", "build"), { immutable: true, maxAge: "1y" }));
// Only names public/ holds at start are looked for there, so a page's URL costs no file-system lookup.
const publicFiles = new Set(fs.readdirSync(path.join(root, "public")).map((name) => `/${name}`));
const servePublic = express.static(path.join(root, "public"), { maxAge: "1h" });
app.use((req, res, next) => (publicFiles.has(req.path) ? servePublic(req, res, next) : next()));
// A page the same session read a moment ago, with nothing committed since, is sent again as it was
// (app/web/page-responses.server.ts); otherwise Remix renders it and may keep it.
app.get("*", (req, res, next) => {
  if (req.method !== "GET") return next();
  lookUpPage(`${req.protocol}://${req.get("host")}${req.originalUrl}`, req.headers).then((found) => {
    if (!("send" in found)) {
      res.locals.pageSlot = found.render;
      return next();
    }
    for (const [name, value] of found.send.headers) res.append(name, value);
    res.status(found.send.status).end(found.send.body);
  }, next);
});
// One load context per request: what its loaders hand to its server render (app/web/page-bodies.ts), and
// where that render may be kept.
app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV,
    getLoadContext: (req, res) => ({ ...pageLoadContext(req.originalUrl), pageSlot: res.locals.pageSlot ?? null }),
  }),
);

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  console.log(`Quire is serving ${process.env.QUIRE_DATA_DIR ?? "./data"} on http://localhost:${actual}`);
});

// Idle keep-alive connections stay open longer than the clients' and proxies' own idle timeouts
// (Node's 5 s default races them: a client reusing a socket the server is closing gets a reset).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
