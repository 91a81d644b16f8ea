import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTestNode, type TestNode } from "./support/test-node.js";

const DOC = fileURLToPath(new URL("../../../../docs/api.md", import.meta.url));

let node: TestNode;
before(async () => {
  node = await startTestNode();
});
after(async () => {
  await node.stop();
});

/** Each ```sh block of docs/api.md, split into commands (a trailing backslash continues a line). */
function examples(): string[] {
  const text = readFileSync(DOC, "utf8");
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("curl ")),
  );
}

test("every curl example in docs/api.md runs against a live node and succeeds", async () => {
  const commands = examples();
  assert.ok(commands.length >= 7, `found ${commands.length} examples`);
  const env = { ...process.env, RELAIS_URL: node.url, KEY: node.keys.primary.apiKey, SECRET: node.keys.primary.apiSecret };
  // Sequential and asynchronous: the node runs in this process, so a blocking exec would deadlock it.
  const run = promisify(execFile);
  const outputs: string[] = [];
  for (const cmd of commands) outputs.push((await run("sh", ["-c", cmd], { env, encoding: "utf8" })).stdout);
  // The create example made the room the later ones read; the token example minted a token for it.
  assert.equal(JSON.parse(outputs[0]!).name, "court-7");
  assert.match(JSON.parse(outputs.find((o) => o.includes('"token"'))!).token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(node.rooms.get("court-7"), undefined, "the last example deleted the room");
});
