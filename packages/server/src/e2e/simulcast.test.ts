// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { localIdentity, nodeAndBrowser, openJoinLink } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";
import { cameraOut, decodingTimeline, resizeVideo, videoInbound, watchDecoding } from "./support/video-watch.js";

// Simulcast, adaptive stream and dynacast through the web app: a 720p camera sent as
// q/h/f (RFC 8853), two subscribers rendering it large and as a thumbnail.
const env = nodeAndBrowser();

/** Waits until `page` decodes `identity` at `done` width with framesDecoded rising. */
async function expectLayer(page: Page, identity: string, what: string, done: (width: number) => boolean, timeoutMs = 30_000) {
  const sample = await waitFor(
    what,
    async () => {
      const v = await videoInbound(page, identity);
      return v && v.framesDecoded > 0 && done(v.frameWidth) ? v : null;
    },
    timeoutMs,
    200,
  );
  // Still decoding at that layer a second later.
  await new Promise((r) => setTimeout(r, 1000));
  const later = await videoInbound(page, identity);
  assert.ok(later && later.framesDecoded > sample.framesDecoded + 5, `${what}: frames rising (${JSON.stringify([sample, later])})`);
  assert.ok(done(later.frameWidth), `${what}: still at that layer (${JSON.stringify(later)})`);
  return later;
}

/** Whether the publisher's `rid` stream sends bytes over one second. */
async function ridGrowth(page: Page, rid: string): Promise<number> {
  const before = (await cameraOut(page)).streams[rid]?.bytesSent ?? 0;
  await new Promise((r) => setTimeout(r, 1000));
  return ((await cameraOut(page)).streams[rid]?.bytesSent ?? 0) - before;
}

test("a 720p camera is sent as q/h/f; each subscriber gets the layer its tile needs; unwatched layers stop", async () => {
  const link = await env.node.joinLink("simulcast");
  const publisher = await openJoinLink(env.browser, link, "Pub", {
    query: "&resolution=720p&microphone=0",
    viewport: { width: 640, height: 480 },
  });
  const pubId = await localIdentity(publisher);
  const settings = await publisher.evaluate(() => {
    const pub = (globalThis as any).relais.room.localParticipant.getTrackPublication("camera");
    return { size: pub?.track.getSettings(), layers: pub?.layers };
  });
  assert.equal(settings.size?.width, 1280, "the fake camera opens at 720p");
  assert.deepEqual(
    settings.layers?.map((l: { rid: string; width: number }) => [l.rid, l.width]),
    [
      ["q", 320],
      ["h", 640],
      ["f", 1280],
    ],
  );

  // A renders the camera large (960×540 CSS px), B as a 160×90 thumbnail. The sizes are set
  // on the tile's <video>, the element the web app hands to adaptive stream.
  const large = await openJoinLink(env.browser, link, "Large", { query: "&camera=0&microphone=0", viewport: { width: 1280, height: 800 } });
  const thumb = await openJoinLink(env.browser, link, "Thumb", { query: "&camera=0&microphone=0" });
  for (const [page, size] of [
    [large, { width: 960, height: 540 }],
    [thumb, { width: 160, height: 90 }],
  ] as const) {
    await page.waitForSelector(`#grid [data-participant-identity="${pubId}"] video`, { state: "attached", timeout: 20_000 });
    await resizeVideo(page, pubId, size);
  }

  const a = await expectLayer(large, pubId, "the large tile gets f", (w) => w >= 1000).catch(async (error) => {
    console.log("publisher outbound:", JSON.stringify(await cameraOut(publisher)));
    console.log("large inbound:", JSON.stringify(await videoInbound(large, pubId)));
    throw error;
  });
  const b = await expectLayer(thumb, pubId, "the thumbnail gets q", (w) => w > 0 && w <= 400);
  console.log(`large: ${JSON.stringify(a)}; thumbnail: ${JSON.stringify(b)}`);
  const out = await cameraOut(publisher);
  console.log(`publisher: ${JSON.stringify(out)}`);
  assert.ok(out.active.includes("q") && out.active.includes("f"), `q and f are watched: ${out.active}`);

  // A's video shrinks to 400×225: it drops below f within 5 s without a stall. Nobody
  // watched h, so dynacast had it off: A may get q first, then h once the publisher sends it.
  await resizeVideo(large, pubId, { width: 400, height: 225 });
  const shrunk = await watchDecoding(large, pubId, "large tile drops below f", {
    forMs: 5_000,
    maxStallMs: 1_000,
    until: (v) => v.frameWidth > 0 && v.frameWidth <= 700,
    onSample: decodingTimeline("shrinking", publisher),
  });
  // Up to 15 s: under load the bandwidth estimate may first hold A on q, and an upgrade that failed
  // its trial waits out a back-off (docs/media-quality.md) before h is granted again.
  const settled = await watchDecoding(large, pubId, "large tile settles on h", {
    forMs: 15_000,
    maxStallMs: 1_000,
    until: (v) => v.frameWidth === 640,
    onSample: decodingTimeline("settling", publisher),
  });
  console.log(`shrunk: ${JSON.stringify(shrunk.last)}, then ${JSON.stringify(settled.last)}`);
  // The thumbnail kept decoding meanwhile.
  await expectLayer(thumb, pubId, "the thumbnail still gets q", (w) => w > 0 && w <= 400, 5_000);

  // Dynacast: nobody needs f any more, so the publisher stops encoding it.
  await waitFor("the publisher drops f", async () => !(await cameraOut(publisher)).active.includes("f"), 5_000, 200);
  assert.deepEqual((await cameraOut(publisher)).active, ["q", "h"]);
  await new Promise((r) => setTimeout(r, 500));
  const fIdle = await ridGrowth(publisher, "f");
  const hBusy = await ridGrowth(publisher, "h");
  assert.ok(fIdle < 2_000, `f sends nothing while unwatched (${fIdle} bytes/s)`);
  assert.ok(hBusy > 10_000, `h still sends (${hBusy} bytes/s)`);

  // A's video grows back: f is encoded again and A decodes it, again without a stall.
  await resizeVideo(large, pubId, { width: 960, height: 540 });
  await waitFor("the publisher encodes f again", async () => (await cameraOut(publisher)).active.includes("f"), 5_000, 200);
  const grown = await watchDecoding(large, pubId, "large tile back to f", {
    forMs: 15_000,
    maxStallMs: 1_000,
    until: (v) => v.frameWidth >= 1000,
    onSample: decodingTimeline("growing", publisher),
  });
  console.log(`grown: ${JSON.stringify(grown.last)}`);
  assert.ok((await ridGrowth(publisher, "f")) > 10_000, "f sends again");

  // The large tab leaves: only the thumbnail watches, so only q stays encoded.
  await large.close();
  await waitFor(
    "the publisher keeps only q",
    async () => JSON.stringify((await cameraOut(publisher)).active) === JSON.stringify(["q"]),
    10_000,
    200,
  );
  await expectLayer(thumb, pubId, "the thumbnail still decodes q", (w) => w > 0 && w <= 400, 5_000);
  await thumb.close();
  await publisher.close();
});
