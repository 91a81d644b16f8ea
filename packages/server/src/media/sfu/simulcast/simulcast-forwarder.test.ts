import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rtpHeaderLength, rtpPayloadEnd, writeRtpHeader } from "../../rtp/packet.js";
import { isKeyframeStart, VideoCodec } from "./codec-keyframe.js";
import { ForwardDecision, SimulcastForwarder, type SimulcastForwarderOptions } from "./simulcast-forwarder.js";
import { parseVp8Descriptor, Vp8Descriptor } from "./vp8-descriptor.js";

const FRAME_MS = 33;
const FRAME_TICKS = 3000;

/** One simulcast encoding of a simulated VP8 publisher, with its own unrelated numbering. */
class Encoding {
  keyframePending = true;
  /** Every packet sent, by source sequence number (the producer's packet cache). */
  readonly cache = new Map<number, Buffer>();
  constructor(
    readonly layer: number,
    public seq: number,
    public ts: number,
    public pictureId: number,
    readonly pictureIdBits: 7 | 15,
    public tl0: number,
  ) {}

  /** The packets of the next frame: VP8 descriptor X S | I L T | PictureID | TL0PICIDX | TID=0 Y, then payload. */
  frame(packets = 3): Buffer[] {
    const key = this.keyframePending;
    this.keyframePending = false;
    const out: Buffer[] = [];
    for (let i = 0; i < packets; i++) {
      const buf = Buffer.alloc(40);
      let o = writeRtpHeader(buf, 0, {
        payloadType: 96,
        marker: i === packets - 1,
        sequence: this.seq,
        timestamp: this.ts,
        ssrc: 0x1000 + this.layer,
      });
      buf[o++] = i === 0 ? 0x90 : 0x80; // S only on the first packet
      buf[o++] = 0xe0; // I L T
      if (this.pictureIdBits === 15) {
        buf[o++] = 0x80 | (this.pictureId >> 8);
        buf[o++] = this.pictureId & 0xff;
      } else {
        buf[o++] = this.pictureId;
      }
      buf[o++] = this.tl0;
      buf[o++] = 0x20; // TID 0, Y
      buf[o++] = i === 0 && key ? 0x10 : 0x11; // VP8 payload header, P=0 on a key frame
      buf.fill(this.layer + 1, o, 30); // payload bytes
      const pkt = buf.subarray(0, 30);
      this.cache.set(this.seq, pkt);
      out.push(pkt);
      this.seq = (this.seq + 1) & 0xffff;
    }
    this.ts = (this.ts + FRAME_TICKS) >>> 0;
    this.pictureId = (this.pictureId + 1) & (this.pictureIdBits === 15 ? 0x7fff : 0x7f);
    this.tl0 = (this.tl0 + 1) & 0xff;
    return out;
  }
}

interface Sent {
  layer: number;
  seq: number;
  ts: number;
  pictureId: number;
  pictureIdBits: number;
  tl0: number;
  keyframe: boolean;
  bytes: Buffer;
}

/** What the Consumer will do: copy, ask the forwarder, write seq/ts and payload fields. */
class Subscriber {
  readonly sent: Sent[] = [];
  readonly requests: { layer: number; at: number }[] = [];
  readonly forwarder: SimulcastForwarder;
  nowMs = 0;
  constructor(
    readonly encodings: Encoding[],
    options: Partial<SimulcastForwarderOptions> = {},
  ) {
    this.forwarder = new SimulcastForwarder({
      codec: VideoCodec.VP8,
      clockRate: 90000,
      layers: encodings.length,
      requestKeyframe: (layer) => {
        this.requests.push({ layer, at: this.nowMs });
        encodings[layer]!.keyframePending = true;
      },
      ...options,
    });
  }

  receive(layer: number, packet: Buffer): number {
    const payloadOffset = rtpHeaderLength(packet, packet.length);
    const payloadEnd = rtpPayloadEnd(packet, packet.length);
    const key = isKeyframeStart(VideoCodec.VP8, packet, payloadOffset, payloadEnd);
    const decision = this.forwarder.onPacket(layer, packet, payloadOffset, payloadEnd, key, this.nowMs);
    if (decision === ForwardDecision.DROP) return decision;
    const out = Buffer.from(packet);
    out.writeUInt16BE(this.forwarder.outSequence, 2);
    out.writeUInt32BE(this.forwarder.outTimestamp, 4);
    this.forwarder.rewritePayload(out, payloadOffset);
    this.sent.push({ layer, ...describe_(out), keyframe: key, bytes: out });
    return decision;
  }

  /** Every encoding sends one frame, interleaved packet by packet; time advances one frame. */
  step(skipLayer = -1): void {
    const frames = this.encodings.map((e) => (e.layer === skipLayer ? [] : e.frame()));
    for (let i = 0; i < 3; i++) for (let l = 0; l < frames.length; l++) if (frames[l]![i]) this.receive(l, frames[l]![i]!);
    this.nowMs += FRAME_MS;
  }
}

function describe_(pkt: Buffer): Omit<Sent, "layer" | "keyframe" | "bytes"> {
  const d = new Vp8Descriptor();
  assert.equal(parseVp8Descriptor(pkt, 12, pkt.length, d), true);
  return { seq: pkt.readUInt16BE(2), ts: pkt.readUInt32BE(4), pictureId: d.pictureId, pictureIdBits: d.pictureIdBits, tl0: d.tl0PicIdx };
}

/** What a decoder needs: +1 sequence numbers, one timestamp and picture id per frame, both moving forward. */
function assertContinuous(sent: Sent[]): void {
  for (let i = 1; i < sent.length; i++) {
    const a = sent[i - 1]!;
    const b = sent[i]!;
    const at = `packet ${i} (layer ${a.layer}→${b.layer})`;
    assert.equal(b.seq, (a.seq + 1) & 0xffff, `seq ${at}`);
    const sameFrame = b.ts === a.ts;
    // A 7-bit PictureID only carries the low 7 bits of the running count.
    const mask = a.pictureIdBits === 15 && b.pictureIdBits === 15 ? 0x7fff : 0x7f;
    if (sameFrame) {
      assert.equal(b.pictureId, a.pictureId, `picture id within a frame, ${at}`);
      assert.equal(b.tl0, a.tl0, `tl0 within a frame, ${at}`);
    } else {
      const dts = (b.ts - a.ts) >>> 0;
      assert.ok(dts > 0 && dts < 0x80000000, `timestamp moves forward, ${at}`);
      assert.equal((b.pictureId - a.pictureId) & mask, 1, `picture id +1, ${at}`);
      assert.equal((b.tl0 - a.tl0) & 0xff, 1, `tl0picidx +1, ${at}`);
    }
    if (a.layer !== b.layer) assert.ok(b.keyframe, `layer change only at a keyframe start, ${at}`);
  }
}

/** Three encodings whose numbering is about to wrap (seq, ts, 15-bit and 7-bit picture ids). */
function wrappingEncodings(): Encoding[] {
  return [
    new Encoding(0, 65530, 0xffff0000, 32760, 15, 250),
    new Encoding(1, 100, 12345, 120, 7, 3),
    new Encoding(2, 65000, 0xfffffff0, 5, 15, 0),
  ];
}

describe("SimulcastForwarder", () => {
  it("switches only at keyframes and keeps seq, ts, picture id and tl0picidx continuous across wraps", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    for (const e of sub.encodings) e.keyframePending = false;
    sub.encodings[0]!.keyframePending = true;
    fw.setTargetLayer(0, sub.nowMs);
    const layerAt: number[] = [];
    for (let frame = 0; frame < 120; frame++) {
      if (frame === 20) fw.setTargetLayer(2, sub.nowMs);
      if (frame === 50) fw.setTargetLayer(1, sub.nowMs);
      if (frame === 80) fw.setTargetLayer(2, sub.nowMs);
      sub.step();
      layerAt.push(fw.currentLayer);
    }
    assert.equal(layerAt[19], 0);
    assert.equal(layerAt[21], 2, "the requested keyframe arrived on the next frame");
    assert.equal(layerAt[51], 1);
    assert.equal(layerAt[119], 2);
    assert.equal(fw.switches, 4);
    assertContinuous(sub.sent);
    // Every frame arrives whole, except the old layer's last frame, which a switch may cut short.
    const cut = new Set<number>();
    for (let i = 1; i < sub.sent.length; i++) if (sub.sent[i]!.layer !== sub.sent[i - 1]!.layer) cut.add(sub.sent[i - 1]!.ts);
    const perFrame = new Map<number, number>();
    for (const s of sub.sent) perFrame.set(s.ts, (perFrame.get(s.ts) ?? 0) + 1);
    for (const [ts, n] of perFrame) assert.ok(n === 3 || (cut.has(ts) && n >= 1), `${n} packets of frame ts=${ts}`);
    assert.ok(perFrame.size >= 120);
    const seqs = sub.sent.map((s) => s.seq);
    assert.ok(seqs.includes(65535) && seqs.includes(0), "outgoing sequence numbers wrapped");
    assert.ok(
      sub.sent.some((s, i) => i > 0 && s.ts < sub.sent[i - 1]!.ts),
      "outgoing timestamps wrapped",
    );
    assert.ok(
      sub.sent.some((s) => s.layer === 1 && s.pictureIdBits === 7),
      "the 7-bit layer stayed 7 bits wide",
    );
    // The keyframe's timestamp follows the last frame by the wall time between them: one frame
    // interval, or the minimal step when the cut frame was received at the same instant.
    for (let i = 1; i < sub.sent.length; i++) {
      const prev = sub.sent[i - 1]!;
      if (sub.sent[i]!.layer === prev.layer) continue;
      const expected = perFrame.get(prev.ts) === 3 ? FRAME_MS * 90 : 1;
      assert.equal((sub.sent[i]!.ts - prev.ts) >>> 0, expected);
    }
  });

  it("keeps forwarding the current layer until the target's keyframe, asking for it at most every 500 ms", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(0, 0);
    sub.step();
    // The publisher ignores keyframe requests on layer 2 for a while.
    sub.encodings[2]!.keyframePending = false;
    fw.setTargetLayer(2, sub.nowMs);
    for (let frame = 0; frame < 60; frame++) {
      sub.encodings[2]!.keyframePending = false;
      sub.step();
      assert.equal(fw.currentLayer, 0);
    }
    const onLayer2 = sub.requests.filter((r) => r.layer === 2).map((r) => r.at);
    assert.ok(onLayer2.length >= 3, `asked again while waiting (${onLayer2.length})`);
    for (let i = 1; i < onLayer2.length; i++) assert.ok(onLayer2[i]! - onLayer2[i - 1]! >= 500, "throttled");
    sub.encodings[2]!.keyframePending = true; // now it answers
    sub.step();
    assert.equal(fw.currentLayer, 2);
    assertContinuous(sub.sent);
  });

  it("takes a keyframe of an intermediate layer on the way, never one beyond the target", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(0, 0);
    sub.step();
    fw.setTargetLayer(1, sub.nowMs);
    sub.encodings[1]!.keyframePending = false;
    sub.encodings[2]!.keyframePending = true; // beyond the target
    sub.step();
    assert.equal(fw.currentLayer, 0);
    fw.setTargetLayer(2, sub.nowMs);
    sub.encodings[1]!.keyframePending = true;
    sub.encodings[2]!.keyframePending = false;
    sub.step();
    assert.equal(fw.currentLayer, 1, "layer 1 is on the way from 0 to 2");
    assert.equal(fw.targetLayer, 2);
    sub.encodings[2]!.keyframePending = true;
    sub.step();
    assert.equal(fw.currentLayer, 2);
    assertContinuous(sub.sent);
  });

  it("starts on a keyframe of any layer up to the target", () => {
    const sub = new Subscriber(wrappingEncodings());
    for (const e of sub.encodings) e.keyframePending = false;
    sub.encodings[0]!.keyframePending = true;
    sub.forwarder.setTargetLayer(2, 0);
    sub.encodings[2]!.keyframePending = false; // its answer is late
    sub.step();
    assert.equal(sub.forwarder.currentLayer, 0);
    assert.equal(sub.sent[0]!.keyframe, true);
  });

  it("maps a late packet of the current layer into its gap", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(0, 0);
    sub.step();
    const [a, b, c] = sub.encodings[0]!.frame();
    sub.receive(0, a!);
    sub.receive(0, c!);
    sub.receive(0, b!);
    const last3 = sub.sent.slice(-3);
    assert.deepEqual(
      last3.map((s) => s.seq),
      [(sub.sent[2]!.seq + 1) & 0xffff, (sub.sent[2]!.seq + 3) & 0xffff, (sub.sent[2]!.seq + 2) & 0xffff],
    );
    assert.equal(fw.munger.lastSequence, (sub.sent[2]!.seq + 3) & 0xffff);
  });

  it("drops padding-only packets without leaving a gap", () => {
    const sub = new Subscriber(wrappingEncodings());
    sub.forwarder.setTargetLayer(0, 0);
    sub.step();
    const enc = sub.encodings[0]!;
    const pad = Buffer.alloc(12 + 20);
    writeRtpHeader(pad, 0, { payloadType: 96, marker: false, sequence: enc.seq, timestamp: enc.ts, ssrc: 0x1000 });
    pad[0]! |= 0x20;
    pad[pad.length - 1] = 20;
    enc.seq = (enc.seq + 1) & 0xffff;
    assert.equal(sub.receive(0, pad), ForwardDecision.DROP);
    sub.step();
    assertContinuous(sub.sent);
  });

  it("pauses at once and resumes at a keyframe with continuous numbering", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(1, 0);
    sub.step();
    fw.setTargetLayer(-1, sub.nowMs);
    const before = sub.sent.length;
    for (let i = 0; i < 30; i++) sub.step();
    assert.equal(sub.sent.length, before, "nothing forwarded while paused");
    assert.equal(fw.currentLayer, -1);
    fw.setTargetLayer(1, sub.nowMs);
    sub.step();
    assert.equal(fw.currentLayer, 1);
    assertContinuous(sub.sent);
    const gap = (sub.sent[before]!.ts - sub.sent[before - 1]!.ts) >>> 0;
    assert.equal(gap, 31 * FRAME_MS * 90, "the timestamp advanced by the paused time");
  });

  it("falls back to a live layer when the target stops", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(2, 0);
    sub.step();
    assert.equal(fw.currentLayer, 2);
    for (let i = 0; i < 40; i++) {
      sub.step(2); // the publisher stopped layer 2 (e.g. its CPU adaptation)
      fw.tick(sub.nowMs);
    }
    assert.equal(fw.targetLayer, 1);
    assert.equal(fw.currentLayer, 1);
    assertContinuous(sub.sent);
  });

  it("answers NACKs with the source packet and the numbering it was sent with", () => {
    const sub = new Subscriber(wrappingEncodings());
    const fw = sub.forwarder;
    fw.setTargetLayer(0, 0);
    for (let i = 0; i < 5; i++) sub.step();
    fw.setTargetLayer(1, sub.nowMs);
    for (let i = 0; i < 5; i++) sub.step();
    assert.equal(fw.currentLayer, 1);
    for (const original of [sub.sent[4]!, sub.sent[sub.sent.length - 2]!]) {
      assert.equal(fw.prepareRetransmission(original.seq), true);
      const layer = fw.munger.lookupLayer;
      assert.equal(layer, original.layer);
      const cached = sub.encodings[layer]!.cache.get(fw.munger.lookupSequence)!;
      const out = Buffer.from(cached);
      out.writeUInt16BE(original.seq, 2);
      out.writeUInt32BE((cached.readUInt32BE(4) + fw.munger.lookupTimestampOffset) >>> 0, 4);
      assert.equal(fw.rewriteRetransmissionPayload(out, 12, out.length), true);
      assert.deepEqual(out, original.bytes, "identical to the packet first sent");
    }
    assert.equal(fw.prepareRetransmission((sub.sent.at(-1)!.seq + 1) & 0xffff), false);
  });

  it("leaves the payload alone for codecs without a descriptor to rewrite", () => {
    const fw = new SimulcastForwarder({ codec: VideoCodec.H264, clockRate: 90000, layers: 2, requestKeyframe: () => {} });
    fw.setTargetLayer(0, 0);
    const pkt = Buffer.alloc(16);
    writeRtpHeader(pkt, 0, { payloadType: 102, marker: true, sequence: 9, timestamp: 99, ssrc: 1 });
    pkt.set([0x65, 0x88, 0x80, 0x40], 12);
    assert.equal(fw.onPacket(1, pkt, 12, 16, true, 0), ForwardDecision.DROP, "layer 1 is above the target");
    assert.equal(fw.onPacket(0, pkt, 12, 16, true, 0), ForwardDecision.SWITCHED);
    const out = Buffer.from(pkt);
    fw.rewritePayload(out, 12);
    assert.deepEqual(out, pkt);
    assert.equal(fw.outSequence, 9);
    assert.equal(fw.onPacket(0, pkt, 12, 16, false, 0), ForwardDecision.DROP, "duplicate");
    assert.equal(fw.onPacket(5, pkt, 12, 16, true, 0), ForwardDecision.DROP, "unknown layer");
  });
});
