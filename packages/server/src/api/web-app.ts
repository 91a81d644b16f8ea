import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FastifyInstance } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** A strict CSP: the app loads only from this origin (no CDN, no fonts from elsewhere). */
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; style-src 'self'; script-src 'self'";

/** Serves the prebuilt meeting app: /r/<room>, /embed/<room>, and its assets under /app/. */
export function registerWebApp(app: FastifyInstance, publicDir: string): void {
  const sendIndex = async (_req: unknown, reply: import("fastify").FastifyReply, embed: boolean) => {
    const html = await readFile(path.join(publicDir, "index.html"), "utf8").catch(() => null);
    if (html === null) return reply.code(503).type("text/plain").send("The web app is not built: run `npm run build`.");
    reply.header("content-security-policy", embed ? CSP : `${CSP}; frame-ancestors 'self'`);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    return reply.type(TYPES[".html"]!).send(html);
  };
  app.get("/", (req, reply) => sendIndex(req, reply, false));
  app.get("/r/:room", (req, reply) => sendIndex(req, reply, false));
  app.get("/embed/:room", (req, reply) => sendIndex(req, reply, true));
  app.get("/app/*", async (req, reply) => {
    const rel = (req.params as { "*": string })["*"];
    const file = path.resolve(publicDir, rel);
    if (!file.startsWith(path.resolve(publicDir) + path.sep)) return reply.code(404).send();
    const body = await readFile(file).catch(() => null);
    if (body === null) return reply.code(404).type("text/plain").send("not found");
    reply.header("x-content-type-options", "nosniff");
    reply.header("cache-control", "no-cache");
    return reply.type(TYPES[path.extname(file)] ?? "application/octet-stream").send(body);
  });
}
