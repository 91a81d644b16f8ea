// Micro-benchmark of the data relay. Run: node packages/server/dist/media/sctp/bench.js [messages]
// 1. Header work per relayed message (parse in place, destination filter, stamp the sender), no SCTP.
// 2. Messages per second through two DataChannelEndpoints (werift SCTP + our DCEP) over an in-memory link.
import { DataChannelEndpoint } from "./data-channel-endpoint.js";
import { newDataChannelStats } from "./data-limits.js";
import { hasDestination, newDataPacketView, parseDataPacket, stampSender } from "./data-packet.js";

const COUNT = Math.max(1000, Number(process.argv[2] ?? 200_000));

function headerCost(payloadSize: number): number {
  const header = Buffer.from([1, 0, 4, 2, 0, 0, ...Buffer.from("chat"), 0, 3, ...Buffer.from("bob"), 0, 5, ...Buffer.from("carol")]);
  const packet = Buffer.concat([header, Buffer.alloc(payloadSize, 7)]);
  const view = newDataPacketView();
  const sender = Buffer.from("alice");
  const carol = Buffer.from("carol");
  let kept = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < COUNT; i++) {
    if (!parseDataPacket(packet, view)) throw new Error("parse");
    if (hasDestination(packet, view, carol)) kept += stampSender(packet, view, sender).length;
  }
  const ns = Number(process.hrtime.bigint() - t0) / COUNT;
  if (kept === 0) throw new Error("nothing stamped");
  return ns;
}

async function endpointThroughput(messages: number, size: number): Promise<number> {
  let client: DataChannelEndpoint;
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const server = new DataChannelEndpoint({
    role: "server",
    send: (b) => setImmediate(() => client.handlePacket(Buffer.from(b))),
    maxMessageSize: 65536,
    maxQueuedBytes: 1 << 30,
    stats: newDataChannelStats(),
    onMessage: () => {
      if (++got === messages) done();
    },
  });
  client = new DataChannelEndpoint({
    role: "client",
    send: (b) => setImmediate(() => server.handlePacket(Buffer.from(b))),
    maxMessageSize: 65536,
    maxQueuedBytes: 1 << 30,
    stats: newDataChannelStats(),
    onMessage: () => {},
  });
  const channel = client.openChannel("_reliable");
  while (!channel.open) await new Promise((r) => setTimeout(r, 5));
  const payload = Buffer.alloc(size, 1);
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) client.send(channel, payload, true);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  server.close();
  return messages / seconds;
}

for (const size of [16, 1024]) console.log(`header parse + filter + stamp, ${size} B payload: ${headerCost(size).toFixed(0)} ns/message`);
for (const size of [100, 1024]) {
  const rate = await endpointThroughput(20_000, size);
  console.log(`SCTP endpoint → endpoint, ${size} B messages: ${Math.round(rate)} messages/s`);
}
