import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AllocatorTrack, allocate } from "./allocator.js";

const SIMULCAST = [150_000, 500_000, 1_500_000];
const cam = (id: string, extra: Partial<AllocatorTrack> = {}): AllocatorTrack => ({
  id,
  kind: "video",
  layerBps: SIMULCAST,
  maxLayer: 2,
  currentLayer: -1,
  ...extra,
});
const mic = (id: string): AllocatorTrack => ({ id, kind: "audio", layerBps: [40_000], maxLayer: 0, currentLayer: 0 });
const layers = (r: ReturnType<typeof allocate>): Record<string, number> => Object.fromEntries(r.tracks.map((t) => [t.id, t.layer]));

describe("allocate", () => {
  it("plenty of bandwidth: every track gets its wanted layer, no deficit", () => {
    const r = allocate([mic("a"), cam("v1"), cam("v2", { maxLayer: 1 })], 10_000_000);
    assert.deepEqual(layers(r), { a: 0, v1: 2, v2: 1 });
    assert.equal(r.allocatedBps, 40_000 + 1_500_000 + 500_000);
    assert.equal(r.deficitBps, 0);
  });

  it("audio is reserved first, even beyond the estimate", () => {
    const r = allocate([cam("v"), mic("a1"), mic("a2")], 60_000);
    assert.deepEqual(layers(r), { v: -1, a1: 0, a2: 0 });
    assert.equal(r.deficitBps, 1_500_000);
  });

  it("priority: screen share, then active speaker, then the others", () => {
    const tracks = [
      cam("other1"),
      cam("speaker", { priority: "speaker" }),
      cam("screen", { priority: "screen", layerBps: [300_000, 0, 2_000_000] }),
      cam("other2"),
    ];
    // Everyone's lowest layer (750 k) fits, then the screen's top (+1.7 M, needs 1.9 M with margin).
    let r = allocate(tracks, 2_800_000);
    assert.deepEqual(layers(r), { other1: 0, speaker: 0, screen: 2, other2: 0 });
    // More: the speaker moves up next (to the highest wanted layer that fits: 1, not 2).
    r = allocate(tracks, 3_000_000);
    assert.deepEqual(layers(r), { other1: 0, speaker: 1, screen: 2, other2: 0 });
    // Scarce: lowest layers in priority order; the last ones pause.
    r = allocate(tracks, 600_000);
    assert.deepEqual(layers(r), { other1: -1, speaker: 0, screen: 0, other2: -1 });
    const wanted = 2_000_000 + 3 * 1_500_000;
    assert.equal(r.deficitBps, wanted - r.allocatedBps);
    assert.equal(r.allocatedBps, 450_000);
  });

  it("skips unavailable layers and pauses what is not rendered", () => {
    const r = allocate([cam("gap", { layerBps: [150_000, 0, 1_500_000], maxLayer: 1 }), cam("hidden", { maxLayer: -1 })], 5_000_000);
    assert.deepEqual(layers(r), { gap: 0, hidden: -1 });
    assert.equal(r.tracks[0].wantedLayer, 0);
    assert.equal(r.deficitBps, 0);
  });

  it("hysteresis: an estimate wobbling ±5 % around a layer's price does not flap", () => {
    const track = cam("v");
    // Find the switch points with the track paused at each layer, from the code itself.
    const up = allocate([{ ...track, currentLayer: 1 }], 1_500_000 * 1.05).tracks[0].layer;
    assert.equal(up, 1, "1.05 × the price is not enough to move up (margin 10 %)");
    assert.equal(allocate([{ ...track, currentLayer: 1 }], 1_500_000 * 1.11).tracks[0].layer, 2);
    assert.equal(allocate([{ ...track, currentLayer: 2 }], 1_500_000 * 0.97).tracks[0].layer, 1, "below the price: down");
    // Drive it with a wobbling estimate, feeding each decision back as the current layer.
    let current = 2;
    const history: number[] = [];
    for (let i = 0; i < 40; i++) {
      const estimate = 1_500_000 * (i < 5 ? 1.2 : 1 + 0.05 * Math.sin(i));
      current = allocate([{ ...track, currentLayer: current }], estimate).tracks[0].layer;
      history.push(current);
    }
    const switches = history.slice(1).filter((l, i) => l !== history[i]).length;
    assert.ok(switches <= 1, `layer switched ${switches} times: ${history.join(",")}`);
  });

  it("a forwarded video keeps its lowest layer down to half its price; a paused one needs the price and the margin", () => {
    const on = cam("v", { currentLayer: 0 });
    const off = cam("v", { currentLayer: -1 });
    assert.equal(allocate([on], 80_000).tracks[0].layer, 0, "an estimate dip to 53 % of q does not freeze the tile");
    assert.equal(allocate([on], 70_000).tracks[0].layer, -1, "below half of q it pauses");
    assert.equal(allocate([off], 150_000).tracks[0].layer, -1, "resuming needs q plus the margin");
    assert.equal(allocate([off], 165_000).tracks[0].layer, 0);
    assert.equal(allocate([cam("v", { currentLayer: 2 })], 100_000).tracks[0].layer, 0, "from the top layer down to q, not paused");
    const r = allocate([on, cam("w", { currentLayer: 0 })], 160_000);
    assert.deepEqual(layers(r), { v: 0, w: -1 }, "what the first kept is spent: the second pauses");
  });

  it("is deterministic and keeps input order", () => {
    const tracks = [cam("b"), cam("a"), mic("m"), cam("c", { priority: "speaker" })];
    const one = allocate(tracks, 1_234_567);
    const two = allocate(tracks, 1_234_567);
    assert.deepEqual(one, two);
    assert.deepEqual(
      one.tracks.map((t) => t.id),
      ["b", "a", "m", "c"],
    );
  });
});
