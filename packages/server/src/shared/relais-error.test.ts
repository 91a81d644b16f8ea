import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCatalogue } from "@relais/protocol";
import { RelaisError, toRelaisError } from "./relais-error.js";

describe("RelaisError", () => {
  it("takes status and default message from the catalogue", () => {
    const e = new RelaisError("TOKEN_EXPIRED");
    assert.ok(e instanceof Error);
    assert.equal(e.name, "RelaisError");
    assert.equal(e.code, "TOKEN_EXPIRED");
    assert.equal(e.status, 401);
    assert.equal(e.message, ErrorCatalogue.TOKEN_EXPIRED.message);
    assert.equal(e.details, undefined);
    assert.deepEqual(e.toBody(), { code: "TOKEN_EXPIRED", message: ErrorCatalogue.TOKEN_EXPIRED.message });
    assert.equal("details" in e.toBody(), false);
  });

  it("a custom message and details", () => {
    const e = new RelaisError("PERMISSION_DENIED", "The token does not grant publishing screen_share.", { source: "screen_share" });
    assert.equal(e.status, 403);
    assert.deepEqual(e.toBody(), {
      code: "PERMISSION_DENIED",
      message: "The token does not grant publishing screen_share.",
      details: { source: "screen_share" },
    });
  });

  it("every catalogue code has a status and a message", () => {
    for (const [code, entry] of Object.entries(ErrorCatalogue)) {
      const e = new RelaisError(code as keyof typeof ErrorCatalogue);
      assert.equal(e.status, entry.status);
      assert.ok(e.status >= 400 && e.status < 600, code);
      assert.ok(e.message.length > 0, code);
    }
  });
});

describe("toRelaisError", () => {
  it("keeps a RelaisError as it is", () => {
    const e = new RelaisError("SDP_INVALID", "Invalid SDP: missing v= line");
    assert.equal(toRelaisError(e), e);
  });

  it("anything else becomes INTERNAL without leaking its message", () => {
    for (const thrown of [new Error("ENOENT: /var/lib/relais/keys.json, secret=abc"), "boom", undefined, { code: "TOKEN_INVALID" }]) {
      const e = toRelaisError(thrown);
      assert.equal(e.code, "INTERNAL");
      assert.equal(e.status, 500);
      assert.equal(e.message, ErrorCatalogue.INTERNAL.message);
      assert.doesNotMatch(JSON.stringify(e.toBody()), /secret|ENOENT/);
    }
  });
});
