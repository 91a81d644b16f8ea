import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newIceCredentials, newSid, newSsrc } from "./ids.js";

/** ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

describe("newSid", () => {
  it("prefix, underscore and 12 characters of an unambiguous alphabet", () => {
    for (let i = 0; i < 200; i++) {
      const sid = newSid("RM");
      assert.match(sid, /^RM_[0-9A-Za-z]{12}$/);
      assert.doesNotMatch(sid.slice(3), /[ILOUlu]/, "no look-alike characters");
    }
  });

  it("custom length, and unique", () => {
    assert.match(newSid("PA", 20), /^PA_[0-9A-Za-z]{20}$/);
    const seen = new Set(Array.from({ length: 1000 }, () => newSid("TR")));
    assert.equal(seen.size, 1000);
  });
});

describe("newIceCredentials", () => {
  it("ufrag ≥ 4 and pwd ≥ 22 ice-chars, at most 256 (RFC 8839 §5.4)", () => {
    for (let i = 0; i < 500; i++) {
      const { ufrag, pwd } = newIceCredentials();
      assert.ok(ufrag.length >= 4 && ufrag.length <= 256, ufrag);
      assert.ok(pwd.length >= 22 && pwd.length <= 256, pwd);
      assert.match(ufrag, ICE_CHARS);
      assert.match(pwd, ICE_CHARS);
    }
  });

  it("random per call", () => {
    const a = newIceCredentials();
    const b = newIceCredentials();
    assert.notEqual(a.ufrag, b.ufrag);
    assert.notEqual(a.pwd, b.pwd);
  });
});

describe("newSsrc", () => {
  it("a non-zero 32-bit integer", () => {
    for (let i = 0; i < 1000; i++) {
      const s = newSsrc();
      assert.ok(Number.isInteger(s) && s >= 1 && s <= 0xffffffff, String(s));
    }
  });

  it("draws again while the candidate is taken", () => {
    const candidates: number[] = [];
    // A set that reports the first three candidates as taken.
    const taken = {
      has(s: number) {
        candidates.push(s);
        return candidates.length <= 3;
      },
    } as unknown as Set<number>;
    const s = newSsrc(taken);
    assert.equal(candidates.length, 4);
    assert.equal(s, candidates[3]);
    assert.ok(candidates.every((c) => c !== 0));
  });

  it("never returns a taken SSRC", () => {
    const taken = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const s = newSsrc(taken);
      assert.equal(taken.has(s), false);
      taken.add(s);
    }
    assert.equal(taken.size, 2000);
  });
});
