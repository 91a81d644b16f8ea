// Micro-benchmark: µs per packet, pure TypeScript vs the native addon, for a 1200-byte RTP packet.
// Run: node packages/server/dist/media/srtp/native-bench.js [packets]
// CPU time, not wall time. Rows: allocating protectRtp/unprotectRtp (what SrtpSession did so far) and the in-place
// variants over one reusable arena (what a forwarding path can do), per profile.
import { randomBytes } from "node:crypto";
import { loadNativeBinding } from "./native-binding.js";
import { SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";
import { SrtpSession } from "./session.js";

const PACKET_SIZE = 1200;
/** Process CPU time in ns: on a shared 2-core box, wall time mostly measures the neighbours. */
const cpuNs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};
const BATCH = 1024;
const COUNT = Math.max(BATCH, Number(process.argv[2] ?? 200_000));

function sessions(profile: SrtpProfileId, native: boolean): { tx: SrtpSession; rx: SrtpSession } {
  const { keyLength, saltLength } = srtpKeyLengths(profile);
  const key = randomBytes(keyLength);
  const salt = randomBytes(saltLength);
  const options = { profile, localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt, native };
  return { tx: new SrtpSession(options), rx: new SrtpSession(options) };
}

function plainPacket(): Buffer {
  return Buffer.concat([Buffer.from([0x80, 0x60, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]), randomBytes(PACKET_SIZE - 12)]);
}

/** [protect ns, unprotect ns] with the allocating API, batches of BATCH packets. */
function allocating(profile: SrtpProfileId, native: boolean, count: number): [number, number] {
  const { tx, rx } = sessions(profile, native);
  const plain = plainPacket();
  const batch: Buffer[] = new Array(BATCH);
  let protectNs = 0;
  let unprotectNs = 0;
  let seq = 0;
  for (let done = 0; done < count; done += BATCH) {
    let t0 = cpuNs();
    for (let i = 0; i < BATCH; i++) {
      plain.writeUInt16BE(seq, 2);
      seq = (seq + 1) & 0xffff;
      batch[i] = tx.protectRtp(plain);
    }
    protectNs += cpuNs() - t0;
    t0 = cpuNs();
    for (let i = 0; i < BATCH; i++) if (rx.unprotectRtp(batch[i]) === null) throw new Error("unprotect failed");
    unprotectNs += cpuNs() - t0;
  }
  return [protectNs, unprotectNs];
}

/** [protect ns, unprotect ns] in place: each packet is written into its arena slot, protected, later unprotected. */
function inPlace(profile: SrtpProfileId, native: boolean, count: number): [number, number] {
  const { tx, rx } = sessions(profile, native);
  const plain = plainPacket();
  const slot = PACKET_SIZE + 32;
  const arena = Buffer.alloc(BATCH * slot);
  const lengths = new Int32Array(BATCH);
  let protectNs = 0;
  let unprotectNs = 0;
  let seq = 0;
  for (let done = 0; done < count; done += BATCH) {
    let t0 = cpuNs();
    for (let i = 0; i < BATCH; i++) {
      plain.writeUInt16BE(seq, 2);
      seq = (seq + 1) & 0xffff;
      plain.copy(arena, i * slot); // stands for writing the rewritten packet into the arena
      lengths[i] = tx.protectRtpInPlace(arena, i * slot, PACKET_SIZE);
    }
    protectNs += cpuNs() - t0;
    t0 = cpuNs();
    for (let i = 0; i < BATCH; i++) if (rx.unprotectRtpInPlace(arena, i * slot, lengths[i]) < 0) throw new Error("unprotect failed");
    unprotectNs += cpuNs() - t0;
  }
  return [protectNs, unprotectNs];
}

const binding = loadNativeBinding();
console.log(
  `node ${process.version}, ${COUNT} packets of ${PACKET_SIZE} bytes; addon: ${binding === null ? "NOT LOADED" : binding.openssl}`,
);
const rounded = Math.ceil(COUNT / BATCH) * BATCH;
const us = (ns: number) => (ns / rounded / 1000).toFixed(2).padStart(5);
for (const [name, profile] of Object.entries(SrtpProfile)) {
  for (const native of binding === null ? [false] : [false, true]) {
    for (const [mode, run] of [
      ["allocating", allocating],
      ["in place  ", inPlace],
    ] as const) {
      run(profile, native, 20 * BATCH); // warm-up: JIT and OpenSSL code paths
      const [p, u] = run(profile, native, COUNT);
      const path = native ? "native" : "ts    ";
      console.log(`${name.padEnd(24)} ${path} ${mode}  protect ${us(p)} µs/pkt   unprotect ${us(u)} µs/pkt`);
    }
  }
}
