import assert from "node:assert/strict";
import { test } from "node:test";
import { writeExtensionFlag, writeOneByteExtensions, writeRtpHeader } from "../rtp/packet.js";
import { AudioLevel, linearAudioLevel } from "./audio-level.js";

const EXT_ID = 1;

/** An Opus-like RTP packet carrying the RFC 6464 byte `levelByte` (or no extension with -1). */
function packet(levelByte: number, seq = 1): Buffer {
  const b = Buffer.alloc(12 + 8 + 20);
  writeRtpHeader(b, 0, { payloadType: 111, marker: false, sequence: seq, timestamp: seq * 960, ssrc: 1234 });
  if (levelByte < 0) return b.subarray(0, 32);
  const n = writeOneByteExtensions(b, 12, [{ id: EXT_ID, value: levelByte }]);
  writeExtensionFlag(b, 0, true);
  return b.subarray(0, 12 + n + 20);
}

/** Feeds one 500 ms window of 25 packets (20 ms Opus frames): `active` at `dbov`, the rest silent. */
function window(l: AudioLevel, active: number, dbov: number): number {
  for (let i = 0; i < 25; i++) l.observePacket(packet(i < active ? dbov : 127, i));
  return l.takeLevel();
}

test("the level byte converts to a linear amplitude (RFC 6464: -dBov, V bit ignored)", () => {
  assert.equal(linearAudioLevel(0), 1);
  assert.ok(Math.abs(linearAudioLevel(20) - 0.1) < 1e-12);
  assert.ok(Math.abs(linearAudioLevel(0x80 | 20) - 0.1) < 1e-12);
  assert.ok(linearAudioLevel(127) < 1e-6);
});

test("steady speech rises toward its amplitude; silence decays to 0", () => {
  const l = new AudioLevel(EXT_ID);
  const first = window(l, 25, 20);
  assert.ok(Math.abs(first - 0.05) < 1e-9, `half way after one window: ${first}`);
  let level = first;
  for (let i = 0; i < 6; i++) level = window(l, 25, 20);
  assert.ok(level > 0.098 && level <= 0.1, `converged: ${level}`);
  for (let i = 0; i < 12; i++) level = window(l, 0, 0);
  assert.equal(level, 0);
});

test("a click (few loud packets) is not speech; enough active packets are", () => {
  const l = new AudioLevel(EXT_ID);
  assert.equal(window(l, 3, 0), 0, "3 of 25 loud packets: below the 40% activity share");
  assert.equal(window(l, 9, 10), 0, "36%: still below");
  assert.ok(window(l, 10, 10) > 0, "40% counts");
});

test("quieter than the threshold, packets without the extension and empty windows are silence", () => {
  const l = new AudioLevel(EXT_ID);
  assert.equal(window(l, 25, 50), 0, "-50 dBov is below the 35 dBov activity threshold");
  for (let i = 0; i < 25; i++) l.observePacket(packet(-1, i));
  assert.equal(l.takeLevel(), 0);
  assert.equal(l.takeLevel(), 0, "no packets at all");
});

test("louder speech ranks higher than quieter speech", () => {
  const loud = new AudioLevel(EXT_ID);
  const quiet = new AudioLevel(EXT_ID);
  for (let i = 0; i < 4; i++) {
    window(loud, 25, 10);
    window(quiet, 25, 30);
  }
  assert.ok(loud.level > quiet.level * 5, `${loud.level} vs ${quiet.level}`);
});

test("the voice activity flag is counted", () => {
  const l = new AudioLevel(EXT_ID);
  l.observe(0x80 | 30);
  l.observe(30);
  assert.equal(l.voicePackets, 1);
});
