import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DataChannelEndpoint, type DataChannelEndpointOptions } from "./data-channel-endpoint.js";
import { newDataChannelStats } from "./data-limits.js";
import { encodeOpen } from "./dcep.js";

type Received = { label: string; data: Buffer; binary: boolean };

/** Two endpoints over an in-memory datagram link (delivery on the next macrotask, like a socket). */
function linkedPair(maxMessageSize = 65536) {
  const stats = { client: newDataChannelStats(), server: newDataChannelStats() };
  const received = { client: [] as Received[], server: [] as Received[] };
  const labels: string[] = [];
  let client: DataChannelEndpoint;
  let server: DataChannelEndpoint;
  const common = (side: "client" | "server"): Omit<DataChannelEndpointOptions, "role" | "send"> => ({
    maxMessageSize,
    stats: stats[side],
    onMessage: (c, data, binary) => received[side].push({ label: c.label, data: Buffer.from(data), binary }),
  });
  server = new DataChannelEndpoint({
    role: "server",
    send: (b) => setImmediate(() => client.handlePacket(Buffer.from(b))),
    onChannel: (c) => labels.push(c.label),
    ...common("server"),
  });
  client = new DataChannelEndpoint({
    role: "client",
    send: (b) => setImmediate(() => server.handlePacket(Buffer.from(b))),
    ...common("client"),
  });
  return {
    client,
    server,
    stats,
    received,
    labels,
    close: () => {
      client.close();
      server.close();
    },
  };
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("DataChannelEndpoint over an in-memory link", () => {
  it("opens channels with DCEP and exchanges strings, binary and empty messages both ways", async () => {
    const l = linkedPair();
    try {
      const reliable = l.client.openChannel("_reliable");
      const lossy = l.client.openChannel("_lossy", { ordered: false, maxRetransmits: 0 });
      assert.deepEqual([reliable.streamId, lossy.streamId], [0, 2], "DTLS client uses even stream ids (RFC 8832 §6)");
      await until("association", () => l.client.connected && l.server.connected);
      await until("DATA_CHANNEL_ACK", () => reliable.open && lossy.open);
      assert.deepEqual(l.labels, ["_reliable", "_lossy"]);
      const serverLossy = l.server.channelByLabel("_lossy")!;
      assert.deepEqual([serverLossy.ordered, serverLossy.maxRetransmits], [false, 0]);

      assert.equal(l.client.send(reliable, Buffer.from("hello"), false), true);
      assert.equal(l.client.send(lossy, Buffer.from([1, 2, 3]), true), true);
      assert.equal(l.client.send(reliable, Buffer.alloc(0), true), true);
      assert.equal(l.client.send(reliable, Buffer.alloc(0), false), true);
      await until("4 messages at the server", () => l.received.server.length === 4);
      const byKind = l.received.server.map((m) => [m.label, m.binary, m.data.toString("hex")]);
      assert.deepEqual(
        byKind.sort((a, b) => String(a).localeCompare(String(b))),
        [
          ["_lossy", true, "010203"],
          ["_reliable", false, ""],
          ["_reliable", false, Buffer.from("hello").toString("hex")],
          ["_reliable", true, ""],
        ].sort((a, b) => String(a).localeCompare(String(b))),
      );

      // The server answers on the channel the client opened.
      assert.equal(l.server.send(l.server.channelByLabel("_reliable")!, Buffer.from("back"), false), true);
      await until("reply", () => l.received.client.length === 1);
      assert.deepEqual(l.received.client[0], { label: "_reliable", data: Buffer.from("back"), binary: false });
      assert.equal(l.stats.server.associations, 1);
      assert.equal(l.stats.server.messagesReceived, 4);
    } finally {
      l.close();
    }
  });

  it("keeps order on the reliable channel and carries messages up to max-message-size", async () => {
    const l = linkedPair();
    try {
      const reliable = l.client.openChannel("_reliable");
      await until("open", () => reliable.open);
      const big = Buffer.alloc(65536);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      for (let i = 0; i < 50; i++) l.client.send(reliable, Buffer.from(`m${i}`), false);
      assert.equal(l.client.send(reliable, big, true), true);
      assert.equal(l.client.send(reliable, Buffer.alloc(65537), true), false, "over max-message-size is refused");
      await until("51 messages", () => l.received.server.length === 51, 10_000);
      assert.deepEqual(
        l.received.server.slice(0, 50).map((m) => m.data.toString()),
        Array.from({ length: 50 }, (_, i) => `m${i}`),
      );
      assert.equal(l.received.server[50]!.data.equals(big), true, "64 KiB message reassembled intact");
    } finally {
      l.close();
    }
  });

  it("delivers a burst of 3000 queued messages in order, and refuses sends beyond the queue limit", async () => {
    const l = linkedPair();
    try {
      const reliable = l.client.openChannel("_reliable");
      await until("open", () => reliable.open);
      const started = Date.now();
      for (let i = 0; i < 3000; i++) assert.equal(l.client.send(reliable, Buffer.from(String(i)), false), true);
      await until("3000 messages", () => l.received.server.length === 3000, 20_000);
      const order = l.received.server.map((m) => Number(m.data.toString()));
      assert.deepEqual(
        order,
        Array.from({ length: 3000 }, (_, i) => i),
      );
      console.log(`# 3000-message burst delivered in ${Date.now() - started} ms`);
      // 2 MiB of queue: the 33rd 64 KiB message does not fit while the first ones are still queued.
      const chunk = Buffer.alloc(65536);
      let accepted = 0;
      while (l.client.send(reliable, chunk, true)) accepted++;
      assert.ok(accepted >= 32 && accepted < 40, `accepted ${accepted} before the queue was full`);
    } finally {
      l.close();
    }
  });

  it("drops what exceeds the receiver's max-message-size and counts it", async () => {
    const stats = newDataChannelStats();
    const got: Buffer[] = [];
    let client: DataChannelEndpoint;
    const server = new DataChannelEndpoint({
      role: "server",
      send: (b) => setImmediate(() => client.handlePacket(Buffer.from(b))),
      maxMessageSize: 1000,
      stats,
      onMessage: (_c, d) => got.push(d),
    });
    client = new DataChannelEndpoint({
      role: "client",
      send: (b) => setImmediate(() => server.handlePacket(Buffer.from(b))),
      maxMessageSize: 100_000,
      stats: newDataChannelStats(),
      onMessage: () => {},
    });
    try {
      const c = client.openChannel("_reliable");
      await until("open", () => c.open);
      client.send(c, Buffer.alloc(5000), true);
      client.send(c, Buffer.from("small"), true);
      await until("small message", () => got.length === 1);
      assert.equal(got[0]!.toString(), "small");
      assert.equal(stats.droppedTooLarge, 1);
    } finally {
      client.close();
      server.close();
    }
  });

  it("survives garbage SCTP packets and bad DCEP without throwing", async () => {
    const l = linkedPair();
    try {
      const reliable = l.client.openChannel("_reliable");
      await until("open", () => reliable.open);
      for (let i = 0; i < 300; i++) {
        const junk = Buffer.from(Array.from({ length: (i % 120) + 1 }, () => Math.floor(Math.random() * 256)));
        l.server.handlePacket(junk);
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(l.stats.server.droppedMalformed > 0, "malformed packets are counted");
      // A DCEP OPEN on a server-parity (odd) stream from the client is refused.
      const bogus = l.client as unknown as { sctp: { send(s: number, p: number, d: Buffer, o: object): Promise<void> } };
      const before = l.stats.server.droppedMalformed;
      await bogus.sctp.send(
        1,
        50,
        encodeOpen({ ordered: true, maxRetransmits: null, maxPacketLifeTime: null, priority: 0, label: "x", protocol: "" }),
        {
          ordered: true,
        },
      );
      await bogus.sctp.send(3, 50, Buffer.from([0x03, 0x00]), { ordered: true });
      await until("bad DCEP counted", () => l.stats.server.droppedMalformed >= before + 2);
      assert.equal(l.server.channelByLabel("x"), undefined);
      // The association still works.
      l.client.send(reliable, Buffer.from("still alive"), false);
      await until("message after garbage", () => l.received.server.some((m) => m.data.toString() === "still alive"));
    } finally {
      l.close();
    }
  });
});
