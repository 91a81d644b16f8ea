import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LinkSimulator } from "./link-simulator.js";
import { SendSideBwe } from "./send-side-bwe.js";
import { TwccRecorder } from "./twcc-recorder.js";

// Closed loop: a paced sender at the estimate → LinkSimulator → TwccRecorder (real FMT=15
// packets every 100 ms) → back after the propagation delay → SendSideBwe. Everything but the
// thresholds in the assertions is computed by the code under test.

interface LoopOptions {
  link: LinkSimulator;
  durationMs: number;
  /** What the allocator would like to send (media is sent at min(wanted, estimate)). */
  wantedBps: number;
  startBps?: number;
  /** Called every ms before sending, to change the link. */
  script?: (t: number, link: LinkSimulator) => void;
}

interface LoopResult {
  bwe: SendSideBwe;
  /** Estimate every 100 ms, index = t / 100. */
  estimates: number[];
  queueDelays: number[];
  /** Highest loss fraction reported after the first 2 s. */
  maxLossFraction: number;
  probeClusters: number;
}

const MEDIA_PACKET = 1200;
const PROBE_PACKET = 1000;

function runLoop(o: LoopOptions): LoopResult {
  const bwe = new SendSideBwe({ startBps: o.startBps ?? 300_000, maxBps: 10_000_000 });
  const recorder = new TwccRecorder({ senderSsrc: 0x1234 });
  const reverseMs = 25;
  const inFlight: { arrivalMs: number; seq: number }[] = [];
  const feedback: { atMs: number; packet: Buffer }[] = [];
  const scratch = Buffer.alloc(1200);
  const estimates: number[] = [];
  const queueDelays: number[] = [];
  let seq = 0;
  let budget = 0;
  let probe: { id: number; left: number; nextMs: number; intervalMs: number } | null = null;
  let probeClusters = 0;
  let maxLossFraction = 0;
  const send = (t: number, size: number, cluster: number): void => {
    const s = seq++ & 0xffff;
    bwe.onPacketSent(s, t, size, cluster);
    const arrivalMs = o.link.send(t, size);
    if (!Number.isNaN(arrivalMs)) inFlight.push({ arrivalMs, seq: s });
  };
  for (let t = 0; t < o.durationMs; t++) {
    o.script?.(t, o.link);
    // Receiver: record arrivals up to now, in arrival order.
    inFlight.sort((a, b) => a.arrivalMs - b.arrivalMs);
    while (inFlight.length > 0 && inFlight[0].arrivalMs <= t) {
      const p = inFlight.shift()!;
      recorder.record(p.seq, p.arrivalMs, 0xabcd);
    }
    if (t % 100 === 0) {
      for (let n = recorder.writeFeedback(scratch, 0); n > 0; n = recorder.writeFeedback(scratch, 0)) {
        feedback.push({ atMs: t + reverseMs, packet: Buffer.from(scratch.subarray(0, n)) });
      }
    }
    while (feedback.length > 0 && feedback[0].atMs <= t) {
      const f = feedback.shift()!;
      assert.ok(bwe.onTransportFeedbackPacket(f.packet, 0, f.packet.length, t));
    }
    // Sender: pace media every 5 ms, probes as scheduled.
    if (t % 5 === 0) {
      budget = Math.min(budget + (Math.min(o.wantedBps, bwe.estimateBps) * 5) / 8000, 3 * MEDIA_PACKET);
      while (budget >= MEDIA_PACKET) {
        send(t, MEDIA_PACKET, -1);
        budget -= MEDIA_PACKET;
      }
    }
    if (probe === null && t % 25 === 0) {
      const c = bwe.takeProbe(t, o.wantedBps);
      if (c !== null) {
        const packets = Math.max(c.minPackets, Math.ceil(c.bytes / PROBE_PACKET));
        probe = { id: c.id, left: packets, nextMs: t, intervalMs: c.durationMs / packets };
        probeClusters++;
      }
    }
    while (probe !== null && probe.nextMs < t + 1) {
      send(probe.nextMs, PROBE_PACKET, probe.id);
      probe.nextMs += probe.intervalMs;
      if (--probe.left === 0) probe = null;
    }
    if (t % 100 === 0) {
      estimates.push(bwe.estimateBps);
      queueDelays.push(o.link.queueDelayMs(t));
      if (t >= 2000) maxLossFraction = Math.max(maxLossFraction, bwe.lossFraction);
    }
  }
  return { bwe, estimates, queueDelays, maxLossFraction, probeClusters };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const at = (r: LoopResult, ms: number): number => r.estimates[Math.floor(ms / 100)];
const window = (r: LoopResult, fromMs: number, toMs: number): number[] => r.estimates.slice(fromMs / 100, toMs / 100);
const firstTimeAbove = (r: LoopResult, bps: number, fromMs = 0): number => {
  for (let i = fromMs / 100; i < r.estimates.length; i++) if (r.estimates[i] >= bps) return i * 100;
  return Number.POSITIVE_INFINITY;
};

describe("SendSideBwe over a simulated bottleneck", () => {
  it("steady link: converges near capacity within 5 s and keeps the queue short", () => {
    const capacity = 2_500_000;
    const link = new LinkSimulator({ capacityBps: capacity, propagationMs: 25 });
    const r = runLoop({ link, durationMs: 30_000, wantedBps: 4_000_000 });
    assert.ok(firstTimeAbove(r, 0.7 * capacity) <= 5000, `reached 70 % at ${firstTimeAbove(r, 0.7 * capacity)} ms`);
    const late = window(r, 10_000, 30_000);
    const m = mean(late);
    assert.ok(m >= 0.7 * capacity && m <= 1.15 * capacity, `mean estimate ${m}`);
    assert.ok(Math.min(...late) >= 0.5 * capacity, `min estimate ${Math.min(...late)}`);
    assert.ok(mean(r.queueDelays.slice(100)) < 100, `mean queue delay ${mean(r.queueDelays.slice(100))} ms`);
    assert.ok(link.dropped / (r.estimates.length * 25) < 0.02, `dropped ${link.dropped}`);
    assert.ok(r.bwe.lossFraction < 0.02);
    assert.ok(r.bwe.rttMs >= 50 && r.bwe.rttMs < 400, `rtt ${r.bwe.rttMs}`);
  });

  it("capacity drop: falls within 2 s, then recovers when capacity returns", () => {
    const high = 2_500_000;
    const low = 800_000;
    const link = new LinkSimulator({ capacityBps: high, propagationMs: 25 });
    const r = runLoop({
      link,
      durationMs: 60_000,
      wantedBps: 4_000_000,
      script: (t, l) => {
        if (t === 20_000) l.capacityBps = low;
        if (t === 35_000) l.capacityBps = high;
      },
    });
    assert.ok(at(r, 19_900) >= 0.7 * high, `before the drop ${at(r, 19_900)}`);
    const fellBy = firstTimeAbove({ ...r, estimates: r.estimates.map((e) => -e) }, -1.2 * low, 20_000) - 20_000;
    assert.ok(fellBy <= 2000, `estimate fell under 1.2 × the new capacity after ${fellBy} ms`);
    const during = window(r, 25_000, 35_000);
    assert.ok(mean(during) >= 0.5 * low && mean(during) <= 1.2 * low, `mean while low ${mean(during)}`);
    const recoveredBy = firstTimeAbove(r, 0.7 * high, 35_000) - 35_000;
    assert.ok(recoveredBy <= 10_000, `recovered to 70 % after ${recoveredBy} ms`);
  });

  it("5 % random loss: the loss controller holds instead of collapsing", () => {
    const capacity = 2_500_000;
    const link = new LinkSimulator({ capacityBps: capacity, propagationMs: 25, seed: 7 });
    const r = runLoop({
      link,
      durationMs: 40_000,
      wantedBps: 4_000_000,
      script: (t, l) => {
        if (t === 10_000) l.lossRate = 0.05;
      },
    });
    const lossy = window(r, 15_000, 40_000);
    assert.ok(Math.min(...lossy) >= 0.55 * capacity, `min estimate under loss ${Math.min(...lossy)}`);
    assert.ok(r.bwe.lossFraction > 0.01 && r.bwe.lossFraction < 0.12, `loss fraction ${r.bwe.lossFraction}`);
  });

  it("30 % loss: the loss controller cuts the rate", () => {
    const capacity = 2_500_000;
    const link = new LinkSimulator({ capacityBps: capacity, propagationMs: 25, seed: 3 });
    const r = runLoop({
      link,
      durationMs: 20_000,
      wantedBps: 4_000_000,
      script: (t, l) => {
        if (t === 10_000) l.lossRate = 0.3;
      },
    });
    assert.ok(at(r, 9_900) >= 0.7 * capacity);
    assert.ok(at(r, 13_000) < 0.5 * capacity, `estimate 3 s into heavy loss ${at(r, 13_000)}`);
    // One loss report covers ~20+ packets: at 30 % loss its reading varies by ±0.1.
    assert.ok(r.bwe.lossFraction > 0.1, `loss fraction ${r.bwe.lossFraction}`);
  });

  it("reordering: no phantom loss, still converges", () => {
    const capacity = 2_500_000;
    // 10 % of packets arrive 30 ms late, after later ones; some are reported lost first.
    const link = new LinkSimulator({ capacityBps: capacity, propagationMs: 25, reorderRate: 0.1, reorderDelayMs: 30, seed: 11 });
    const r = runLoop({ link, durationMs: 20_000, wantedBps: 4_000_000 });
    assert.ok(mean(window(r, 10_000, 20_000)) >= 0.65 * capacity, `mean estimate ${mean(window(r, 10_000, 20_000))}`);
    assert.equal(link.dropped + link.lostRandomly, 0);
    assert.equal(r.maxLossFraction, 0, `loss fraction up to ${r.maxLossFraction}`);
  });

  it("probing: ramps from 300 kbps to a 5 Mbit/s link in about a second, not without a probe", () => {
    const capacity = 5_000_000;
    const probed = runLoop({
      link: new LinkSimulator({ capacityBps: capacity, propagationMs: 25 }),
      durationMs: 3000,
      wantedBps: 6_000_000,
    });
    assert.ok(probed.probeClusters >= 2);
    assert.ok(at(probed, 1500) >= 0.5 * capacity, `estimate at 1.5 s ${at(probed, 1500)}`);
    assert.ok(at(probed, 2900) <= 1.2 * capacity);
    // An allocator that wants no more than the start rate triggers no probe.
    const idle = runLoop({ link: new LinkSimulator({ capacityBps: capacity, propagationMs: 25 }), durationMs: 3000, wantedBps: 200_000 });
    assert.equal(idle.probeClusters, 0);
  });

  it("ignores feedback for unknown sequence numbers and malformed packets", () => {
    const bwe = new SendSideBwe();
    assert.equal(bwe.onTransportFeedbackPacket(Buffer.alloc(8), 0, 8, 0), false);
    assert.equal(bwe.malformedFeedback, 1);
    const recorder = new TwccRecorder({ senderSsrc: 1 });
    for (let i = 0; i < 50; i++) recorder.record(1000 + i, i);
    const out = Buffer.alloc(1200);
    const n = recorder.writeFeedback(out, 0);
    assert.ok(n > 0);
    assert.ok(bwe.onTransportFeedbackPacket(out, 0, n, 100)); // nothing sent yet: no effect
    assert.equal(bwe.estimateBps, 300_000);
  });
});
