import assert from "node:assert/strict";
import { test } from "node:test";
import { compactNtpFromUnixMs, dlsrFromMs } from "../rtcp/ntp.js";
import { newReportBlock } from "../rtcp/receiver-report.js";
import type { Consumer } from "./consumer.js";
import type { Producer } from "./producer.js";
import { ReceiveStats } from "./receive-stats.js";
import { type QualitySource, TransportQuality } from "./transport-quality.js";

/** A producer as TransportQuality reads it: its receive statistics and clock rate. */
function producer(): Producer {
  return { stats: new ReceiveStats(48_000), codec: { clockRate: 48_000 } } as unknown as Producer;
}

function source(producers: Producer[], consumers: Consumer[] = []): QualitySource & { packetsReceived: number } {
  return {
    connected: true,
    packetsReceived: 0,
    producers: new Map(producers.map((p, i) => [`p${i}`, p])),
    consumers: new Map(consumers.map((c, i) => [`c${i}`, c])),
  };
}

/** One second of 20 ms audio packets; every `dropEvery`-th one lost. */
function feed(p: Producer, from: number, dropEvery = 0): number {
  let seq = from;
  for (let i = 0; i < 50; i++, seq++) {
    if (dropEvery > 0 && i % dropEvery === 0) continue;
    p.stats.update(seq & 0xffff, seq * 960, seq * 20);
  }
  return seq;
}

test("upstream: no loss is excellent, 20% loss is poor", () => {
  const q = new TransportQuality();
  const p = producer();
  const t = source([p]);
  let seq = feed(p, 1000);
  t.packetsReceived = 50;
  assert.equal(q.sample(t, 1000), "excellent", "first sample: no interval yet, fresh link");
  seq = feed(p, seq);
  t.packetsReceived = 100;
  assert.equal(q.sample(t, 2000), "excellent");
  seq = feed(p, seq, 5);
  t.packetsReceived = 140;
  assert.equal(q.sample(t, 3000), "poor");
});

test("downstream: the subscriber's receiver reports and their RTT count", () => {
  const q = new TransportQuality();
  const consumer = { ssrc: 4242, codec: { clockRate: 90_000 } } as unknown as Consumer;
  const t = source([], [consumer]);
  const block = newReportBlock();
  block.ssrc = 4242;
  block.fractionLost = 64; // 25 %
  block.jitter = 900; // 10 ms at 90 kHz
  // Our SR went out 150 ms ago and the peer held it 50 ms: RTT 100 ms.
  block.lastSr = compactNtpFromUnixMs(Date.now() - 150);
  block.delaySinceLastSr = dlsrFromMs(50);
  q.onReportBlock(block, consumer, 1000);
  assert.ok(Math.abs(q.rttMs - 100) < 5, `rtt ${q.rttMs}`);
  t.packetsReceived = 1;
  assert.equal(q.sample(t, 1000), "poor");
  // A report about a stream we do not send is ignored for loss.
  const other = newReportBlock();
  other.ssrc = 1;
  other.fractionLost = 255;
  q.onReportBlock(other, undefined, 1100);
});

test("lost: a publisher whose packets stopped for a few seconds", () => {
  const q = new TransportQuality();
  const p = producer();
  const t = source([p]);
  const seq = feed(p, 1);
  t.packetsReceived = 50;
  q.sample(t, 1000);
  feed(p, seq);
  t.packetsReceived = 100;
  assert.equal(q.sample(t, 2000), "excellent");
  assert.equal(q.sample(t, 4000), "excellent", "2 s of silence is not lost yet");
  assert.equal(q.sample(t, 6500), "lost");
});
