// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { inboundStats, nodeAndBrowser } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";

const env = nodeAndBrowser();

async function join(room: string, identity: string, codec: string): Promise<Page> {
  const page = await env.browser.newPage();
  await page.goto(`${env.node.url}/r/${room}?token=${await env.node.token({ room, identity })}&autoJoin=1&codec=${codec}`);
  await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
  return page;
}

/** Stats of one kind, flattened to plain objects (codec resolved to its mimeType). */
function statsOf(page: Page, type: string): Promise<Record<string, any>[]> {
  return page.evaluate(async (t) => {
    const report: any = await (globalThis as any).relais.room.pc.getStats();
    const out: Record<string, any>[] = [];
    report.forEach((s: any) => {
      if (s.type === t) out.push({ ...s, mimeType: s.codecId ? report.get(s.codecId)?.mimeType : undefined });
    });
    return out;
  }, type);
}

for (const codec of ["vp8", "vp9", "h264"]) {
  test(`${codec.toUpperCase()} is negotiated, forwarded and decoded; RTCP reports and keyframe requests flow`, async () => {
    const room = `codec-${codec}`;
    const pub = await join(room, "pub", codec);
    await waitFor(
      "the publisher sends video",
      async () => (await statsOf(pub, "outbound-rtp")).some((s) => s.kind === "video" && s.framesEncoded > 30),
      20_000,
      250,
    );
    const requestsBefore = (await env.node.media.workers[0]!.request("getWorkerStats", {})).keyframeRequestsSent;
    const sub = await join(room, "sub", codec);
    await waitFor(
      `sub decodes ${codec}`,
      async () => ((await inboundStats(sub)).find((s) => s.identity === "pub" && s.kind === "video")?.framesDecoded ?? 0) > 30,
      30_000,
      250,
    );
    const inbound = (await statsOf(sub, "inbound-rtp")).filter((s) => s.kind === "video");
    assert.deepEqual(
      inbound.map((s) => s.mimeType?.toLowerCase()),
      [`video/${codec}`],
    );
    // Our sender reports reach the subscriber (remote-outbound-rtp), our receiver reports the publisher (RTT measured).
    await waitFor(
      "remote-outbound-rtp at the subscriber",
      async () => (await statsOf(sub, "remote-outbound-rtp")).some((s) => s.kind === "video" && s.packetsSent > 0),
      15_000,
      500,
    );
    await waitFor(
      "round-trip time from our receiver reports at the publisher",
      async () => (await statsOf(pub, "remote-inbound-rtp")).some((s) => s.kind === "video" && typeof s.roundTripTime === "number"),
      15_000,
      500,
    );
    // The subscriber came late and the SFU keeps no keyframes: it decodes because a keyframe
    // was requested from the publisher on its behalf (PLI) and forwarded to it.
    assert.ok(inbound[0]!.keyFramesDecoded >= 1);
    const requestsAfter = (await env.node.media.workers[0]!.request("getWorkerStats", {})).keyframeRequestsSent;
    assert.ok(requestsAfter > requestsBefore, `${requestsBefore} → ${requestsAfter}`);
    await pub.close();
    await sub.close();
  });
}
