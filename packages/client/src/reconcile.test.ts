/// <reference types="node" />
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ParticipantInfo, TrackInfo } from "@relais/protocol";
import { type KnownParticipant, reconcileParticipants } from "./reconcile.js";

const track = (sid: string, muted = false): TrackInfo => ({
  sid,
  kind: "audio",
  source: "microphone",
  name: "mic",
  muted,
  mimeType: "audio/opus",
});
const info = (sid: string, tracks: TrackInfo[]): ParticipantInfo => ({
  sid,
  identity: `id-${sid}`,
  name: sid,
  metadata: "",
  joinedAt: 0,
  permissions: { canPublish: true, canSubscribe: true, canPublishData: true, admin: false },
  tracks,
});
const known = (sid: string, tracks: Record<string, boolean>): [string, KnownParticipant] => [
  sid,
  { sid, identity: `id-${sid}`, trackPublications: new Map(Object.entries(tracks).map(([t, muted]) => [t, { muted }])) },
];

test("no difference, no events", () => {
  const before = new Map([known("a", { t1: false })]);
  assert.deepEqual(reconcileParticipants(before, [info("a", [track("t1")])]), []);
});

test("turns every difference into the event the server would have sent", () => {
  const before = new Map([known("gone", { g1: false }), known("stay", { kept: false, dropped: false, muting: false })]);
  const events = reconcileParticipants(before, [
    info("stay", [track("kept"), track("muting", true), track("added")]),
    info("new", [track("n1")]),
  ]);
  assert.deepEqual(
    events.map((e) => e.type),
    ["participantLeft", "trackUnpublished", "trackPublished", "participantJoined", "trackMuted"],
  );
  assert.deepEqual(events[0], { type: "participantLeft", participantSid: "gone", identity: "id-gone" });
  assert.deepEqual(events[1], { type: "trackUnpublished", participantSid: "stay", trackSid: "dropped" });
  assert.equal(events[2].type === "trackPublished" && events[2].track.sid, "added");
  assert.equal(events[3].type === "participantJoined" && events[3].participant.sid, "new");
  assert.deepEqual(events[4], { type: "trackMuted", participantSid: "stay", trackSid: "muting", muted: true });
});

test("removals come before additions so a rejoin under a new sid reads as leave then join", () => {
  const before = new Map([known("old-sid", {})]);
  const events = reconcileParticipants(before, [{ ...info("new-sid", []), identity: "id-old-sid" }]);
  assert.deepEqual(
    events.map((e) => e.type),
    ["participantLeft", "participantJoined"],
  );
});
