// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { localIdentity, nodeAndBrowser, openJoinLink } from "./support/browser.js";
import { startTestNode, waitFor } from "./support/test-node.js";

const env = nodeAndBrowser();

interface Got {
  from: string | null;
  name: string | null;
  topic: string | null;
  reliable: boolean;
  bytes: number[];
  length: number;
  sum: number;
}

/** A joined page whose received data is recorded; `query` adds to the join link (e.g. `&camera=0`). */
async function openChatPage(link: string, name: string, query = ""): Promise<Page> {
  const page = await openJoinLink(env.browser, link, name, { query, viewport: { width: 1100, height: 700 } });
  // Record every dataReceived the SDK emits (small payloads in full, large ones as length and checksum).
  await page.evaluate(() => {
    const g = globalThis as any;
    g.__data = [];
    g.relais.room.on("dataReceived", (payload: Uint8Array, p: any, info: any) => {
      let sum = 0;
      for (const b of payload) sum = (sum + b) % 65521;
      g.__data.push({
        from: p?.identity ?? null,
        name: p?.name ?? null,
        topic: info.topic ?? null,
        reliable: info.reliable,
        bytes: payload.length <= 512 ? [...payload] : [],
        length: payload.length,
        sum,
      });
    });
  });
  return page;
}

const received = (page: Page): Promise<Got[]> => page.evaluate(() => (globalThis as any).__data as Got[]);

function publish(page: Page, bytes: number[], options: Record<string, unknown>): Promise<void> {
  return page.evaluate(([b, o]) => (globalThis as any).relais.room.localParticipant.publishData(new Uint8Array(b as number[]), o), [
    bytes,
    options,
  ] as const);
}

/** Every page pings (reliable, topic "ping") until each has heard every other page. */
async function pingEveryone(pages: Page[], ids: string[], what: string): Promise<void> {
  await waitFor(
    what,
    async () => {
      await Promise.all(pages.map((p) => publish(p, [1], { topic: "ping" })));
      const heard = await Promise.all(
        pages.map(async (p) => new Set((await received(p)).filter((g) => g.topic === "ping").map((g) => g.from))),
      );
      return heard.every((set, i) => ids.every((id, j) => i === j || set.has(id)));
    },
    30_000,
    300,
  );
}

test("data channels: chat in the web app, lossy binary round trip, destinationIdentities, size limit", async () => {
  const link = await env.node.joinLink("data");
  const pages = [await openChatPage(link, "Alice"), await openChatPage(link, "Bob"), await openChatPage(link, "Carol")];
  const [alice, bob, carol] = pages as [Page, Page, Page];
  const ids = await Promise.all(pages.map(localIdentity));
  const [aliceId, bobId, carolId] = ids as [string, string, string];

  // Every page's channels are relayed both ways: each pings until it has heard every other page.
  await pingEveryone(pages, ids, "pings between all three pages");
  const pings = (await received(bob)).filter((g) => g.topic === "ping" && g.from === aliceId);
  assert.ok(
    pings.every((g) => g.reliable && g.name === "Alice"),
    "reliable by default, sender resolved to Alice",
  );

  // Chat through the UI: Alice types and presses Enter; Bob's and Carol's panels show it under her name, escaped.
  const text = `Hello <img src=x onerror="window.__pwned=1"> & welcome ${Date.now()}`;
  await alice.click("#toggle-chat");
  assert.equal(await alice.getAttribute("#toggle-chat", "aria-expanded"), "true");
  assert.equal(await alice.evaluate(() => (globalThis as any).document.activeElement?.id), "chat-input", "the input takes focus");
  await alice.fill("#chat-input", text);
  await alice.press("#chat-input", "Enter");
  await alice.waitForSelector("#chat-messages li.local", { timeout: 10_000 });
  assert.equal(await alice.inputValue("#chat-input"), "", "the input is cleared after sending");
  for (const page of [bob, carol]) {
    const item = `#chat-messages li[data-sender-identity="${aliceId}"]`;
    await page.waitForSelector(item, { state: "attached", timeout: 15_000 });
    assert.equal(await page.textContent(`${item} .chat-sender`), "Alice");
    assert.equal(await page.textContent(`${item} .chat-text`), text);
    assert.equal(await page.locator("#chat-messages img").count(), 0, "message text is never parsed as HTML");
    assert.equal(await page.evaluate(() => (globalThis as any).__pwned ?? null), null);
    assert.equal(await page.textContent("#toggle-chat .chat-badge"), "1", "unread badge on the closed panel");
  }
  const chat = (await received(bob)).find((g) => g.topic === "chat");
  assert.ok(chat && chat.from === aliceId && chat.reliable);
  assert.deepEqual(JSON.parse(Buffer.from(chat.bytes).toString("utf8")), { text });

  // Lossy binary round trip through the SDK: Bob sends 256 bytes unreliably, Alice echoes them back.
  const binary = Array.from({ length: 256 }, (_, i) => 255 - i);
  await alice.evaluate(() => {
    const g = globalThis as any;
    g.relais.room.on("dataReceived", (payload: Uint8Array, p: any, info: any) => {
      if (info.topic === "echo-request")
        void g.relais.room.localParticipant.publishData(payload, { reliable: false, topic: "echo", destinationIdentities: [p.identity] });
    });
  });
  const echo = await waitFor(
    "lossy echo from Alice",
    async () => {
      await publish(bob, binary, { reliable: false, topic: "echo-request", destinationIdentities: [aliceId] });
      return (await received(bob)).find((g) => g.topic === "echo");
    },
    15_000,
    500,
  );
  assert.equal(echo.from, aliceId);
  assert.equal(echo.reliable, false, "arrived on the lossy channel");
  assert.deepEqual(echo.bytes, binary);
  const request = (await received(alice)).find((g) => g.topic === "echo-request")!;
  assert.deepEqual([request.from, request.reliable], [bobId, false]);
  assert.equal(
    (await received(carol)).some((g) => g.topic === "echo-request" || g.topic === "echo"),
    false,
    "addressed packets skip Carol",
  );

  // destinationIdentities: only Carol gets the direct message; Bob gets the broadcast sent right after (same ordered channel).
  await publish(alice, [7, 7, 7], { topic: "dm", destinationIdentities: [carolId] });
  await publish(alice, [8], { topic: "after-dm" });
  await waitFor("Carol's direct message", async () => (await received(carol)).some((g) => g.topic === "dm" && g.from === aliceId));
  await waitFor("Bob's broadcast", async () => (await received(bob)).some((g) => g.topic === "after-dm"));
  assert.equal(
    (await received(bob)).some((g) => g.topic === "dm"),
    false,
    "Bob never sees Carol's direct message",
  );

  // Near the limit passes intact (SCTP fragmentation and reassembly both ways); above it the SDK refuses with a clear error.
  const bigLength = 65536 - 6 - "big".length;
  await alice.evaluate((n) => {
    const payload = new Uint8Array(n);
    for (let i = 0; i < n; i++) payload[i] = (i * 31) & 0xff;
    return (globalThis as any).relais.room.localParticipant.publishData(payload, { topic: "big" });
  }, bigLength);
  let expectedSum = 0;
  for (let i = 0; i < bigLength; i++) expectedSum = (expectedSum + ((i * 31) & 0xff)) % 65521;
  const big = await waitFor("64 KiB packet at Bob", async () => (await received(bob)).find((g) => g.topic === "big"), 15_000, 200);
  assert.deepEqual([big.length, big.sum, big.from], [bigLength, expectedSum, aliceId]);
  const refused = await alice.evaluate(async () => {
    try {
      await (globalThis as any).relais.room.localParticipant.publishData(new Uint8Array(65536), { topic: "too-big" });
      return null;
    } catch (error: any) {
      return { code: error.code, message: error.message };
    }
  });
  assert.equal(refused?.code, "DATA_TOO_LARGE");
  assert.match(refused.message, /65536 bytes/);

  // The worker relayed it all itself and dropped nothing for lack of identity or grant.
  const stats = await env.node.media.workers[0]!.request("getWorkerStats", {});
  assert.equal(stats.data.associations, 3);
  assert.ok(stats.data.messagesRelayed >= 8, `relayed ${stats.data.messagesRelayed}`);
  assert.equal(stats.data.droppedUnauthorized, 0);
  assert.equal(stats.data.droppedTooLarge, 0);
  for (const p of pages) await p.close();
});

test("data channels of a room that spans two media workers reach every participant, destinations included", async () => {
  // Spill after one transport: Alice's room starts on worker 0, Bob is placed on worker 1, Carol back on 0.
  const two = await startTestNode({ media: { workers: 2, spillAfterTransports: 1 } });
  try {
    const link = await two.joinLink("data-two-workers");
    const pages: Page[] = [];
    for (const name of ["Alice", "Bob", "Carol"]) pages.push(await openChatPage(link, name, "&camera=0&microphone=0"));
    const [alice, bob, carol] = pages as [Page, Page, Page];
    const ids = await Promise.all(pages.map(localIdentity));
    const [aliceId, bobId, carolId] = ids as [string, string, string];
    const transports = await Promise.all(two.media.workers.map(async (w) => (await w.request("getWorkerStats", {})).transports));
    assert.deepEqual(transports, [2, 1], "the room spans both workers");

    await pingEveryone(pages, ids, "pings between all three pages, across workers");
    // Addressed across workers: Bob (worker 1) writes to Carol (worker 0) only; Alice never sees it.
    await publish(bob, [9, 9], { topic: "dm", destinationIdentities: [carolId] });
    await publish(bob, [10], { topic: "after-dm" });
    const dm = await waitFor("Carol's message from Bob", async () => (await received(carol)).find((g) => g.topic === "dm"));
    assert.deepEqual([dm.from, dm.bytes, dm.reliable], [bobId, [9, 9], true]);
    await waitFor("Alice's broadcast after it", async () => (await received(alice)).some((g) => g.topic === "after-dm"));
    assert.equal(
      (await received(alice)).some((g) => g.topic === "dm"),
      false,
      "Alice never sees Bob's message to Carol",
    );
    // Lossy across workers, sender stamped by the SFU.
    const lossy = await waitFor(
      "a lossy packet from Alice at Bob",
      async () => {
        await publish(alice, [42], { topic: "lossy", reliable: false, destinationIdentities: [bobId] });
        return (await received(bob)).find((g) => g.topic === "lossy");
      },
      15_000,
      300,
    );
    assert.deepEqual([lossy.from, lossy.reliable], [aliceId, false]);

    const stats = await Promise.all(two.media.workers.map((w) => w.request("getWorkerStats", {})));
    for (const [i, s] of stats.entries()) {
      assert.ok(s.data.forwardedToWorkers > 0, `worker ${i} handed packets to the other`);
      assert.ok(s.data.receivedFromWorkers > 0, `worker ${i} delivered packets from the other`);
    }
    for (const p of pages) await p.close();
  } finally {
    await two.stop();
  }
});
