import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { loadNativeBinding } from "../srtp/native-binding.js";
import type { Tuple, TupleOwner } from "./tuple.js";
import { UdpEndpoint } from "./udp-endpoint.js";

test("arrival times are the kernel's: datagrams queued while the worker was busy keep their spacing", async () => {
  const arrivals: { at: number | undefined; readAt: number }[] = [];
  const owner: TupleOwner = {
    handlePacket: (_buf, _tuple, arrivalMs) => {
      arrivals.push({ at: arrivalMs, readAt: performance.now() });
    },
    handleTupleClosed: () => {},
  };
  let adopted = false;
  const ep = await UdpEndpoint.bind("127.0.0.1", 0, (_buf: Buffer, tuple: Tuple) => {
    tuple.adopt(owner);
    adopted = true;
  });
  try {
    // Another thread sends a first datagram (unowned: it makes the tuple ours), then five 10 ms
    // apart, counting them in shared memory; this thread stays busy until all five are sent.
    const sent = new Int32Array(new SharedArrayBuffer(4));
    const sender = new Worker(
      `const { workerData } = require("node:worker_threads");
       const dgram = require("node:dgram");
       const s = dgram.createSocket("udp4");
       const packet = Buffer.from([0, 1, 0, 0]);
       s.send(packet, ${ep.port}, "127.0.0.1", () => {
         setTimeout(() => {
           const timer = setInterval(() => {
             s.send(packet, ${ep.port}, "127.0.0.1", () => {
               if (Atomics.add(workerData, 0, 1) === 4) { clearInterval(timer); s.close(); }
             });
           }, 10);
         }, 50);
       });`,
      { eval: true, workerData: sent },
    );
    // Let the first datagram in (it adopts the tuple), then be busy while the five queue.
    while (!adopted) await new Promise((r) => setTimeout(r, 1));
    const deadline = performance.now() + 5_000;
    while (Atomics.load(sent, 0) < 5 && performance.now() < deadline) {
      // a worker busy with something else (a handshake, a garbage collection)
    }
    await new Promise((r) => sender.once("exit", r));
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    ep.close();
  }
  assert.equal(arrivals.length, 5, "the five owned datagrams");
  const readSpread = arrivals[4]!.readAt - arrivals[0]!.readAt;
  assert.ok(readSpread < 10, `they were read together, after the busy spell (${readSpread.toFixed(2)} ms)`);
  const native = process.platform === "linux" && loadNativeBinding()?.rxAgeUs !== undefined;
  assert.equal(ep.kernelTimestamps, native);
  if (!native) return;
  const at = arrivals.map((a) => a.at);
  assert.ok(
    at.every((t, i) => t !== undefined && t <= arrivals[i]!.readAt),
    "an arrival time, never after the read",
  );
  const spread = at[4]! - at[0]!;
  assert.ok(spread >= 25, `yet they keep the spacing they arrived with: ${spread.toFixed(1)} ms from first to last (sent 40 ms apart)`);
});
