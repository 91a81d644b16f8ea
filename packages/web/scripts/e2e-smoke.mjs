// End-to-end smoke test of the web app and SDK in Debian Chromium: two participants
// see and hear each other, mute shows, screen share adds a tile, a dropped socket
// resumes, leaving removes the tile, and the embed postMessage API works.
//
//   node packages/web/scripts/e2e-smoke.mjs [screenshot-dir]
//       against the fake SFU (client/test-support), started here
//   RELAIS_URL=http://127.0.0.1:7880 RELAIS_API_KEY=… RELAIS_API_SECRET=… node packages/web/scripts/e2e-smoke.mjs
//       against a running Relais server
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";
import { startFakeSfu } from "../../client/test-support/fake-sfu.mjs";
import { handleStatic } from "./static-server.mjs";

const shots = process.argv[2];
const external = process.env.RELAIS_URL;
const server = external ? null : await startFakeSfu({ onHttp: handleStatic });
const base = external ?? server.url;
const room = `smoke-${Date.now().toString(36)}`;
const token = (sub, name) => {
  const e = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${e({ alg: "HS256", typ: "JWT" })}.${e({ iss: process.env.RELAIS_API_KEY ?? "dev", sub, name, room, grants: {}, nbf: now - 5, exp: now + 3600 })}`;
  return `${body}.${createHmac("sha256", process.env.RELAIS_API_SECRET ?? "dev")
    .update(body)
    .digest("base64url")}`;
};
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
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
  ],
});
const open = async (path) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on("pageerror", (e) => console.log(`[pageerror] ${e.message}`));
  // Keep the page's WebSockets reachable so a test can break the signaling connection.
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  page.on("console", (m) => m.type() !== "debug" && console.log(`[${m.type()}] ${m.text()}`));
  await page.goto(`${base}${path}`);
  return page;
};
const step = (name) => console.log(`• ${name}`);
let failed = false;
try {
  step("Alice and Bob join with ?autoJoin=1");
  const alice = await open(`/r/${room}?token=${token("alice", "Alice Martin")}&autoJoin=1`);
  const bob = await open(`/r/${room}?token=${token("bob", "Bob")}&autoJoin=1&name=Bobby`);
  await alice.waitForSelector('#grid [data-participant-identity="bob"][data-track-source="camera"]', { timeout: 15000 });
  await bob.waitForSelector('#grid [data-participant-identity="alice"]', { timeout: 15000 });
  await alice.waitForFunction(
    () => window.relais.events.filter((e) => e.type === "trackSubscribed" && e.identity === "bob").length === 2,
    null,
    { timeout: 15000 },
  );

  step("media flows (inbound-rtp bytes via window.relais.room.pc.getStats())");
  await alice.waitForFunction(
    async () => {
      const stats = await window.relais.room.pc.getStats();
      let video = 0;
      let audio = 0;
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") video += s.bytesReceived;
        if (s.type === "inbound-rtp" && s.kind === "audio") audio += s.bytesReceived;
      });
      return video > 10000 && audio > 1000;
    },
    null,
    { timeout: 20000, polling: 500 },
  );
  await alice.waitForFunction(
    () => {
      const v = document.querySelector('[data-participant-identity="bob"] video');
      return v && v.videoWidth > 0 && !v.hidden;
    },
    null,
    { timeout: 10000 },
  );
  if (shots) await alice.screenshot({ path: `${shots}/call.png` });

  step("Bob mutes: Alice sees the muted indicator");
  await bob.click("#toggle-microphone");
  await alice.waitForSelector('[data-participant-identity="bob"] .mic-off:not([hidden])', { timeout: 5000 });

  step("Bob shares his screen: a screen tile appears for Alice");
  await bob.evaluate(() => {
    // Headless has no screen picker: hand getDisplayMedia a canvas stream.
    navigator.mediaDevices.getDisplayMedia = async () => {
      const canvas = Object.assign(document.createElement("canvas"), { width: 640, height: 360 });
      const ctx = canvas.getContext("2d");
      setInterval(() => {
        ctx.fillStyle = `hsl(${(Date.now() / 20) % 360} 60% 40%)`;
        ctx.fillRect(0, 0, 640, 360);
      }, 100);
      return canvas.captureStream(10);
    };
  });
  await bob.click("#toggle-screen");
  await alice.waitForSelector('[data-participant-identity="bob"][data-track-source="screen_share"]', { timeout: 10000 });
  if (shots) {
    await alice.waitForTimeout(1000);
    await alice.screenshot({ path: `${shots}/call-screen.png` });
  }
  await bob.click("#toggle-screen");
  await alice.waitForSelector('[data-track-source="screen_share"]', { state: "detached", timeout: 10000 });

  step("Bob's signaling socket breaks: he resumes without Alice seeing a leave");
  const bobSockets = await bob.evaluate(() => window.__sockets.length);
  await bob.evaluate(() => window.__sockets.at(-1).close(4000, "smoke test"));
  await bob.waitForFunction((n) => window.__sockets.length > n && window.relais.room.state === "connected", bobSockets, { timeout: 10000 });
  assert.equal(await bob.evaluate(() => document.getElementById("status").dataset.state), "connected");
  const aliceEvents = await alice.evaluate(() => window.relais.events.map((e) => `${e.type}:${e.identity}`));
  assert.ok(!aliceEvents.includes("participantLeft:bob"), `unexpected leave: ${aliceEvents}`);
  await bob.click("#toggle-microphone");
  await alice.waitForSelector('[data-participant-identity="bob"] .mic-off[hidden]', { state: "attached", timeout: 5000 });

  step("Bob leaves: his tile disappears for Alice");
  await bob.click("#leave");
  await alice.waitForSelector('[data-participant-identity="bob"]', { state: "detached", timeout: 10000 });
  assert.ok(await alice.evaluate(() => window.relais.events.some((e) => e.type === "participantLeft" && e.identity === "bob")));
  await bob.waitForSelector("#ended");

  step("embed: auto-joins, posts events, obeys relais:mute and relais:leave");
  const carol = await open(`/embed/${room}?token=${token("carol", "Carol")}&camera=0`);
  await carol.evaluate(() => {
    window.received = [];
    window.addEventListener("message", (e) => e.data?.type === "relais:event" && window.received.push(e.data));
  });
  await carol.waitForFunction(() => window.relais?.room?.state === "connected", null, { timeout: 15000 });
  await carol.waitForFunction(() => window.relais.room.localParticipant.isMicrophoneEnabled, null, { timeout: 10000 });
  await carol.evaluate(() => window.postMessage({ type: "relais:mute" }, location.origin));
  await carol.waitForFunction(() => !window.relais.room.localParticipant.isMicrophoneEnabled, null, { timeout: 5000 });
  await carol.evaluate(() => window.postMessage({ type: "relais:leave" }, "*"));
  await carol.waitForFunction(() => window.received.some((e) => e.event === "left"), null, { timeout: 5000 });
  await alice.waitForFunction(() => window.relais.events.some((e) => e.type === "participantLeft" && e.identity === "carol"), null, {
    timeout: 5000,
  });
  console.log("1 passed, 0 failed");
} catch (error) {
  failed = true;
  console.error(error);
  console.log("0 passed, 1 failed");
} finally {
  await browser.close();
  server?.close();
  process.exit(failed ? 1 : 0);
}
