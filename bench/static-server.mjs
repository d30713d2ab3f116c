// The bare-Node baseline for bench/run.ts: serves one file's bytes from memory, as fast as plain
// `http` can. Usage: node bench/static-server.mjs <file> [port]; prints its URL when ready.
import fs from "node:fs";
import http from "node:http";

const [file, port = "0"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/static-server.mjs <file> [port]");
  process.exit(2);
}
const body = fs.readFileSync(file);
const headers = { "Content-Type": "text/html; charset=utf-8", "Content-Length": String(body.length) };

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(Number(port), () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  console.log(`static server is serving ${body.length} bytes on http://localhost:${actual}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
