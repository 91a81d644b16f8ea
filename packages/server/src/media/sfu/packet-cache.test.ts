import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PacketCache } from "./packet-cache.js";

const pkt = (seq: number) => Buffer.from([0x80, 96, seq >> 8, seq & 0xff]);

/** Number of slots, observed: the smallest n for which storing n after 0 evicts 0. */
function capacity(cache: PacketCache): number {
  for (let n = 1; n <= 65536; n <<= 1) {
    cache.clear();
    cache.store(0, pkt(0), 0);
    cache.store(n, pkt(n), 0);
    if (!cache.has(0, 0)) return n;
  }
  return -1;
}

describe("PacketCache", () => {
  it("rounds its size up to a power of two (default 512)", () => {
    assert.equal(capacity(new PacketCache()), 512);
    assert.equal(capacity(new PacketCache(500)), 512);
    assert.equal(capacity(new PacketCache(512)), 512);
    assert.equal(capacity(new PacketCache(513)), 1024);
    assert.equal(capacity(new PacketCache(64)), 64);
    assert.equal(capacity(new PacketCache(1)), 1);
    assert.equal(capacity(new PacketCache(0)), 1);
  });

  it("store / get / has; get returns the stored buffer itself", () => {
    const c = new PacketCache(64);
    const p = pkt(1000);
    c.store(1000, p, 0);
    assert.equal(c.get(1000, 0), p);
    assert.equal(c.has(1000, 0), true);
    assert.equal(c.get(1001, 0), null);
    assert.equal(c.has(1001, 0), false);
  });

  it("an empty cache holds nothing, not even sequence 0", () => {
    const c = new PacketCache(64);
    for (const seq of [0, 1, 63, 64, 65535]) {
      assert.equal(c.has(seq, 0), false);
      assert.equal(c.get(seq, 0), null);
    }
  });

  it("a slot overwritten by a newer sequence returns null for the old one", () => {
    const c = new PacketCache(64);
    c.store(5, pkt(5), 0);
    c.store(6, pkt(6), 0);
    c.store(5 + 64, pkt(69), 0);
    assert.equal(c.get(5, 0), null);
    assert.equal(c.has(5, 0), false);
    assert.deepEqual(c.get(69, 0), pkt(69));
    assert.deepEqual(c.get(6, 0), pkt(6), "other slots are untouched");
  });

  it("keeps the last N packets across the 65535 → 0 wrap", () => {
    const c = new PacketCache(64);
    const seqs = Array.from({ length: 64 }, (_, i) => (65500 + i) & 0xffff); // 65500..65535, 0..27
    for (const s of seqs) c.store(s, pkt(s), 0);
    for (const s of seqs) assert.deepEqual(c.get(s, 0), pkt(s), String(s));
    c.store(28, pkt(28), 0); // the 65th packet evicts the oldest (65500, same slot)
    assert.equal(c.get(65500, 0), null);
    assert.deepEqual(c.get(28, 0), pkt(28));
    assert.deepEqual(c.get(65535, 0), pkt(65535));
    assert.deepEqual(c.get(0, 0), pkt(0));
  });

  it("clear() forgets everything", () => {
    const c = new PacketCache(64);
    for (let s = 0; s < 64; s++) c.store(s, pkt(s), 0);
    c.clear();
    for (let s = 0; s < 64; s++) assert.equal(c.get(s, 0), null);
  });
});

describe("PacketCache sized by time", () => {
  it("forgets packets older than maxAgeMs: too late to be worth a retransmission", () => {
    const c = new PacketCache(64, 1000);
    const p = Buffer.from([1]);
    c.store(7, p, 10_000);
    assert.equal(c.get(7, 10_999), p);
    assert.equal(c.has(7, 11_000), true);
    assert.equal(c.get(7, 11_001), null);
    assert.equal(c.has(7, 11_001), false);
  });
});
