// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_ARGS, inboundStats, localIdentity } from "./support/browser.js";
import { startTestNode, type TestNode, waitFor } from "./support/test-node.js";

/** A 440 Hz tone at half scale (about -9 dBov), 48 kHz mono 16-bit PCM: Chromium loops it as its fake microphone. */
function toneWav(seconds: number): Buffer {
  const rate = 48_000;
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 16_000), 44 + i * 2);
  return wav;
}

const dir = mkdtempSync(path.join(tmpdir(), "relais-speaker-"));
let node: TestNode;
let browser: Browser;

before(async () => {
  const wav = path.join(dir, "tone.wav");
  writeFileSync(wav, toneWav(4));
  node = await startTestNode();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, `--use-file-for-fake-audio-capture=${wav}`],
  });
});
after(async () => {
  await browser?.close();
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(link: string, name: string, query = ""): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 960, height: 600 } });
  page.on("pageerror", (e) => console.log(`[${name} pageerror] ${e.message}`));
  await page.goto(`${link}&autoJoin=1&name=${encodeURIComponent(name)}${query}`);
  await page.waitForFunction(() => (globalThis as any).relais?.room?.state === "connected", null, { timeout: 20_000 });
  return page;
}

const speakers = (page: Page) =>
  page.evaluate(() => (globalThis as any).relais.room.activeSpeakers.map((p: any) => p.identity) as string[]);
const speakerEvents = (page: Page) => page.evaluate(() => (globalThis as any).relais.speakers as string[][]);
const tileAttr = (page: Page, identity: string, selector: string, attribute: string) =>
  page.evaluate(
    ({ identity, selector, attribute }) => {
      const tile = (globalThis as any).document.querySelector(
        `#grid [data-participant-identity="${identity}"][data-track-source="camera"]`,
      );
      const el = selector ? tile?.querySelector(selector) : tile;
      return (el?.getAttribute(attribute) ?? null) as string | null;
    },
    { identity, selector, attribute },
  );

test("the speaking tab is ranked first in both tabs and outlined; the silent one is not; quality is excellent", async () => {
  const link = await node.joinLink("speakers");
  const loud = await open(link, "Loud");
  // The quiet tab publishes a real audio track that carries silence: an oscillator through a zero gain
  // (a destination with no input at all renders nothing, so Chromium would send no packets).
  const quiet = await open(link, "Quiet", "&microphone=0");
  await quiet.evaluate(async () => {
    const g = globalThis as any;
    const ctx = new g.AudioContext();
    const destination = ctx.createMediaStreamDestination();
    const gain = ctx.createGain();
    gain.gain.value = 0;
    const oscillator = ctx.createOscillator();
    oscillator.connect(gain).connect(destination);
    oscillator.start();
    const track = destination.stream.getAudioTracks()[0];
    await g.relais.room.localParticipant.publishTrack(track, { source: "microphone", name: "silence" });
  });
  const loudId = await localIdentity(loud);
  const quietId = await localIdentity(quiet);

  // Both audio tracks really flow (the silent one too: silence is ranked out, not missing).
  await waitFor(
    "quiet receives loud's audio",
    async () => (await inboundStats(quiet)).some((s) => s.identity === loudId && s.kind === "audio" && s.packetsReceived > 100),
    30_000,
    250,
  );
  await waitFor(
    "loud receives quiet's audio",
    async () => (await inboundStats(loud)).some((s) => s.identity === quietId && s.kind === "audio" && s.packetsReceived > 100),
    30_000,
    250,
  );

  for (const page of [loud, quiet]) {
    await waitFor(
      "speakersChanged ranks the loud tab, alone",
      async () => JSON.stringify(await speakers(page)) === JSON.stringify([loudId]),
      20_000,
      250,
    );
    const events = await speakerEvents(page);
    assert.ok(
      events.some((e) => e[0] === loudId),
      `a speakersChanged led by ${loudId}: ${JSON.stringify(events)}`,
    );
    assert.ok(!events.some((e) => e.includes(quietId)), `the silent participant never speaks: ${JSON.stringify(events)}`);
    await waitFor("the loud tile is outlined", async () => (await tileAttr(page, loudId, "", "data-speaking")) === "true", 10_000, 200);
    assert.equal(await tileAttr(page, quietId, "", "data-speaking"), null);
  }
  const level = await quiet.evaluate(() => [...(globalThis as any).relais.room.remoteParticipants.values()][0].audioLevel as number);
  // The tone is -9 dBov at the source; Chromium's noise suppression treats a steady tone as noise and
  // lowers it (about -27 dBov measured), still well above the -40 dBov start level of the ranking.
  assert.ok(level > 0.02 && level <= 1, `the loud tab's level: ${level}`);

  // Connection quality on loopback: excellent, in both tabs' tiles and in the REST API.
  for (const [page, id] of [
    [loud, quietId],
    [quiet, loudId],
    [loud, loudId],
  ] as const) {
    await waitFor(`quality of ${id}`, async () => (await tileAttr(page, id, ".quality", "data-quality")) === "excellent", 20_000, 250);
    assert.equal(await tileAttr(page, id, ".quality", "aria-label"), "Connection: excellent");
  }
  const auth = `Basic ${Buffer.from(`${node.keys.primary.apiKey}:${node.keys.primary.apiSecret}`).toString("base64")}`;
  const get = async (p: string) =>
    (await (await fetch(`${node.url}/v1/rooms/speakers${p}`, { headers: { authorization: auth } })).json()) as any;
  const one = await get(`/participants/${loudId}`);
  assert.equal(one.connectionQuality, "excellent");
  const list = await get("/participants");
  assert.deepEqual(
    list.participants.map((p: { connectionQuality: string }) => p.connectionQuality),
    ["excellent", "excellent"],
  );

  // The loud tab mutes: nobody speaks any more, and both tabs hear of it.
  await loud.click("#toggle-microphone");
  for (const page of [loud, quiet]) {
    await waitFor("the speaker list empties", async () => (await speakers(page)).length === 0, 20_000, 250);
    assert.equal(await tileAttr(page, loudId, "", "data-speaking"), null);
  }
  await loud.close();
  await quiet.close();
});
