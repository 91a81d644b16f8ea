// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import { localIdentity, openJoinLink } from "./support/browser.js";
import { impairedCall } from "./support/netns.js";
import { waitFor } from "./support/test-node.js";
import { resizeVideo, videoInbound, watchDecoding } from "./support/video-watch.js";

// Random packet loss on a subscriber's path, on the wire: the subscriber's Chromium runs in a
// network namespace whose nftables rules drop 5 % of UDP datagrams each way (docs/media-quality.md).
// The SFU answers the subscriber's NACKs (RFC 4585 §6.2.1) from its packet cache as RTX
// (RFC 4588), so the video keeps decoding.
const env = impairedCall();

const LOSS_PERCENT = 5;
const WATCH_MS = 15_000;
/** Thresholds documented in docs/media-quality.md ("Packet loss"). */
const MAX_STALL_MS = 1_000;
const MAX_FREEZES_S = 3.0;
const MAX_PLIS = 2;

test(`${LOSS_PERCENT} % random loss both ways on a subscriber's path: NACK/RTX keep its video decoding without long freezes`, async () => {
  const link = await env.node.joinLink("loss");
  assert.ok(link.startsWith(`http://${env.ns.hostAddress}:`), `the join link uses the host veth address: ${link}`);
  const publisher = await openJoinLink(env.hostBrowser, link, "Pub", { query: "&microphone=0" });
  const pubId = await localIdentity(publisher);
  const subscriber = await openJoinLink(env.nsBrowser, link, "Sub", { query: "&camera=0&microphone=0" });
  // The subscriber renders the camera at its capture size, so it settles on the top simulcast
  // layer before the loss starts: layer switches (a keyframe each) are not what this measures.
  await subscriber.waitForSelector(`#grid [data-participant-identity="${pubId}"] video`, { state: "attached", timeout: 20_000 });
  await resizeVideo(subscriber, pubId, { width: 640, height: 480 });
  await waitFor(
    "the subscriber decodes the top layer",
    async () => ((await videoInbound(subscriber, pubId))?.frameWidth ?? 0) >= 640,
    30_000,
    200,
  );
  const path = await subscriber.evaluate(async () => {
    const stats: any = await (globalThis as any).relais.room.pc.getStats();
    let pairId = "";
    stats.forEach((s: any) => {
      if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = stats.get(pairId);
    return { local: stats.get(pair?.localCandidateId), remote: stats.get(pair?.remoteCandidateId) };
  });
  assert.equal(path.local?.address, env.ns.nsAddress, "the subscriber's media arrives on the namespace's veth");
  assert.equal(path.remote?.address, env.ns.hostAddress, "from the node's announced host veth address");
  const clean = await watchDecoding(subscriber, pubId, "without loss", { forMs: 3_000, maxStallMs: MAX_STALL_MS });
  console.log(`without loss: ${JSON.stringify(clean.last)}`);

  await env.ns.setLoss({ directions: ["toNamespace", "fromNamespace"], percent: LOSS_PERCENT });
  const lossy = await watchDecoding(subscriber, pubId, `with ${LOSS_PERCENT} % loss`, { forMs: WATCH_MS, maxStallMs: MAX_STALL_MS });
  const dropped = await env.ns.droppedPackets();
  await env.ns.clearLoss();

  const { first: a, last: b } = lossy;
  const delta = {
    framesDecoded: b.framesDecoded - a.framesDecoded,
    packetsReceived: b.packetsReceived - a.packetsReceived,
    packetsLost: b.packetsLost - a.packetsLost,
    nackCount: b.nackCount - a.nackCount,
    retransmittedPacketsReceived: b.retransmittedPacketsReceived - a.retransmittedPacketsReceived,
    pliCount: b.pliCount - a.pliCount,
    keyFramesDecoded: b.keyFramesDecoded - a.keyFramesDecoded,
    freezeCount: b.freezeCount - a.freezeCount,
    totalFreezesDuration: b.totalFreezesDuration - a.totalFreezesDuration,
  };
  console.log(
    `with loss over ${lossy.elapsedMs} ms: dropped ${JSON.stringify(dropped)}, longest stall ${lossy.longestStallMs} ms, ${JSON.stringify(delta)}`,
  );

  // The loss was real: the namespace dropped about 5 % of the subscriber's datagrams.
  const dropShare = dropped.toNamespace / (dropped.toNamespace + delta.packetsReceived);
  assert.ok(dropped.toNamespace > 0 && dropped.fromNamespace > 0, `packets were dropped: ${JSON.stringify(dropped)}`);
  assert.ok(
    dropShare > 0.02 && dropShare < 0.1,
    `about ${LOSS_PERCENT} % of the inbound datagrams dropped (${(dropShare * 100).toFixed(1)} %)`,
  );
  // The subscriber asked for the missing packets and the SFU resent them as RTX.
  assert.ok(delta.nackCount > 0, `the subscriber sent NACKs (${delta.nackCount})`);
  assert.ok(
    delta.retransmittedPacketsReceived >= dropped.toNamespace / 2,
    `RTX repaired most drops (${delta.retransmittedPacketsReceived} RTX packets for ${dropped.toNamespace} drops)`,
  );
  // Repaired, not resynchronised: without retransmissions every lost packet would cost a keyframe.
  assert.ok(delta.pliCount <= MAX_PLIS, `at most ${MAX_PLIS} keyframe requests (${delta.pliCount})`);
  // Video kept decoding: frames rose throughout, few and short freezes.
  const seconds = lossy.elapsedMs / 1000;
  assert.ok(delta.framesDecoded > 10 * seconds, `at least 10 frames/s decoded (${delta.framesDecoded} in ${seconds} s)`);
  assert.ok(delta.totalFreezesDuration <= MAX_FREEZES_S, `freezes total ${delta.totalFreezesDuration} s ≤ ${MAX_FREEZES_S} s`);

  // Without loss again, decoding goes on.
  await watchDecoding(subscriber, pubId, "after the loss", { forMs: 3_000, maxStallMs: MAX_STALL_MS });
  await subscriber.close();
  await publisher.close();
});
