import assert from "node:assert/strict";
import { test } from "node:test";
import { rtpHeaderLength } from "../media/rtp/packet.js";
import { LatencyHistogram } from "./latency.js";
import { ReceiveStream } from "./receive-stream.js";
import { SimulcastVideo } from "./simulcast-source.js";
import { syntheticSimulcast } from "./test-clips.js";

/**
 * Plays the SFU's part: forwards one layer at a time, switching at a keyframe of the
 * new layer, with sequence numbers continuous and timestamps offset as a munger does.
 */
test("a simulcast subscriber tells layers apart by keyframe width, counts switches, and keeps latency matched across them", () => {
  const track = new SimulcastVideo(syntheticSimulcast(), "v0");
  const latency = new LatencyHistogram();
  const stream = new ReceiveStream({
    kind: "video",
    ssrc: 1,
    rtxSsrc: null,
    source: null,
    layers: track.layers.map((l, i) => ({ ...track.announced[i], log: l.log })),
    latency,
    nack: () => assert.fail("no gap expected"),
  });
  let outSeq = 5000;
  let outTsBase = 90_000;
  let current = -1;
  let target = 0;
  let tsOffset = 0;
  const plan = [
    { until: 35, layer: 0 },
    { until: 70, layer: 2 },
    { until: 100, layer: 1 },
  ];
  for (let frame = 0; frame < 100; frame++) {
    target = plan.find((p) => frame < p.until)!.layer;
    if (frame === 35 || frame === 70) track.layers[target].requestKeyframe();
    const sent: Buffer[] = [];
    track.produceFrame();
    track.drain((p) => sent.push(Buffer.from(p)), Number.POSITIVE_INFINITY);
    const mine = sent.filter((p) => p.readUInt32BE(8) === track.layers[target].ssrc);
    const at = rtpHeaderLength(mine[0], mine[0].length);
    if (current !== target && (mine[0][at + 4] & 0x01) === 0) {
      current = target;
      tsOffset = (outTsBase - mine[0].readUInt32BE(4)) >>> 0;
    }
    if (current !== target) continue;
    for (const p of mine) {
      p.writeUInt16BE(outSeq++ & 0xffff, 2);
      p.writeUInt32BE((p.readUInt32BE(4) + tsOffset) >>> 0, 4);
      const hl = rtpHeaderLength(p, p.length);
      stream.receive(p, p.readUInt16BE(2), hl, p.length, performance.now() + 1, false);
    }
    outTsBase = (outTsBase + 3000) >>> 0;
  }
  assert.equal(stream.switches, 2, "q → f → h");
  assert.equal(stream.layerWidth, 640);
  assert.equal(stream.expected, stream.received, "no loss");
  // The clip's keyframes (every 30 frames) at frames 0, 30 and 65 (a switch jumps the clip to its next one), the switches at 35 and 70.
  assert.equal(stream.keyframes, 5);
  assert.equal(stream.latencyMisses, 0, "every packet matched to its layer's send log");
  assert.equal(latency.count, stream.received);
});
