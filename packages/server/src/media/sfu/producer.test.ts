import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import {
  extensionLength,
  extensionOffset,
  findExtension,
  hasPadding,
  readMarker,
  readPayloadType,
  readSequence,
  readSsrc,
  readTimestamp,
  rtpHeaderLength,
  writeExtensionFlag,
  writeOneByteExtensions,
  writeRtpHeader,
} from "../rtp/packet.js";
import { Consumer } from "./consumer.js";
import { Producer, type ProducerSink } from "./producer.js";

const SSRC = 0x0abc0001;
const RTX_SSRC = 0x0abc0002;
const VP8: CodecParameters = { mimeType: "video/VP8", payloadType: 96, clockRate: 90000, rtxPayloadType: 97 };
const OPUS: CodecParameters = { mimeType: "audio/opus", payloadType: 111, clockRate: 48000, rtxPayloadType: null };
const EXT: ExtensionIdMap = { mid: 4, audioLevel: 0, absSendTime: 2, transportCc: 3 };
const PAYLOAD = Buffer.from("frame-bytes");

/** One media packet of the publisher, with a mid extension ("1", id 4). */
function media(seq: number, o: { ts?: number; marker?: boolean; padding?: number } = {}): Buffer {
  const out = Buffer.alloc(1500);
  let n = writeRtpHeader(out, 0, { payloadType: 96, marker: o.marker ?? false, sequence: seq, timestamp: o.ts ?? 3000, ssrc: SSRC });
  n += writeOneByteExtensions(out, n, [{ id: 4, data: Buffer.from("1") }]);
  writeExtensionFlag(out, 0, true);
  n += PAYLOAD.copy(out, n);
  if (o.padding) {
    out[0] |= 0x20;
    n += o.padding;
    out[n - 1] = o.padding;
  }
  return Buffer.from(out.subarray(0, n));
}

/** The RTX packet (RFC 4588) the publisher sends for `original`: RTX PT/SSRC/sequence, OSN, payload. */
function rtxOf(original: Buffer, rtxSeq: number): Buffer {
  const hl = rtpHeaderLength(original, original.length);
  const out = Buffer.concat([original.subarray(0, hl), original.subarray(2, 4), original.subarray(hl)]);
  out[1] = (out[1]! & 0x80) | 97;
  out.writeUInt16BE(rtxSeq, 2);
  out.writeUInt32BE(RTX_SSRC, 8);
  return out;
}

class FakeRtcp implements ProducerSink {
  readonly calls: { kind: string; sequences?: number[] }[] = [];
  sendRtcpToPublisher(kind: "pli" | "nack" | "rr", _p: Producer, sequences?: number[]): void {
    this.calls.push(sequences ? { kind, sequences: [...sequences] } : { kind });
  }
}

function setup(kind: "audio" | "video" = "video") {
  const rtcp = new FakeRtcp();
  const producer = new Producer("PR", kind, "1", SSRC, kind === "video" ? RTX_SSRC : null, kind === "video" ? VP8 : OPUS, EXT, rtcp);
  const got: Buffer[] = [];
  producer.addConsumer({ forward: (p: Buffer) => got.push(p) } as unknown as Consumer);
  return { producer, rtcp, got };
}

describe("Producer.receiveRtp", () => {
  it("caches the packet and hands the same buffer to every consumer", () => {
    const { producer, got } = setup();
    const other: Buffer[] = [];
    producer.addConsumer({ forward: (p: Buffer) => other.push(p) } as unknown as Consumer);
    const p = media(10);
    producer.receiveRtp(p, 1000);
    assert.equal(got[0], p);
    assert.equal(other[0], p);
    assert.equal(producer.cache.get(10, 0), p);
    assert.deepEqual([producer.packetsReceived, producer.bytesReceived, producer.stats.received], [1, p.length, 1]);
  });

  it("a duplicate is counted but not forwarded twice", () => {
    const { producer, got } = setup();
    producer.receiveRtp(media(10), 1000);
    producer.receiveRtp(media(10), 1001);
    assert.equal(got.length, 1);
    assert.equal(producer.packetsReceived, 2);
    assert.equal(producer.stats.received, 1);
  });
});

describe("Producer.receiveRtx", () => {
  it("restores the original packet: OSN as sequence, media PT and SSRC, header and payload", () => {
    const { producer, got } = setup();
    const original = media(500, { ts: 123456, marker: true });
    const rtx = rtxOf(original, 7);
    producer.receiveRtx(rtx, rtpHeaderLength(rtx, rtx.length), 1000);
    assert.equal(got.length, 1);
    const r = got[0]!;
    assert.deepEqual(r, original);
    assert.deepEqual([readSequence(r), readPayloadType(r), readSsrc(r), readTimestamp(r), readMarker(r)], [500, 96, SSRC, 123456, true]);
    const mid = findExtension(r, r.length, 4);
    assert.equal(r.subarray(extensionOffset(mid), extensionOffset(mid) + extensionLength(mid)).toString(), "1");
    assert.equal(producer.cache.get(500, 0), r);
  });

  it("keeps the padding of a padded retransmission", () => {
    const { producer, got } = setup();
    const original = media(501, { padding: 3 });
    const rtx = rtxOf(original, 8);
    producer.receiveRtx(rtx, rtpHeaderLength(rtx, rtx.length), 1000);
    assert.deepEqual(got[0], original);
    assert.equal(hasPadding(got[0]!), true);
  });

  it("a retransmission of a packet already received is not forwarded again", () => {
    const { producer, got } = setup();
    const original = media(600);
    producer.receiveRtp(original, 1000);
    const rtx = rtxOf(original, 9);
    producer.receiveRtx(rtx, rtpHeaderLength(rtx, rtx.length), 1010);
    assert.equal(got.length, 1);
  });

  it("padding-only RTX packets (bandwidth probes) are not media", () => {
    const { producer, rtcp, got } = setup();
    producer.receiveRtp(media(65500), 1000);
    // What libwebrtc sends on the RTX SSRC to probe: P set, the whole payload is padding (zeros, count last).
    const probe = Buffer.alloc(12 + 224);
    writeRtpHeader(probe, 0, { payloadType: 97, marker: false, sequence: 30, timestamp: 3000, ssrc: RTX_SSRC });
    probe[0] |= 0x20;
    probe[probe.length - 1] = 224;
    producer.receiveRtx(probe, 12, 1001);
    const tiny = Buffer.alloc(13);
    writeRtpHeader(tiny, 0, { payloadType: 97, marker: false, sequence: 31, timestamp: 3000, ssrc: RTX_SSRC });
    producer.receiveRtx(tiny, 12, 1002);
    assert.equal(got.length, 1);
    assert.equal(producer.cache.has(0, 0), false);
    assert.deepEqual(rtcp.calls, [], "no NACK for packets that were never lost");
    assert.equal(producer.stats.extendedHighestSequence, 65500);
    producer.receiveRtp(media(65501), 1020);
    assert.equal(got.length, 2);
  });
});

describe("Producer: loss and keyframes", () => {
  it("a gap sends one NACK listing the missing sequences (video)", () => {
    const { producer, rtcp } = setup();
    for (const seq of [10, 11, 14]) producer.receiveRtp(media(seq), 1000);
    assert.deepEqual(rtcp.calls, [{ kind: "nack", sequences: [12, 13] }]);
    producer.receiveRtp(media(12), 1010); // the late one: no new NACK
    producer.receiveRtp(media(15), 1020);
    assert.equal(rtcp.calls.length, 1);
  });

  it("NACK across the sequence wrap", () => {
    const { producer, rtcp } = setup();
    producer.receiveRtp(media(65534), 1000);
    producer.receiveRtp(media(1), 1001);
    assert.deepEqual(rtcp.calls, [{ kind: "nack", sequences: [65535, 0] }]);
  });

  it("gaps up to 64 are NACKed, larger ones are a stream reset", () => {
    const { producer, rtcp } = setup();
    producer.receiveRtp(media(100), 1000);
    producer.receiveRtp(media(165), 1001); // 64 missing
    assert.equal(rtcp.calls.length, 1);
    assert.deepEqual(
      rtcp.calls[0]!.sequences,
      Array.from({ length: 64 }, (_, i) => 101 + i),
    );
    producer.receiveRtp(media(231), 1002); // 65 missing
    assert.equal(rtcp.calls.length, 1);
  });

  it("audio gaps are not NACKed", () => {
    const { producer, rtcp } = setup("audio");
    for (const seq of [10, 14]) producer.receiveRtp(media(seq), 1000);
    assert.deepEqual(rtcp.calls, []);
  });

  it("keyframe requests: one PLI per 500 ms at most, the first one at any time", () => {
    const { producer, rtcp } = setup();
    for (const now of [100, 300, 599, 600, 1000, 1099, 1100]) producer.requestKeyFrame(now);
    assert.deepEqual(rtcp.calls, [{ kind: "pli" }, { kind: "pli" }, { kind: "pli" }]);
  });

  it("no keyframe requests for audio", () => {
    const { producer, rtcp } = setup("audio");
    producer.requestKeyFrame(5000);
    assert.deepEqual(rtcp.calls, []);
  });

  it("tick sends a receiver report once there is data", () => {
    const { producer, rtcp } = setup();
    producer.tick();
    assert.deepEqual(rtcp.calls, []);
    producer.receiveRtp(media(1), 1000);
    producer.tick();
    assert.deepEqual(rtcp.calls, [{ kind: "rr" }]);
  });
});

describe("Producer / Consumer lifecycle", () => {
  function withConsumers() {
    const producer = new Producer("PR", "video", "1", SSRC, RTX_SSRC, VP8, EXT, new FakeRtcp());
    const closed: string[] = [];
    const sinks = [0, 1].map(() => ({
      sent: 0,
      connected: true,
      rtpOffset: 0,
      beginRtp: (maxLength: number) => Buffer.alloc(maxLength + 16),
      commitRtp() {
        this.sent++;
      },
    }));
    const consumers = sinks.map((sink, i) => {
      const c = new Consumer(`CO${i}`, producer, String(2 + i), "PA_x", 1000 + i, null, VP8, EXT, sink, (x) => closed.push(x.id));
      producer.addConsumer(c);
      return c;
    });
    return { producer, consumers, sinks, closed };
  }

  it("closing a producer closes its consumers (cascade), once", () => {
    const { producer, consumers, closed } = withConsumers();
    producer.receiveRtp(media(1), 1000);
    producer.close();
    producer.close();
    assert.equal(producer.closed, true);
    assert.deepEqual(closed, ["CO0", "CO1"]);
    assert.ok(consumers.every((c) => c.closed));
    assert.deepEqual(producer.consumers, []);
    assert.equal(producer.cache.has(1, 0), false);
  });

  it("a closed consumer is removed from its producer; the others keep receiving", () => {
    const { producer, consumers, sinks } = withConsumers();
    consumers[0]!.close();
    assert.deepEqual(producer.consumers, [consumers[1]]);
    producer.receiveRtp(media(1), 1000);
    assert.deepEqual(
      sinks.map((s) => s.sent),
      [0, 1],
    );
  });
});
