// Serves the built app the way the Relais server does, for looking at the UI without a server:
// /app/* → public/, /r/<room> and /embed/<room> → index.html. `node static-server.mjs [port]`.

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const publicDir = fileURLToPath(new URL("../public/", import.meta.url));
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

export function handleStatic(req, res) {
  const path = new URL(req.url, "http://x").pathname;
  const file = /^\/(r|embed)\/[^/]+\/?$/.test(path)
    ? "index.html"
    : path.startsWith("/app/")
      ? normalize(path.slice(5) || "index.html")
      : null;
  if (!file || file.startsWith("..")) return res.writeHead(404).end("not found");
  readFile(join(publicDir, file)).then(
    (body) => res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body),
    () => res.writeHead(404).end("not found"),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 8090);
  createServer(handleStatic).listen(port, () => console.log(`http://localhost:${port}/r/demo`));
}
