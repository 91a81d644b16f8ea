/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import * as protocol from "@relais/protocol";
import { canPublishSource, resolveGrants, WS_CLOSE } from "./protocol-constants.js";

test("close codes match the protocol's WsCloseCode", () => {
  assert.deepEqual(WS_CLOSE, protocol.WsCloseCode);
});

test("grant resolution matches the protocol's", () => {
  const cases = [undefined, {}, { publish: false }, { sources: ["microphone" as const] }, { admin: true, subscribe: false }];
  for (const grants of cases) {
    assert.deepEqual(resolveGrants(grants), protocol.resolveGrants(grants));
    for (const source of ["camera", "microphone", "screen_share", "screen_share_audio"] as const) {
      assert.equal(canPublishSource(resolveGrants(grants), source), protocol.canPublishSource(protocol.resolveGrants(grants), source));
    }
  }
});
