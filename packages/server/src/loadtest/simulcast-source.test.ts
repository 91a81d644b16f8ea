import assert from "node:assert/strict";
import { test } from "node:test";
import { extensionLength, extensionOffset, findExtension, rtpHeaderLength } from "../media/rtp/packet.js";
import { ExtensionUri } from "../sdp/codecs.js";
import { EXT_MID, EXT_REPAIRED_RID, EXT_RID } from "./packetize.js";
import { SimulcastVideo } from "./simulcast-source.js";
import { syntheticSimulcast } from "./test-clips.js";

function extText(p: Buffer, id: number): string | null {
  const at = findExtension(p, p.length, id);
  return at < 0 ? null : p.toString("ascii", extensionOffset(at), extensionOffset(at) + extensionLength(at));
}

function sendFrame(track: SimulcastVideo): Buffer[] {
  const out: Buffer[] = [];
  track.produceFrame();
  track.drain((p) => out.push(Buffer.from(p)), Number.POSITIVE_INFINITY);
  return out;
}

test("every layer sends the same frame: own SSRC, mid + rid on every packet, keyframes together", () => {
  assert.equal(ExtensionUri.rid, "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id");
  const track = new SimulcastVideo(syntheticSimulcast(), "v0");
  assert.deepEqual(track.rids, ["q", "h", "f"]);
  for (let frame = 0; frame < 31; frame++) {
    const packets = sendFrame(track);
    const bySsrc = new Map<number, Buffer[]>();
    for (const p of packets) bySsrc.set(p.readUInt32BE(8), [...(bySsrc.get(p.readUInt32BE(8)) ?? []), p]);
    assert.equal(bySsrc.size, 3, "one stream per layer");
    for (const [i, layer] of track.layers.entries()) {
      const mine = bySsrc.get(layer.ssrc)!;
      for (const p of mine) {
        assert.equal(extText(p, EXT_MID), "v0");
        assert.equal(extText(p, EXT_RID), layer.rid);
      }
      const first = mine[0];
      const vp8 = rtpHeaderLength(first, first.length) + 4;
      const key = (first[vp8] & 0x01) === 0;
      assert.equal(key, frame % 30 === 0, `layer ${i} frame ${frame}: keyframe iff the clip's frame is one`);
    }
  }
  assert.deepEqual(
    track.layers.map((l) => l.keyframesSent),
    [2, 2, 2],
  );
});

test("a keyframe request on one layer makes the next frame a keyframe on every layer", () => {
  const track = new SimulcastVideo(syntheticSimulcast(), "v0");
  sendFrame(track);
  sendFrame(track);
  track.layers[1].requestKeyframe();
  sendFrame(track);
  assert.deepEqual(
    track.layers.map((l) => l.keyframesSent),
    [2, 2, 2],
  );
});

test("dynacast: an inactive layer sends nothing and counts paused time; it resumes with a keyframe, sequence numbers continuous", () => {
  const track = new SimulcastVideo(syntheticSimulcast(), "v0");
  const f = track.layers[2];
  sendFrame(track);
  sendFrame(track);
  const lastSeq = f.log.lastKeyframeSeq; // the first packet of frame 0, a keyframe
  assert.ok(lastSeq >= 0);
  const sentBefore = f.packetsSent;
  track.setActive(
    [
      { rid: "f", active: false },
      { rid: "q", active: true },
      { rid: "zz", active: false },
    ],
    1000,
  );
  assert.equal(f.paused, true);
  assert.equal(track.layers[0].paused, false);
  const during = sendFrame(track).filter((p) => p.readUInt32BE(8) === f.ssrc);
  assert.equal(during.length, 0, "a paused layer sends nothing");
  assert.equal(f.packetsSent, sentBefore);
  assert.equal(track.pausedMs(1500), 500);
  track.setActive([{ rid: "f", active: true }], 1800);
  assert.equal(track.pausedMs(5000), 800, "paused from 1000 to 1800");
  assert.equal(track.resumes, 1);
  const resumed = sendFrame(track).filter((p) => p.readUInt32BE(8) === f.ssrc);
  const vp8 = rtpHeaderLength(resumed[0], resumed[0].length) + 4;
  assert.equal(resumed[0][vp8] & 0x01, 0, "the first frame after resuming is a keyframe");
  // Sequence numbers continue where the layer stopped (no gap for the SFU to NACK).
  assert.equal(resumed[0].readUInt16BE(2), (lastSeq + sentBefore) & 0xffff);
});

test("RTX of a simulcast stream carries the repaired-rid, not the rid (RFC 8852 §3.2)", () => {
  const track = new SimulcastVideo(syntheticSimulcast(), "v0");
  const packets = sendFrame(track);
  const h = track.layers[1];
  const original = packets.find((p) => p.readUInt32BE(8) === h.ssrc)!;
  const rtx = h.retransmission(original.readUInt16BE(2));
  assert.ok(rtx);
  assert.equal(rtx.readUInt32BE(8), h.rtxSsrc);
  assert.equal(extText(rtx, EXT_REPAIRED_RID), "h");
  assert.equal(extText(rtx, EXT_RID), null);
  assert.equal(extText(rtx, EXT_MID), "v0");
  const at = rtpHeaderLength(rtx, rtx.length);
  assert.equal(rtx.readUInt16BE(at), original.readUInt16BE(2), "OSN");
  assert.deepEqual(rtx.subarray(at + 2), original.subarray(rtpHeaderLength(original, original.length)));
});
