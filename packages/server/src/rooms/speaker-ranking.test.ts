import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_SPEAKER_RANKING, type SpeakerLevel, SpeakerRanking } from "./speaker-ranking.js";

const lv = (sid: string, level: number): SpeakerLevel => ({ participantSid: sid, identity: `id-${sid}`, level });
const ids = (r: SpeakerLevel[] | null) => r?.map((s) => s.participantSid) ?? null;

test("a speaker appears, the silent one does not; no news when nothing changes", () => {
  const r = new SpeakerRanking();
  assert.deepEqual(ids(r.update([lv("a", 0.3), lv("b", 0)], 0)), ["a"]);
  assert.equal(r.update([lv("a", 0.31), lv("b", 0)], 500), null, "a level change alone is not news");
  assert.deepEqual(r.current()[0], { participantSid: "a", identity: "id-a", level: 0.31 });
});

test("hysteresis: a short dip does not end speech; a long silence does", () => {
  const r = new SpeakerRanking();
  r.update([lv("a", 0.2)], 0);
  assert.equal(r.update([lv("a", 0.007)], 500), null, "between stop and start level: still speaking");
  assert.equal(r.update([lv("a", 0)], 1000), null, "below stop level, within the hold time");
  assert.equal(r.update([lv("a", 0)], 2000), null);
  assert.deepEqual(ids(r.update([lv("a", 0)], 2600)), [], "silent for longer than holdMs");
  assert.equal(r.update([lv("a", 0.007)], 3000), null, "below the start level: not speaking again yet");
});

test("the dominant speaker keeps the floor against a slightly louder one, yields to a much louder one", () => {
  const r = new SpeakerRanking();
  assert.deepEqual(ids(r.update([lv("a", 0.2), lv("b", 0)], 0)), ["a"]);
  assert.deepEqual(ids(r.update([lv("a", 0.2), lv("b", 0.25)], 500)), ["a", "b"], "b joins, a stays dominant");
  assert.equal(r.update([lv("a", 0.2), lv("b", 0.28)], 3000), null, "1.4× louder: no switch");
  assert.deepEqual(ids(r.update([lv("a", 0.1), lv("b", 0.3)], 3500)), ["b", "a"], "3× louder after minDominantMs: switch");
  assert.equal(r.update([lv("a", 0.4), lv("b", 0.3)], 4000), null, "a new dominant is not challenged before minDominantMs");
});

test("no flapping: two speakers alternating by a few percent produce one ranking", () => {
  const r = new SpeakerRanking();
  const changes: string[][] = [];
  for (let t = 0; t < 20_000; t += 500) {
    const wobble = (t / 500) % 2 === 0 ? 0.02 : -0.02;
    const out = r.update([lv("a", 0.2 + wobble), lv("b", 0.2 - wobble)], t);
    if (out) changes.push(ids(out)!);
  }
  assert.equal(changes.length, 1, JSON.stringify(changes));
});

test("the dominant speaker stopping hands the floor to the next; leaving participants drop out", () => {
  const r = new SpeakerRanking();
  r.update([lv("a", 0.3), lv("b", 0.1)], 0);
  const after = DEFAULT_SPEAKER_RANKING.holdMs + 100;
  assert.deepEqual(ids(r.update([lv("a", 0), lv("b", 0.1)], after)), ["b"]);
  assert.deepEqual(ids(r.update([], after + 500)), [], "b left the room");
});
