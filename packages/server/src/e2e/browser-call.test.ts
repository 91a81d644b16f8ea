// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { fakeDisplayMedia, type InboundStat, inboundStats, localIdentity, nodeAndBrowser, openJoinLink } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";

const env = nodeAndBrowser();

const decoded = (stats: InboundStat[], identity: string, source: string) =>
  stats.find((s) => s.identity === identity && s.source === source && s.kind === "video")?.framesDecoded ?? 0;
const audioPackets = (stats: InboundStat[], identity: string) =>
  stats.find((s) => s.identity === identity && s.kind === "audio")?.packetsReceived ?? 0;

/** Waits until `page` decodes rising video frames of `identity`'s `source` (two samples, increasing). */
async function expectDecoding(page: Page, identity: string, source = "camera"): Promise<void> {
  let before = 0;
  await waitFor(
    `${source} frames of ${identity}`,
    async () => {
      before = decoded(await inboundStats(page), identity, source);
      return before > 10;
    },
    30_000,
    250,
  );
  await waitFor(
    `${source} frames of ${identity} rising`,
    async () => decoded(await inboundStats(page), identity, source) > before + 10,
    15_000,
    250,
  );
}

async function expectAudio(page: Page, identity: string): Promise<void> {
  await waitFor(`audio packets from ${identity}`, async () => audioPackets(await inboundStats(page), identity) > 50, 30_000, 250);
}

test("three browsers join through the join link, decode each other, share a screen, leave and rejoin", async () => {
  const link = await env.node.joinLink("call");
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/r\/call\?token=[\w-]+\.[\w-]+\.[\w-]+$/);
  const pages = [
    await openJoinLink(env.browser, link, "Alice"),
    await openJoinLink(env.browser, link, "Bob"),
    await openJoinLink(env.browser, link, "Carol"),
  ];
  const ids = await Promise.all(pages.map(localIdentity));
  assert.equal(new Set(ids).size, 3, "each tab of a shared join link gets its own identity");

  // Every page decodes both other cameras and receives both other microphones.
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      await expectDecoding(pages[i]!, ids[j]!);
      await expectAudio(pages[i]!, ids[j]!);
    }
  }
  // Names from the join form reach the others' tiles.
  await pages[0]!.waitForSelector(`#grid [data-participant-identity="${ids[1]}"]`, { timeout: 10_000 });
  assert.match((await pages[0]!.textContent(`#grid [data-participant-identity="${ids[1]}"]`)) ?? "", /Bob/);

  // Carol shares her screen; Alice and Bob decode it.
  await fakeDisplayMedia(pages[2]!);
  await pages[2]!.click("#toggle-screen");
  await expectDecoding(pages[0]!, ids[2]!, "screen_share");
  await expectDecoding(pages[1]!, ids[2]!, "screen_share");
  await pages[0]!.waitForSelector(`#grid [data-participant-identity="${ids[2]}"][data-track-source="screen_share"]`, { timeout: 10_000 });

  // Bob leaves: the others see participantLeft and his tile disappears.
  await pages[1]!.click("#leave");
  for (const p of [pages[0]!, pages[2]!]) {
    await p.waitForSelector(`#grid [data-participant-identity="${ids[1]}"]`, { state: "detached", timeout: 15_000 });
    const events = await p.evaluate(() => (globalThis as any).relais.events as { type: string; identity: string }[]);
    assert.ok(
      events.some((e) => e.type === "participantLeft" && e.identity === ids[1]),
      `participantLeft for ${ids[1]}`,
    );
  }
  await pages[1]!.close();

  // Bob rejoins through the same link and everyone decodes him again (and he them).
  const bob2 = await openJoinLink(env.browser, link, "Bob");
  const bobId = await localIdentity(bob2);
  await expectDecoding(pages[0]!, bobId);
  await expectDecoding(pages[2]!, bobId);
  await expectDecoding(bob2, ids[0]!);
  await expectDecoding(bob2, ids[2]!, "screen_share");
  for (const p of [pages[0]!, pages[2]!, bob2]) await p.close();
});
