// Builds build/Release/relais_native.node with node-gyp against this node's own headers
// (which include OpenSSL's). Run by `npm install` of @relais/server; never fails the
// install: without a compiler the server uses the pure-TypeScript SRTP path.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
    path.join(path.dirname(process.execPath), "node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
  ];
  return candidates.find((c) => c !== undefined && c !== "" && existsSync(c));
}

function warn(reason) {
  console.warn(`relais: native SRTP addon not built (${reason}); the pure-TypeScript SRTP path will be used`);
  process.exit(0);
}

if (process.env.RELAIS_NATIVE === "0") process.exit(0);
const gyp = nodeGypScript();
if (gyp === undefined) warn("node-gyp not found");
// --nodedir: headers of the running node (npm's `nodedir` config when set), never a download.
const nodedir = process.env.npm_config_nodedir || path.resolve(path.dirname(process.execPath), "..");
if (!existsSync(path.join(nodedir, "include/node/node_api.h"))) warn(`no node headers under ${nodedir}`);
const result = spawnSync(process.execPath, [gyp, "rebuild", "--release", `--nodedir=${nodedir}`], {
  cwd: here,
  stdio: process.env.RELAIS_NATIVE_VERBOSE ? "inherit" : "pipe",
  encoding: "utf8",
});
if (result.status !== 0) {
  const lines = `${result.stdout ?? ""}\n${result.stderr ?? ""}`.split("\n").filter((l) => l.trim() !== "");
  // A compiler diagnostic first, else node-gyp's own reason ("gyp ERR! stack Error: ...").
  const cause = lines.find((l) => /\berror:/.test(l)) ?? lines.find((l) => l.startsWith("gyp ERR! stack Error")) ?? lines.pop();
  warn(`node-gyp failed: ${(cause ?? `exit ${result.status}`).trim().slice(0, 200)}`);
}
