import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CodecParameters, ExtensionIdMap } from "../../media-channel/messages.js";
import {
  extensionLength,
  extensionOffset,
  findExtension,
  hasPadding,
  type OneByteExtension,
  readAudioLevel,
  readCsrcCount,
  readMarker,
  readPayloadType,
  readSequence,
  readSsrc,
  readTimestamp,
  rtpHeaderLength,
  rtpPayloadEnd,
  writeExtensionFlag,
  writeOneByteExtensions,
  writeRtpHeader,
} from "../rtp/packet.js";
import { Consumer, type ConsumerSink } from "./consumer.js";
import { Producer } from "./producer.js";

const PUB_SSRC = 0x11110001;
const SUB_SSRC = 0x22220001;
const SUB_RTX = 0x22220002;
const PAYLOAD = Buffer.from("vp8-frame-data!");
/** The publisher's extensions: mid 4 = "1", abs-send-time 2, transport-cc 3 (as Chrome numbers them). */
const PUB_EXT: ExtensionIdMap = { mid: 4, audioLevel: 0, absSendTime: 2, transportCc: 3 };
const PUB_ELEMENTS: OneByteExtension[] = [
  { id: 4, data: Buffer.from("1") },
  { id: 2, value: 0x123456, size: 3 },
  { id: 3, value: 0xabcd, size: 2 },
];
/** The subscriber's ids: our mid "3" under id 9. */
const SUB_EXT: ExtensionIdMap = { mid: 9, audioLevel: 0, absSendTime: 0, transportCc: 0 };

interface Spec {
  seq: number;
  ts?: number;
  marker?: boolean;
  pt?: number;
  ssrc?: number;
  ext?: OneByteExtension[];
  payload?: Buffer;
  padding?: number;
}

function rtp(p: Spec): Buffer {
  const out = Buffer.alloc(1500);
  const h = { payloadType: p.pt ?? 96, marker: p.marker ?? false, sequence: p.seq, timestamp: p.ts ?? 90000, ssrc: p.ssrc ?? PUB_SSRC };
  let o = writeRtpHeader(out, 0, h);
  if (p.ext) {
    o += writeOneByteExtensions(out, o, p.ext);
    writeExtensionFlag(out, 0, true);
  }
  o += (p.payload ?? PAYLOAD).copy(out, o);
  if (p.padding) {
    out[0] |= 0x20;
    o += p.padding;
    out[o - 1] = p.padding;
  }
  return Buffer.from(out.subarray(0, o));
}

/** Writes packets at an odd offset of a shared arena, as the worker's send batch does. */
class FakeSink implements ConsumerSink {
  readonly sent: Buffer[] = [];
  connected = true;
  readonly arena = Buffer.alloc(4096, 0xee);
  rtpOffset = 0;
  beginRtp(maxLength: number): Buffer {
    this.rtpOffset = 7 + (this.sent.length % 5);
    assert.ok(this.rtpOffset + maxLength + 16 <= this.arena.length);
    return this.arena;
  }
  commitRtp(buf: Buffer, length: number): void {
    assert.equal(buf, this.arena);
    this.sent.push(Buffer.from(buf.subarray(this.rtpOffset, this.rtpOffset + length)));
  }
}

const extData = (buf: Buffer, id: number): Buffer | null => {
  const at = findExtension(buf, buf.length, id);
  return at < 0 ? null : buf.subarray(extensionOffset(at), extensionOffset(at) + extensionLength(at));
};

function setup(o: { kind?: "audio" | "video"; rtx?: boolean; pubExt?: ExtensionIdMap; subExt?: ExtensionIdMap } = {}) {
  const kind = o.kind ?? "video";
  const codec: CodecParameters =
    kind === "video"
      ? { mimeType: "video/VP8", payloadType: 96, clockRate: 90000, rtxPayloadType: 97 }
      : { mimeType: "audio/opus", payloadType: 111, clockRate: 48000, rtxPayloadType: null };
  const producer = new Producer("PR", kind, "1", PUB_SSRC, null, codec, o.pubExt ?? PUB_EXT, { sendRtcpToPublisher() {} });
  const rtx = (o.rtx ?? true) && kind === "video";
  const subCodec: CodecParameters = { ...codec, payloadType: kind === "video" ? 100 : 109, rtxPayloadType: rtx ? 101 : null };
  const sink = new FakeSink();
  const closed: Consumer[] = [];
  const consumer = new Consumer("CO", producer, "3", "PA_alice", SUB_SSRC, rtx ? SUB_RTX : null, subCodec, o.subExt ?? SUB_EXT, sink, (c) =>
    closed.push(c),
  );
  producer.addConsumer(consumer);
  return { producer, consumer, sink, closed };
}

describe("Consumer.forward", () => {
  it("rewrites SSRC, PT, sequence and timestamp by the offsets; keeps the marker and the payload", () => {
    const { producer, consumer, sink } = setup();
    consumer.seqOffset = 1000;
    consumer.tsOffset = 0xffffff00;
    producer.receiveRtp(rtp({ seq: 65000, ts: 0x200, marker: true, ext: PUB_ELEMENTS }), 1000);
    assert.equal(sink.sent.length, 1);
    const out = sink.sent[0]!;
    assert.equal(out[0]! >> 6, 2);
    assert.equal(readCsrcCount(out), 0);
    assert.equal(readSsrc(out), SUB_SSRC);
    assert.equal(readPayloadType(out), 100);
    assert.equal(readSequence(out), (65000 + 1000) & 0xffff);
    assert.equal(readTimestamp(out), 0x100);
    assert.equal(readMarker(out), true);
    assert.equal(rtpHeaderLength(out, out.length), 12 + 8);
    assert.deepEqual(out.subarray(20), PAYLOAD);
    assert.deepEqual([consumer.packetsSent, consumer.octetsSent, consumer.lastRtpTimestamp], [1, out.length, 0x100]);
  });

  it("the publisher's extensions are not forwarded: only our mid", () => {
    const { producer, sink } = setup();
    const input = rtp({ seq: 1, ext: PUB_ELEMENTS });
    assert.deepEqual(extData(input, 4), Buffer.from("1"));
    producer.receiveRtp(input, 1000);
    const out = sink.sent[0]!;
    assert.deepEqual(extData(out, 9), Buffer.from("3"));
    for (const id of [2, 3, 4]) assert.equal(findExtension(out, out.length, id), -1, `id ${id}`);
    assert.equal(out.subarray(0, 20).includes(Buffer.from([0x12, 0x34, 0x56])), false, "no abs-send-time bytes");
  });

  it("marker cleared stays cleared; padding is kept", () => {
    const { producer, sink } = setup();
    producer.receiveRtp(rtp({ seq: 1, padding: 4 }), 1000);
    const out = sink.sent[0]!;
    assert.equal(readMarker(out), false);
    assert.equal(hasPadding(out), true);
    assert.equal(out.at(-1), 4);
    assert.equal(rtpPayloadEnd(out, out.length), out.length - 4);
    assert.deepEqual(out.subarray(20, out.length - 4), PAYLOAD);
  });

  it("audio: our mid and the publisher's audio level under the subscriber's id", () => {
    const pubExt = { mid: 4, audioLevel: 1, absSendTime: 2, transportCc: 3 };
    const { producer, sink } = setup({ kind: "audio", pubExt, subExt: { mid: 9, audioLevel: 5, absSendTime: 0, transportCc: 0 } });
    const withLevel = [{ id: 1, value: 0x80 | 30 }, ...PUB_ELEMENTS];
    producer.receiveRtp(rtp({ pt: 111, seq: 1, ext: withLevel }), 1000);
    producer.receiveRtp(rtp({ pt: 111, seq: 2, ext: PUB_ELEMENTS }), 1020);
    const [voiced, unknown] = sink.sent;
    assert.equal(readPayloadType(voiced!), 109);
    assert.equal(readAudioLevel(voiced!, voiced!.length, 5), 0x80 | 30);
    assert.deepEqual(extData(voiced!, 9), Buffer.from("3"));
    for (const id of [1, 2, 3, 4]) assert.equal(findExtension(voiced!, voiced!.length, id), -1, `id ${id}`);
    assert.equal(readAudioLevel(unknown!, unknown!.length, 5), 0x7f, "no level from the publisher: silence");
  });

  it("no audio level element when the publisher did not negotiate one", () => {
    const { producer, sink } = setup({ kind: "audio", subExt: { mid: 9, audioLevel: 5, absSendTime: 0, transportCc: 0 } });
    producer.receiveRtp(rtp({ pt: 111, seq: 1, ext: PUB_ELEMENTS }), 1000);
    assert.equal(findExtension(sink.sent[0]!, sink.sent[0]!.length, 5), -1);
  });

  it("without negotiated extensions: a plain 12-byte header", () => {
    const { producer, sink } = setup({ subExt: { mid: 0, audioLevel: 0, absSendTime: 0, transportCc: 0 } });
    producer.receiveRtp(rtp({ seq: 1, ext: PUB_ELEMENTS }), 1000);
    const out = sink.sent[0]!;
    assert.equal(out[0]! & 0x10, 0);
    assert.equal(rtpHeaderLength(out, out.length), 12);
    assert.deepEqual(out.subarray(12), PAYLOAD);
  });

  it("nothing is sent while paused, disconnected, or for a malformed packet", () => {
    const { consumer, sink } = setup();
    consumer.paused = true;
    consumer.forward(rtp({ seq: 1 }), 0);
    consumer.paused = false;
    sink.connected = false;
    consumer.forward(rtp({ seq: 2 }), 0);
    sink.connected = true;
    consumer.forward(Buffer.from([0x80, 96, 0, 3]), 0);
    consumer.forward(Buffer.from([0x40, 96, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1]), 0); // version 1
    assert.deepEqual([sink.sent.length, consumer.packetsSent], [0, 0]);
  });
});

describe("Consumer.retransmit", () => {
  it("answers a NACK with an RTX packet: RTX PT and SSRC, own sequence space, OSN = our sequence", () => {
    const { producer, consumer, sink } = setup();
    consumer.seqOffset = 100;
    consumer.tsOffset = 5;
    producer.receiveRtp(rtp({ seq: 65500, ts: 1000, marker: true, ext: PUB_ELEMENTS }), 1000);
    producer.receiveRtp(rtp({ seq: 65501, ts: 1000 }), 1001);
    const ours = readSequence(sink.sent[0]!);
    assert.equal(ours, 64); // 65500 + 100 wrapped
    assert.equal(consumer.retransmit(ours, 1500), true);
    assert.equal(consumer.retransmit(ours + 1, 1500), true);
    const [rtx1, rtx2] = sink.sent.slice(2);
    assert.equal(readPayloadType(rtx1!), 101);
    assert.equal(readSsrc(rtx1!), SUB_RTX);
    assert.equal(readTimestamp(rtx1!), 1005);
    assert.equal(readMarker(rtx1!), true);
    assert.equal(readSequence(rtx2!), (readSequence(rtx1!) + 1) & 0xffff, "RTX numbers its own packets consecutively");
    assert.deepEqual(extData(rtx1!, 9), Buffer.from("3"));
    assert.equal(findExtension(rtx1!, rtx1!.length, 3), -1);
    assert.equal(rtx1!.readUInt16BE(20), 64, "OSN");
    assert.equal(rtx2!.readUInt16BE(20), 65);
    assert.deepEqual(rtx1!.subarray(22), PAYLOAD);
    assert.equal(consumer.packetsSent, 2, "retransmissions are not media packets");
  });

  it("RTX carries the original payload without its padding", () => {
    const { producer, consumer, sink } = setup();
    producer.receiveRtp(rtp({ seq: 7, padding: 8 }), 1000);
    assert.equal(consumer.retransmit(7, 1500), true);
    const rtx = sink.sent[1]!;
    assert.equal(hasPadding(rtx), false);
    assert.equal(rtx.length, 20 + 2 + PAYLOAD.length);
    assert.deepEqual(rtx.subarray(22), PAYLOAD);
  });

  it("without RTX the original packet is sent again, identical", () => {
    const { producer, consumer, sink } = setup({ rtx: false });
    consumer.seqOffset = 3;
    producer.receiveRtp(rtp({ seq: 40, marker: true, ext: PUB_ELEMENTS }), 1000);
    assert.equal(consumer.retransmit(43, 1500), true);
    assert.deepEqual(sink.sent[1], sink.sent[0]);
  });

  it("false for a sequence not in the cache, or when disconnected", () => {
    const { producer, consumer, sink } = setup();
    producer.receiveRtp(rtp({ seq: 40 }), 1000);
    assert.equal(consumer.retransmit(41, 1500), false);
    sink.connected = false;
    assert.equal(consumer.retransmit(40, 1500), false);
    assert.equal(sink.sent.length, 1);
  });

  it("a cached packet whose padding count exceeds its payload is not retransmitted (and does not throw)", () => {
    const { producer, consumer, sink } = setup();
    const bad = rtp({ seq: 9, payload: Buffer.from([1, 2, 3, 200]) });
    bad[0] |= 0x20; // P set, last byte 200 > payload length
    producer.receiveRtp(bad, 1000);
    assert.equal(consumer.retransmit(9, 1500), false);
    assert.equal(sink.sent.length, 1);
  });
});

describe("Consumer.close", () => {
  it("removes the consumer from its producer, notifies once, stops forwarding", () => {
    const { producer, consumer, sink, closed } = setup();
    consumer.close();
    consumer.close();
    assert.equal(consumer.closed, true);
    assert.deepEqual(closed, [consumer]);
    assert.equal(producer.consumers.includes(consumer), false);
    producer.receiveRtp(rtp({ seq: 1 }), 1000);
    assert.equal(sink.sent.length, 0);
  });
});

describe("Consumer shed by the overload guard", () => {
  it("forwards nothing while shed, then continues the sequence without a gap, asks for a keyframe and refuses NACKs from before", () => {
    const { producer, consumer, sink } = setup();
    let plis = 0;
    (producer as unknown as { sink: { sendRtcpToPublisher: (k: string) => void } }).sink = {
      sendRtcpToPublisher: (k) => {
        if (k === "pli") plis++;
      },
    };
    producer.receiveRtp(rtp({ seq: 100 }), 1000);
    producer.receiveRtp(rtp({ seq: 101 }), 1001);
    consumer.shed = true;
    for (let s = 102; s < 110; s++) producer.receiveRtp(rtp({ seq: s }), 1002 + s);
    assert.equal(sink.sent.length, 2, "nothing forwarded while shed");
    consumer.shed = false;
    consumer.restore(2000);
    assert.equal(plis, 1, "a keyframe is requested on restore");
    producer.receiveRtp(rtp({ seq: 110 }), 2001);
    producer.receiveRtp(rtp({ seq: 111 }), 2002);
    const seqs = sink.sent.map((b) => b.readUInt16BE(2));
    assert.deepEqual(seqs, [seqs[0], seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3], "continuous outgoing sequence numbers");
    assert.equal(consumer.retransmit(seqs[1]!, 1500), false, "a NACK for a sequence number from before the re-base is not answered");
    assert.equal(consumer.retransmit(seqs[3]!, 1500), true, "after it, it is");
  });
});
