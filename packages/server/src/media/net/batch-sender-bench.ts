// Micro-benchmark: sender CPU µs per 1200-byte datagram on loopback, dgram.send per packet
// vs BatchSender (one sendmmsg per flush), in fan-out rounds of FANOUT packets to FANOUT
// receivers, as an SFU forwards one packet to its subscribers.
// Run: node packages/server/dist/media/net/batch-sender-bench.js [packets]
// Receivers live in a child process so their work is not counted.
import { spawn } from "node:child_process";
import dgram from "node:dgram";
import { once } from "node:events";
import { BatchSender } from "./batch-sender.js";

const PACKET_SIZE = 1200;
const FANOUT = 50;
const COUNT = Math.max(FANOUT, Number(process.argv[2] ?? 100_000));

const RECEIVER = `
  const dgram = require("node:dgram");
  const sockets = []; let count = 0;
  for (let i = 0; i < ${FANOUT}; i++) {
    const s = dgram.createSocket({ type: "udp4", recvBufferSize: 8 << 20 });
    s.on("message", () => count++);
    sockets.push(new Promise((r) => s.bind(0, "127.0.0.1", () => r(s.address().port))));
  }
  Promise.all(sockets).then((ports) => console.log(JSON.stringify(ports)));
  process.stdin.on("data", () => console.log(JSON.stringify(count)));
`;

const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function run(
  label: string,
  send: (packet: Buffer, i: number) => void,
  endRound: () => void,
  counter: () => Promise<number>,
): Promise<void> {
  const packet = Buffer.alloc(PACKET_SIZE, 0xab);
  const before = await counter();
  const t0 = cpuUs();
  for (let done = 0; done < COUNT; done += FANOUT) {
    for (let i = 0; i < FANOUT; i++) send(packet, i);
    endRound();
    await tick(); // let dgram's deferred sends run, as the event loop would between received packets
  }
  const us = cpuUs() - t0;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const received = (await counter()) - before;
  const rounds = Math.ceil(COUNT / FANOUT) * FANOUT;
  console.log(
    `${label.padEnd(34)} ${(us / rounds).toFixed(2).padStart(5)} µs/pkt sender CPU   delivered ${((100 * received) / rounds).toFixed(1)} %`,
  );
}

const child = spawn(process.execPath, ["-e", RECEIVER], { stdio: ["pipe", "pipe", "inherit"] });
const lines = child.stdout.setEncoding("utf8");
const nextLine = async (): Promise<string> => String((await once(lines, "data"))[0]).trim();
const ports = JSON.parse(await nextLine()) as number[];
const counter = async () => {
  child.stdin.write("?\n");
  return Number(await nextLine());
};

const socket = dgram.createSocket({ type: "udp4", sendBufferSize: 8 << 20 });
await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
console.log(`node ${process.version}, ${COUNT} datagrams of ${PACKET_SIZE} bytes, fan-out ${FANOUT}`);
for (let rep = 0; rep < 2; rep++) {
  await run(
    "dgram.send per packet",
    (p, i) => socket.send(p, ports[i], "127.0.0.1"),
    () => {},
    counter,
  );
  for (const native of [true, false]) {
    let batch: BatchSender;
    try {
      batch = new BatchSender({ socket, native, autoFlush: false, maxPackets: FANOUT });
    } catch (err) {
      console.log(`BatchSender native: ${(err as Error).message}`);
      continue;
    }
    const destinations = ports.map((port) => batch.destination("127.0.0.1", port));
    await run(
      native ? "BatchSender (sendmmsg)" : "BatchSender (fallback, socket.send)",
      (p, i) => batch.queue(p, destinations[i]),
      () => batch.flush(),
      counter,
    );
  }
}
socket.close();
child.kill();
