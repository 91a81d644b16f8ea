// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import { after, before } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import type { DeepPartial, RelaisConfig } from "../../config/config.js";
import { startTestNode, type TestNode } from "./test-node.js";

/** The flags this project runs Debian's Chromium with (no network beyond loopback, fake camera and microphone). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--autoplay-policy=no-user-gesture-required",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A test node and a Chromium for the tests of one file: started before them, stopped after. */
export function nodeAndBrowser(overrides: DeepPartial<RelaisConfig> = {}): { node: TestNode; browser: Browser } {
  const env = {} as { node: TestNode; browser: Browser };
  before(async () => {
    env.node = await startTestNode(overrides);
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.node?.stop();
  });
  return env;
}

/**
 * Opens a join link in a new page of `browser` (`&autoJoin=1&name=…` plus `o.query`, e.g.
 * `&camera=0`) and waits until the room is connected; page errors go to the test's log.
 */
export async function openJoinLink(
  browser: Browser,
  link: string,
  name: string,
  o: { query?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 960, height: 600 } });
  page.on("pageerror", (e) => console.log(`[${name} pageerror] ${e.message}`));
  await page.goto(`${link}&autoJoin=1&name=${encodeURIComponent(name)}${o.query ?? ""}`);
  await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
  return page;
}

/** One inbound stream as a page's RTCPeerConnection reports it, attributed to a remote participant. */
export interface InboundStat {
  identity: string;
  source: string;
  kind: string;
  framesDecoded: number;
  packetsReceived: number;
}

/** Reads `getStats()` of the page's call and maps each inbound-rtp to the remote publication on its mid. */
export function inboundStats(page: Page): Promise<InboundStat[]> {
  return page.evaluate(async () => {
    const room = (globalThis as any).relais.room;
    const byMid = new Map<string, { identity: string; source: string }>();
    for (const p of room.remoteParticipants.values()) {
      for (const pub of p.trackPublications.values()) if (pub.mid) byMid.set(pub.mid, { identity: p.identity, source: pub.source });
    }
    const out: InboundStat[] = [];
    const stats: any = await room.pc.getStats();
    stats.forEach((s: any) => {
      if (s.type !== "inbound-rtp") return;
      const who = byMid.get(s.mid);
      if (!who) return;
      out.push({ ...who, kind: s.kind, framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0 });
    });
    return out;
  });
}

/** The local identity of the page's participant (join links give each tab its own). */
export function localIdentity(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as any).relais.room.localParticipant.identity as string);
}

/** Headless Chromium has no screen picker: getDisplayMedia returns an animated canvas instead. */
export async function fakeDisplayMedia(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    g.navigator.mediaDevices.getDisplayMedia = async () => {
      const canvas = Object.assign(g.document.createElement("canvas"), { width: 640, height: 360 });
      const ctx = canvas.getContext("2d")!;
      setInterval(() => {
        ctx.fillStyle = `hsl(${(Date.now() / 20) % 360} 60% 40%)`;
        ctx.fillRect(0, 0, 640, 360);
        ctx.fillStyle = "#fff";
        ctx.fillText(new Date().toISOString(), 20, 40);
      }, 50);
      return canvas.captureStream(15);
    };
  });
}
