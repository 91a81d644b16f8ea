/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeChatMessage, encodeChatMessage } from "./chat-panel.js";

test("chat payloads are UTF-8 JSON {text}; anything else is ignored", () => {
  assert.equal(decodeChatMessage(encodeChatMessage("héllo <b>")), "héllo <b>");
  assert.equal(new TextDecoder().decode(encodeChatMessage("hi")), '{"text":"hi"}');
  for (const bad of ["not json", "null", "42", '{"text":5}', '{"text":"   "}', "{}"]) {
    assert.equal(decodeChatMessage(new TextEncoder().encode(bad)), null, bad);
  }
  assert.equal(decodeChatMessage(encodeChatMessage("x".repeat(5000)))?.length, 2000);
});
