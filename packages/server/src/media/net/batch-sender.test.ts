import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, it } from "node:test";
import { BatchSender } from "./batch-sender.js";

type Family = "udp4" | "udp6";

async function bound(type: Family, host: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket(type);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, host, () => resolve());
  });
  return socket;
}

/** Resolves with the first `count` datagrams the socket receives, or rejects after 2 s. */
function receive(socket: dgram.Socket, count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`received ${got.length} of ${count}`)), 2000);
    socket.on("message", (msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    });
  });
}

const payload = (tag: number, i: number, length: number) => Buffer.alloc(length, (tag * 31 + i) & 0xff).fill(i & 0xff, 0, 1);

// The native half runs unless RELAIS_NATIVE=0; a missing addon makes `native: true` throw, so it fails.
const modes = process.env.RELAIS_NATIVE === "0" ? [false] : [true, false];

for (const native of modes) {
  for (const [type, host] of [
    ["udp4", "127.0.0.1"],
    ["udp6", "::1"],
  ] as const) {
    describe(`BatchSender ${native ? "sendmmsg" : "socket.send fallback"} over ${host}`, () => {
      it("delivers every queued datagram to its own destination, in one flush", async () => {
        const sender = await bound(type, host);
        const a = await bound(type, host);
        const b = await bound(type, host);
        try {
          const batch = new BatchSender({ socket: sender, native, autoFlush: false, maxPackets: 64 });
          assert.equal(batch.native, native);
          const da = batch.destination(host, a.address().port);
          const db = batch.destination(host, b.address().port);
          const toA = Array.from({ length: 20 }, (_, i) => payload(1, i, 100 + i * 50));
          const toB = Array.from({ length: 20 }, (_, i) => payload(2, i, 1200 - i));
          const gotA = receive(a, toA.length);
          const gotB = receive(b, toB.length);
          for (let i = 0; i < 20; i++) {
            // Zero-copy path for A (reserve, write, commit), copying path for B.
            const at = batch.reserve(toA[i].length + 10);
            toA[i].copy(batch.arena, at);
            batch.commit(toA[i].length, da);
            batch.queue(toB[i], db);
          }
          assert.equal(batch.flush(), 40);
          assert.equal(batch.flush(), 0, "nothing left");
          const sort = (xs: Buffer[]) => xs.sort((x, y) => x[0] - y[0] || x.length - y.length);
          assert.deepEqual(sort(await gotA), toA);
          assert.deepEqual(sort(await gotB), toB);
          assert.deepEqual(batch.stats, { sent: 40, dropped: 0, errors: 0, flushes: 1, lastErrno: 0 });
        } finally {
          for (const s of [sender, a, b]) s.close();
        }
      });

      it("flushes early when the arena or packet table fills, and by itself after the tick", async () => {
        const sender = await bound(type, host);
        const a = await bound(type, host);
        try {
          const batch = new BatchSender({ socket: sender, native, maxPackets: 4, arenaSize: 2500 });
          const d = batch.destination(host, a.address().port);
          const sent = Array.from({ length: 11 }, (_, i) => payload(3, i, 600));
          const got = receive(a, sent.length);
          for (const p of sent) batch.queue(p, d);
          assert.ok(batch.stats.flushes >= 2, "reserve() flushed when 4 packets / 2500 bytes were reached");
          const received = await got; // the remainder went out in the autoFlush microtask
          assert.deepEqual(
            received.sort((x, y) => x[0] - y[0]),
            sent,
          );
          assert.equal(batch.stats.sent, 11);
        } finally {
          sender.close();
          a.close();
        }
      });
    });
  }

  describe(`BatchSender ${native ? "sendmmsg" : "fallback"} edge cases`, () => {
    it("drops instead of touching a closed socket's fd", async () => {
      const sender = await bound("udp4", "127.0.0.1");
      const batch = new BatchSender({ socket: sender, native, autoFlush: false });
      const d = batch.destination("127.0.0.1", 9);
      sender.close();
      batch.queue(Buffer.alloc(10), d);
      assert.equal(batch.flush(), 0);
      assert.equal(batch.stats.dropped, 1);
    });

    it("rejects non-numeric addresses and oversized packets", async () => {
      const sender = await bound("udp4", "127.0.0.1");
      try {
        const batch = new BatchSender({ socket: sender, native, autoFlush: false, arenaSize: 100 });
        assert.throws(() => batch.destination("localhost", 9), RangeError);
        assert.throws(() => batch.reserve(101), RangeError);
      } finally {
        sender.close();
      }
    });
  });
}

describe("BatchSender destinations", () => {
  // 200 > the addon's 128-message sendmmsg chunk, < what a default receive buffer holds.
  it("sends more datagrams than one sendmmsg chunk takes, in order", async () => {
    const sender = await bound("udp4", "127.0.0.1");
    const a = await bound("udp4", "127.0.0.1");
    try {
      const batch = new BatchSender({ socket: sender, autoFlush: false, maxPackets: 200 });
      const d = batch.destination("127.0.0.1", a.address().port);
      const got = receive(a, 200);
      for (let i = 0; i < 200; i++) batch.queue(Buffer.from(`packet ${i}`), d);
      assert.equal(batch.flush(), 200);
      assert.deepEqual(
        (await got).map(String),
        Array.from({ length: 200 }, (_, i) => `packet ${i}`),
      );
    } finally {
      sender.close();
      a.close();
    }
  });

  it("reaches an IPv4 receiver from a dual-stack IPv6 socket (v4-mapped sockaddr)", async () => {
    const sender = await bound("udp6", "::");
    const a = await bound("udp4", "127.0.0.1");
    try {
      const batch = new BatchSender({ socket: sender, autoFlush: false });
      const got = receive(a, 1);
      batch.queue(Buffer.from("mapped"), batch.destination("127.0.0.1", a.address().port));
      assert.equal(batch.flush(), 1);
      assert.deepEqual((await got).map(String), ["mapped"]);
    } finally {
      sender.close();
      a.close();
    }
  });
});

describe("BatchSender sendmmsg per-datagram errors", { skip: process.env.RELAIS_NATIVE === "0" }, () => {
  it("skips a datagram the kernel refuses and sends the ones after it", async () => {
    const sender = await bound("udp4", "127.0.0.1");
    const a = await bound("udp4", "127.0.0.1");
    try {
      const batch = new BatchSender({ socket: sender, native: true, autoFlush: false });
      const good = batch.destination("127.0.0.1", a.address().port);
      const wrongFamily = batch.destination("::1", a.address().port); // an IPv6 sockaddr on an IPv4 socket
      const got = receive(a, 2);
      batch.queue(Buffer.from("first"), good);
      batch.queue(Buffer.from("refused"), wrongFamily);
      batch.queue(Buffer.from("third"), good);
      assert.equal(batch.flush(), 2);
      assert.deepEqual((await got).map(String).sort(), ["first", "third"]);
      assert.equal(batch.stats.errors, 1);
      assert.notEqual(batch.stats.lastErrno, 0);
    } finally {
      sender.close();
      a.close();
    }
  });
});
