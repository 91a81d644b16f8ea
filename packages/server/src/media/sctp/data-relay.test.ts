import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DataChannel, DataChannelEndpoint } from "./data-channel-endpoint.js";
import { DATA_LIMITS, type DataLimits, newDataChannelStats } from "./data-limits.js";
import { newDataPacketView, parseDataPacket } from "./data-packet.js";
import { DataRelay } from "./data-relay.js";
import { DataSession } from "./data-session.js";

interface Peer {
  identity: string;
  data: DataSession;
  client: DataChannelEndpoint;
  reliable: DataChannel;
  lossy: DataChannel;
  got: { sender: string; topic: string; payload: Buffer; label: string }[];
}

/** Builds a client packet: version 1, kind 0, topic, destinations, and a sender claim the SFU must overwrite. */
function packet(topic: string, destinations: string[], payload: Buffer, claim = ""): Buffer {
  const parts: Buffer[] = [Buffer.from([1, 0, Buffer.byteLength(topic), destinations.length, 0, 0])];
  parts[0]!.writeUInt16BE(Buffer.byteLength(claim), 4);
  parts.push(Buffer.from(claim), Buffer.from(topic));
  for (const d of destinations) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(Buffer.byteLength(d));
    parts.push(len, Buffer.from(d));
  }
  parts.push(payload);
  return Buffer.concat(parts);
}

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function room(identities: string[], options: { canPublishData?: boolean; limits?: DataLimits; clock?: () => number } = {}) {
  const stats = newDataChannelStats();
  const relay = new DataRelay(stats);
  const peers: Peer[] = [];
  for (const identity of identities) {
    let client: DataChannelEndpoint | null = null;
    const got: Peer["got"] = [];
    const data = new DataSession({
      sendSctp: (b) => setImmediate(() => client?.handlePacket(Buffer.from(b))),
      stats,
      onPacket: (from, p, reliable) => relay.relay(from, p, reliable, peers),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.clock ? { nowMs: options.clock } : {}),
    });
    data.setParticipant({ identity, canPublishData: options.canPublishData ?? true });
    const view = newDataPacketView();
    client = new DataChannelEndpoint({
      role: "client",
      send: (b) => setImmediate(() => data.handleSctp(Buffer.from(b))),
      maxMessageSize: 262144,
      stats: newDataChannelStats(),
      onMessage: (c, d) => {
        assert.ok(parseDataPacket(d, view), "relayed packets parse");
        got.push({
          sender: d.toString("utf8", view.senderStart, view.senderEnd),
          topic: d.toString("utf8", view.topicStart, view.topicEnd),
          payload: Buffer.from(d.subarray(view.payloadStart)),
          label: c.label,
        });
      },
    });
    const reliable = client.openChannel("_reliable");
    const lossy = client.openChannel("_lossy", { ordered: false, maxRetransmits: 0 });
    peers.push({ identity, data, client, reliable, lossy, got });
  }
  await until("channels open", () => peers.every((p) => p.reliable.open && p.lossy.open));
  return {
    peers,
    stats,
    close: () => {
      for (const p of peers) {
        p.client.close();
        p.data.close();
      }
    },
  };
}

describe("DataRelay: the SFU side of publishData", () => {
  it("relays to everyone else with the sender's identity stamped, on the same kind of channel", async () => {
    const r = await room(["alice", "bob", "carol"]);
    try {
      const [alice, bob, carol] = r.peers as [Peer, Peer, Peer];
      alice.client.send(alice.reliable, packet("chat", [], Buffer.from('{"text":"hi"}'), "mallory"), true);
      alice.client.send(alice.lossy, packet("", [], Buffer.from([9, 8, 7])), true);
      await until("bob and carol got both", () => bob.got.length === 2 && carol.got.length === 2);
      for (const p of [bob, carol]) {
        const chat = p.got.find((g) => g.label === "_reliable")!;
        assert.deepEqual([chat.sender, chat.topic, chat.payload.toString()], ["alice", "chat", '{"text":"hi"}']);
        const lossy = p.got.find((g) => g.label === "_lossy")!;
        assert.deepEqual([lossy.sender, lossy.topic, [...lossy.payload]], ["alice", "", [9, 8, 7]]);
      }
      await new Promise((res) => setTimeout(res, 30));
      assert.equal(alice.got.length, 0, "the sender does not get its own packet");
      assert.equal(r.stats.messagesRelayed, 4);
    } finally {
      r.close();
    }
  });

  it("delivers only to destinationIdentities", async () => {
    const r = await room(["alice", "bob", "carol"]);
    try {
      const [alice, bob, carol] = r.peers as [Peer, Peer, Peer];
      alice.client.send(alice.reliable, packet("dm", ["carol"], Buffer.from("for carol")), true);
      alice.client.send(alice.reliable, packet("all", [], Buffer.from("for all")), true);
      await until("carol got both", () => carol.got.length === 2);
      await until("bob got the broadcast", () => bob.got.length === 1);
      await new Promise((res) => setTimeout(res, 30));
      assert.deepEqual(
        bob.got.map((g) => g.topic),
        ["all"],
      );
      assert.deepEqual(
        carol.got.map((g) => g.topic),
        ["dm", "all"],
      );
    } finally {
      r.close();
    }
  });

  it("drops packets of a participant without the publishData grant, malformed ones and those over the rate limit", async () => {
    const denied = await room(["alice", "bob"], { canPublishData: false });
    try {
      const [alice, bob] = denied.peers as [Peer, Peer];
      alice.client.send(alice.reliable, packet("chat", [], Buffer.from("x")), true);
      await until("counted", () => denied.stats.droppedUnauthorized === 1);
      assert.equal(bob.got.length, 0);
    } finally {
      denied.close();
    }
    let now = 0;
    const limits = { ...DATA_LIMITS, messagesPerSecond: 10, messageBurst: 5 };
    const r = await room(["alice", "bob"], { limits, clock: () => now });
    try {
      const [alice, bob] = r.peers as [Peer, Peer];
      alice.client.send(alice.reliable, Buffer.from([2, 0, 0, 0, 0, 0]), true);
      for (let i = 0; i < 8; i++) alice.client.send(alice.reliable, packet("n", [], Buffer.from([i])), true);
      await until("burst relayed and the rest dropped", () => bob.got.length === 4 && r.stats.droppedRateLimited === 4);
      // The malformed packet used one token too.
      assert.equal(r.stats.droppedMalformed, 1);
      now += 1000;
      alice.client.send(alice.reliable, packet("n", [], Buffer.from([42])), true);
      await until("after refill", () => bob.got.length === 5);
      assert.deepEqual([...bob.got[4]!.payload], [42]);
    } finally {
      r.close();
    }
  });
});

describe("DataRelay across the media workers of one room", () => {
  /** A participant as the relay sees it: an identity and a deliver() that records parsed packets. */
  function member(identity: string) {
    const got: { sender: string; topic: string; destinations: number; payload: string; reliable: boolean }[] = [];
    const data = {
      identity: Buffer.from(identity),
      deliver(buf: Buffer, reliable: boolean) {
        const view = newDataPacketView();
        assert.ok(parseDataPacket(buf, view));
        got.push({
          sender: buf.toString("utf8", view.senderStart, view.senderEnd),
          topic: buf.toString("utf8", view.topicStart, view.topicEnd),
          destinations: view.destinationCount,
          payload: buf.toString("utf8", view.payloadStart),
          reliable,
        });
        return true;
      },
    } as unknown as DataSession;
    return { data, got };
  }

  it("the other worker gets the packet once, sender stamped, and filters and strips the destinations itself", () => {
    const statsA = newDataChannelStats();
    const statsB = newDataChannelStats();
    const [alice, bob] = [member("alice"), member("bob")];
    const [carol, dave] = [member("carol"), member("dave")];
    const onA = [alice, bob];
    const onB = [carol, dave];
    const relayA = new DataRelay(statsA);
    const relayB = new DataRelay(statsB);
    const handed: { packet: Buffer; reliable: boolean }[] = [];
    const toB = (packet: Buffer, reliable: boolean) => handed.push({ packet, reliable });

    relayA.relay(alice.data, packet("all", [], Buffer.from("hi"), "forged"), true, onA, toB);
    relayA.relay(alice.data, packet("dm", ["dave"], Buffer.from("psst")), false, onA, toB);
    assert.equal(handed.length, 2, "one copy per packet for the other worker");
    for (const h of handed) relayB.deliverFromWorker(h.packet, h.reliable, onB);

    assert.deepEqual(bob.got, [{ sender: "alice", topic: "all", destinations: 0, payload: "hi", reliable: true }]);
    assert.deepEqual(carol.got, [{ sender: "alice", topic: "all", destinations: 0, payload: "hi", reliable: true }]);
    assert.deepEqual(dave.got, [
      { sender: "alice", topic: "all", destinations: 0, payload: "hi", reliable: true },
      { sender: "alice", topic: "dm", destinations: 0, payload: "psst", reliable: false },
    ]);
    assert.equal(alice.got.length, 0);
    assert.deepEqual([statsA.forwardedToWorkers, statsB.receivedFromWorkers], [2, 2]);
  });

  it("a packet from another worker without a stamped sender is dropped as malformed", () => {
    const stats = newDataChannelStats();
    const carol = member("carol");
    assert.equal(new DataRelay(stats).deliverFromWorker(packet("t", [], Buffer.from("x")), true, [carol]), 0);
    assert.equal(carol.got.length, 0);
    assert.equal(stats.droppedMalformed, 1);
  });
});
