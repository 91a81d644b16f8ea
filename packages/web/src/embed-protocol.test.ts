/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { eventTargetOrigin, isAllowedOrigin, parseEmbedCommand } from "./embed-protocol.js";

test("parses the five commands and ignores everything else", () => {
  assert.deepEqual(parseEmbedCommand({ type: "relais:join" }), { type: "relais:join" });
  assert.deepEqual(parseEmbedCommand({ type: "relais:mute", extra: 1 }), { type: "relais:mute" });
  assert.deepEqual(parseEmbedCommand({ type: "relais:camera", enabled: false }), { type: "relais:camera", enabled: false });
  assert.deepEqual(parseEmbedCommand({ type: "relais:camera", enabled: "yes" }), { type: "relais:camera" });
  assert.equal(parseEmbedCommand({ type: "relais:event", event: "joined" }), null, "our own events are not commands");
  assert.equal(parseEmbedCommand("relais:leave"), null);
  assert.equal(parseEmbedCommand(null), null);
});

test("accepts same-origin and the exact parentOrigin only", () => {
  const own = "https://meet.example.eu";
  assert.equal(isAllowedOrigin(own, own, null), true);
  assert.equal(isAllowedOrigin("https://intranet.example.eu", own, null), false, "no parentOrigin: none but same-origin");
  assert.equal(isAllowedOrigin("https://intranet.example.eu", own, "https://intranet.example.eu"), true);
  assert.equal(isAllowedOrigin("https://evil.example", own, "https://intranet.example.eu"), false);
  assert.equal(isAllowedOrigin("null", own, null), false);
  assert.equal(eventTargetOrigin(own, null), own);
  assert.equal(eventTargetOrigin(own, "https://intranet.example.eu"), "https://intranet.example.eu");
});
