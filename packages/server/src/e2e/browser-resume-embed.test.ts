// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { inboundStats, nodeAndBrowser } from "./support/browser.js";
import { waitFor } from "./support/test-node.js";

const env = nodeAndBrowser();

async function join(room: string, identity: string): Promise<Page> {
  const page = await env.browser.newPage();
  // Keep the page's WebSockets reachable so the test can break the signaling connection.
  await page.addInitScript(() => {
    const g = globalThis as any;
    const Native = g.WebSocket;
    g.__sockets = [];
    g.WebSocket = class extends Native {
      constructor(...args: unknown[]) {
        super(...args);
        g.__sockets.push(this);
      }
    };
  });
  await page.goto(`${env.node.url}/r/${room}?token=${await env.node.token({ room, identity, name: identity })}&autoJoin=1`);
  await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
  return page;
}

const framesFrom = async (page: Page, identity: string) =>
  (await inboundStats(page)).find((s) => s.identity === identity && s.kind === "video")?.framesDecoded ?? 0;

test("a dropped signaling socket resumes: no leave, no republish, media keeps flowing", async () => {
  const alice = await join("resume", "alice");
  const bob = await join("resume", "bob");
  await waitFor("alice decodes bob", async () => (await framesFrom(alice, "bob")) > 20, 30_000, 250);
  const tracksBefore = await alice.evaluate(() =>
    [...(globalThis as any).relais.room.remoteParticipants.values()].flatMap((p: any) => [...p.trackPublications.keys()]).sort(),
  );
  const sockets = await bob.evaluate(() => (globalThis as any).__sockets.length);
  await bob.evaluate(() => (globalThis as any).__sockets.at(-1).close(4000, "network drop"));
  await bob.waitForFunction(
    (n) => (globalThis as any).__sockets.length > n && (globalThis as any).relais.room.state === "connected",
    sockets,
    { timeout: 15_000 },
  );
  const events = await alice.evaluate(() => (globalThis as any).relais.events as { type: string; identity: string }[]);
  assert.ok(!events.some((e) => e.type === "participantLeft"), JSON.stringify(events));
  const tracksAfter = await alice.evaluate(() =>
    [...(globalThis as any).relais.room.remoteParticipants.values()].flatMap((p: any) => [...p.trackPublications.keys()]).sort(),
  );
  assert.deepEqual(tracksAfter, tracksBefore, "bob's tracks were not republished");
  const frames = await framesFrom(alice, "bob");
  await waitFor("frames keep rising after the resume", async () => (await framesFrom(alice, "bob")) > frames + 20, 15_000, 250);
  // The resumed session is live: a mute travels over the new socket.
  await bob.click("#toggle-microphone");
  await alice.waitForSelector('[data-participant-identity="bob"] .mic-off:not([hidden])', { timeout: 10_000 });
  await alice.close();
  await bob.close();
});

test("the embed joins the same call in an iframe and speaks postMessage", async () => {
  const viewer = await join("embedded", "viewer");
  const host = await env.browser.newPage();
  const token = await env.node.token({ room: "embedded", identity: "kiosk", name: "Kiosk" });
  await host.route(`${env.node.url}/host`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><iframe id="f" width="640" height="480" allow="camera; microphone; display-capture" src="/embed/embedded?token=${token}"></iframe>
<script>window.got = []; addEventListener("message", (e) => { if (e.data && e.data.type === "relais:event") window.got.push(e.data); });</script>`,
    }),
  );
  await host.goto(`${env.node.url}/host`);
  await host.waitForFunction(() => (globalThis as any).got.some((e: any) => e.event === "joined" && e.identity === "kiosk"), null, {
    timeout: 20_000,
  });
  await waitFor("viewer decodes the embedded participant", async () => (await framesFrom(viewer, "kiosk")) > 20, 30_000, 250);
  const frame = host.frames().find((f) => f.url().includes("/embed/"))!;
  await host.evaluate(
    (origin) => (globalThis as any).document.getElementById("f").contentWindow.postMessage({ type: "relais:mute" }, origin),
    env.node.url,
  );
  await frame.waitForFunction(() => !(globalThis as any).relais.room.localParticipant.isMicrophoneEnabled, null, { timeout: 10_000 });
  await viewer.waitForSelector('[data-participant-identity="kiosk"] .mic-off:not([hidden])', { timeout: 10_000 });
  await host.evaluate(
    (origin) => (globalThis as any).document.getElementById("f").contentWindow.postMessage({ type: "relais:leave" }, origin),
    env.node.url,
  );
  await viewer.waitForSelector('[data-participant-identity="kiosk"]', { state: "detached", timeout: 15_000 });
  await host.waitForFunction(() => (globalThis as any).got.some((e: any) => e.event === "left"), null, { timeout: 10_000 });
  await host.close();
  await viewer.close();
});
