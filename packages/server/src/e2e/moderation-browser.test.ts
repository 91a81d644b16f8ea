// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { inboundStats, localIdentity, nodeAndBrowser } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";

const env = nodeAndBrowser();
const ROOM = "moderated";

async function open(link: string, name: string): Promise<Page> {
  const page = await env.browser.newPage({ viewport: { width: 960, height: 600 } });
  page.on("pageerror", (e) => console.log(`[${name} pageerror] ${e.message}`));
  await page.goto(`${link}&autoJoin=1&name=${encodeURIComponent(name)}`);
  await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
  return page;
}

/** The admin: the node's API key over REST, as an integrator's backend would call it. */
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const auth = `Basic ${Buffer.from(`${env.node.keys.primary.apiKey}:${env.node.keys.primary.apiSecret}`).toString("base64")}`;
  const res = await fetch(`${env.node.url}/v1/rooms/${ROOM}${path}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

const audioFrom = async (page: Page, identity: string) =>
  (await inboundStats(page)).find((s) => s.identity === identity && s.kind === "audio")?.packetsReceived ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a moderator mutes, restricts and removes a participant; the SDK and the web app follow", async () => {
  const link = await env.node.joinLink(ROOM);
  const alice = await open(link, "Alice");
  const bob = await open(link, "Bob");
  const bobId = await localIdentity(bob);
  await waitFor("alice hears bob", async () => (await audioFrom(alice, bobId)) > 50, 30_000, 250);

  // 1. The admin mutes Bob's microphone.
  const info = await admin("GET", `/participants/${bobId}`);
  const mic = info.body.tracks.find((t: { source: string }) => t.source === "microphone");
  assert.ok(mic, JSON.stringify(info.body));
  const muted = await admin("POST", `/participants/${bobId}/tracks/${mic.sid}/mute`, { muted: true });
  assert.equal(muted.status, 200);

  // Bob's SDK gets the event and the web app says so; his unmute button is locked.
  await bob.waitForSelector("#moderation-notice:not([hidden])", { timeout: 10_000 });
  assert.match((await bob.textContent("#moderation-notice")) ?? "", /muted by a moderator/);
  const sdk = await bob.evaluate(() => {
    const pub = (globalThis as any).relais.room.localParticipant.getTrackPublication("microphone");
    return { muted: pub.muted, byModerator: pub.mutedByModerator, enabled: pub.track.enabled };
  });
  assert.deepEqual(sdk, { muted: true, byModerator: true, enabled: false });
  assert.equal(await bob.isDisabled("#toggle-microphone"), true);
  // Alice sees the muted microphone, and Bob's audio stops reaching her.
  await alice.waitForSelector(`[data-participant-identity="${bobId}"] .mic-off:not([hidden])`, { timeout: 10_000 });
  await sleep(1000); // packets in flight
  const flat = await audioFrom(alice, bobId);
  await sleep(2500);
  assert.ok((await audioFrom(alice, bobId)) - flat <= 2, "no audio from bob while muted by the moderator");

  // Unmuting himself is refused by the SDK (and by the server behind it) without the admin permission.
  const refused = await bob.evaluate(() =>
    (globalThis as any).relais.room.localParticipant.setMicrophoneEnabled(true).then(
      () => "unmuted",
      (e: any) => e.code,
    ),
  );
  assert.equal(refused, "PERMISSION_DENIED");
  await sleep(1000);
  assert.ok((await audioFrom(alice, bobId)) - flat <= 3, "still no audio after the refused unmute");

  // With the admin permission he may lift it: the button unlocks and his audio flows again.
  const promoted = await admin("PATCH", `/participants/${bobId}`, { permissions: { admin: true } });
  assert.equal(promoted.body.permissions.admin, true);
  await bob.waitForFunction(() => !(globalThis as any).document.getElementById("toggle-microphone").disabled, null, { timeout: 10_000 });
  await bob.click("#toggle-microphone");
  const resumed = await audioFrom(alice, bobId);
  await waitFor("bob's audio flows again", async () => (await audioFrom(alice, bobId)) > resumed + 50, 15_000, 250);
  await admin("PATCH", `/participants/${bobId}`, { permissions: { admin: false } });

  // 2. Publishing revoked: Bob's camera (and microphone) are unpublished, in his page and in Alice's.
  const restricted = await admin("PATCH", `/participants/${bobId}`, { permissions: { canPublish: false } });
  assert.equal(restricted.body.permissions.canPublish, false);
  assert.deepEqual(restricted.body.tracks, []);
  await bob.waitForFunction(() => (globalThis as any).relais.room.localParticipant.getTrackPublication("camera") === undefined, null, {
    timeout: 10_000,
  });
  assert.equal(await bob.isDisabled("#toggle-camera"), true);
  await alice.waitForFunction(
    (id) =>
      [...(globalThis as any).relais.room.remoteParticipants.values()].find((p: any) => p.identity === id)?.trackPublications.size === 0,
    bobId,
    { timeout: 10_000 },
  );
  await alice.waitForSelector(`[data-participant-identity="${bobId}"][data-track-source="camera"]:not(.has-video)`, { timeout: 10_000 });

  // 3. Removed: Bob's page says so; Alice's tile of him goes.
  assert.equal((await admin("DELETE", `/participants/${bobId}`)).status, 204);
  await bob.waitForSelector('#ended[data-reason="removed"]', { timeout: 10_000 });
  assert.match((await bob.textContent("#ended")) ?? "", /removed/);
  await alice.waitForSelector(`#grid [data-participant-identity="${bobId}"]`, { state: "detached", timeout: 10_000 });
  await alice.close();
  await bob.close();
});
