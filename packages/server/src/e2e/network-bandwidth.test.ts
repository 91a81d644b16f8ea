// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import { localIdentity, openJoinLink } from "./support/browser.js";
import { impairedCall } from "./support/netns.js";
import { cameraOut, decodingTimeline, resizeVideo, videoInbound, watchDecoding } from "./support/video-watch.js";

// A subscriber's downlink shrinks and recovers: its Chromium runs in a network namespace and a
// tc tbf token bucket on the host end of the veth caps what the SFU can send it. The SFU's
// send-side bandwidth estimate toward the subscriber (transport-wide CC, GCC-style) must move it
// to a lower simulcast layer (RFC 8853) within seconds, and back when the cap is lifted, without
// decoding ever standing still for more than a second (docs/media-quality.md), at the switch included.
const env = impairedCall();

const LIMIT_KBIT = 600;
const MAX_STALL_MS = 1_000;
/** Polled every 50 ms: a 200 ms poll could report a 0.85 s gap as 1.05 s. */
const STALL_POLL_MS = 50;

test(`a subscriber capped at ${LIMIT_KBIT} kbit/s drops to a lower layer within seconds and returns to full size when the cap lifts`, async () => {
  const link = await env.node.joinLink("bandwidth");
  const publisher = await openJoinLink(env.hostBrowser, link, "Pub", {
    query: "&resolution=720p&microphone=0",
    viewport: { width: 640, height: 480 },
  });
  const pubId = await localIdentity(publisher);
  const layers = await publisher.evaluate(() => (globalThis as any).relais.room.localParticipant.getTrackPublication("camera")?.layers);
  assert.deepEqual(
    layers?.map((l: { rid: string }) => l.rid),
    ["q", "h", "f"],
    "the camera is sent as three simulcast layers",
  );

  // The subscriber renders the camera large (960×540 CSS px): it wants f, 1280 wide.
  const subscriber = await openJoinLink(env.nsBrowser, link, "Sub", {
    query: "&camera=0&microphone=0",
    viewport: { width: 1280, height: 800 },
  });
  await subscriber.waitForSelector(`#grid [data-participant-identity="${pubId}"] video`, { state: "attached", timeout: 20_000 });
  await resizeVideo(subscriber, pubId, { width: 960, height: 540 });
  // The climb to f is a precondition, not what this test measures: on a loaded machine the
  // subscriber's CPU jitter can fail an upgrade trial, and the layer then waits out its back-off.
  const full = await watchDecoding(subscriber, pubId, "unconstrained: f", {
    forMs: 45_000,
    maxStallMs: 5_000,
    until: (v) => v.frameWidth >= 1000,
    onSample: decodingTimeline("climbing", publisher),
  });
  const onF = await watchDecoding(subscriber, pubId, "unconstrained: stays on f", {
    forMs: 5_000,
    maxStallMs: MAX_STALL_MS,
    intervalMs: STALL_POLL_MS,
    onSample: decodingTimeline("unconstrained", publisher),
  });
  const fKbps = ((onF.last.bytesReceived - onF.first.bytesReceived) * 8) / onF.elapsedMs;
  console.log(`unconstrained: f after ${full.reachedAfterMs} ms, ${fKbps.toFixed(0)} kbit/s: ${JSON.stringify(onF.last)}`);
  console.log(`publisher: ${JSON.stringify(await cameraOut(publisher))}`);
  assert.ok(onF.last.frameWidth >= 1000, `still on f (${onF.last.frameWidth})`);

  // Cap the SFU → subscriber direction: the SFU must switch it down to h or q within 10 s.
  // A token bucket like tc-tbf(8)'s example: 32 kbit (4 kB) of burst, 100 ms of queue.
  await env.ns.setRateLimit({ direction: "toNamespace", kbit: LIMIT_KBIT, burstBytes: 4000 });
  console.log(`cap set at epoch ms ${Date.now()} (aligns a RELAIS_BWE_TRACE_DIR trace)`);
  const limited = await watchDecoding(subscriber, pubId, `capped at ${LIMIT_KBIT} kbit/s: lower layer`, {
    forMs: 10_000,
    maxStallMs: MAX_STALL_MS,
    intervalMs: STALL_POLL_MS,
    until: (v) => v.frameWidth > 0 && v.frameWidth <= 700,
    onSample: decodingTimeline("capped", publisher),
  }).catch(async (error) => {
    console.log(`capped, stats: ${JSON.stringify(await videoInbound(subscriber, pubId))}`);
    throw error;
  });
  console.log(
    `capped: lower layer after ${limited.reachedAfterMs} ms, longest stall ${limited.longestStallMs} ms: ${JSON.stringify(limited.last)}`,
  );
  // It stays there, decoding, while the cap holds.
  const held = await watchDecoding(subscriber, pubId, "capped: keeps decoding", {
    forMs: 8_000,
    maxStallMs: MAX_STALL_MS,
    intervalMs: STALL_POLL_MS,
    onSample: decodingTimeline("capped", publisher),
  });
  console.log(`tbf toward the subscriber: ${await env.ns.qdiscStats("toNamespace")}`);
  const fps = (held.last.framesDecoded - held.first.framesDecoded) / (held.elapsedMs / 1000);
  const kbps = ((held.last.bytesReceived - held.first.bytesReceived) * 8) / held.elapsedMs;
  console.log(
    `capped for ${held.elapsedMs} ms: ${fps.toFixed(1)} frames/s, ${kbps.toFixed(0)} kbit/s, longest stall ${held.longestStallMs} ms, ${JSON.stringify(held.last)}`,
  );
  assert.ok(held.last.frameWidth <= 700, `still on a lower layer under the cap (${held.last.frameWidth})`);
  assert.ok(kbps <= LIMIT_KBIT, `what arrives fits the cap (${kbps.toFixed(0)} kbit/s)`);
  assert.ok(fps >= 10, `at least 10 frames/s under the cap (${fps.toFixed(1)})`);

  // Lift the cap: back to f within 30 s, still without a stall.
  // Lift the limit the way a network does: the same token bucket at 1 Gbit/s (tc changes it in place,
  // keeping what is queued). Deleting the qdisc would also throw away its queue, a loss of its own.
  await env.ns.setRateLimit({ direction: "toNamespace", kbit: 1_000_000, burstBytes: 4000 });
  console.log(`cap lifted at epoch ms ${Date.now()}`);
  assert.match(await env.ns.qdiscStats("toNamespace"), /rate 1Gbit/, "the cap is lifted");
  const recovered = await watchDecoding(subscriber, pubId, "cap lifted: back to f", {
    forMs: 30_000,
    maxStallMs: MAX_STALL_MS,
    intervalMs: STALL_POLL_MS,
    until: (v) => v.frameWidth >= 1000,
    onSample: decodingTimeline("lifted", publisher),
  });
  console.log(
    `lifted: f after ${recovered.reachedAfterMs} ms, longest stall ${recovered.longestStallMs} ms: ${JSON.stringify(recovered.last)}`,
  );
  const worker = await env.node.media.workers[0]!.request("getWorkerStats", {});
  console.log(
    `worker: cpu ${worker.cpu}, utilisation ${worker.utilisation}, starved samples ${worker.cpuStarvedSamples}, video streams shed ${worker.videoStreamsShedTotal}`,
  );
  await subscriber.close();
  await publisher.close();
});
