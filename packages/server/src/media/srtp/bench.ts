// Micro-benchmark: µs per protectRtp / unprotectRtp for a 1200-byte RTP packet.
// Run: node packages/server/dist/media/srtp/bench.js [packets]
// Packets are processed in small batches so the numbers reflect steady-state
// per-packet cost (young-generation GC only), not a huge retained heap.
// This measures the pure-TypeScript path; native-bench.ts compares it with the addon.
import { createCipheriv, createHmac, createSecretKey, randomBytes } from "node:crypto";
import { SrtpProfile, type SrtpProfileId, srtpKeyLengths } from "./profiles.js";
import { SrtpSession } from "./session.js";

const PACKET_SIZE = 1200;
const BATCH = 1024;
const COUNT = Math.max(BATCH, Number(process.argv[2] ?? 200_000));

function sessions(profile: SrtpProfileId): { tx: SrtpSession; rx: SrtpSession } {
  const { keyLength, saltLength } = srtpKeyLengths(profile);
  const key = randomBytes(keyLength);
  const salt = randomBytes(saltLength);
  const options = { profile, localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt, native: false };
  return { tx: new SrtpSession(options), rx: new SrtpSession(options) };
}

/** Returns [protect ns, unprotect ns] for `count` packets; sequence numbers wrap as they would live. */
function measure(profile: SrtpProfileId, count: number): [number, number] {
  const { tx, rx } = sessions(profile);
  const plain = Buffer.concat([Buffer.from([0x80, 0x60, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]), randomBytes(PACKET_SIZE - 12)]);
  const batch: Buffer[] = new Array(BATCH);
  let protectNs = 0n;
  let unprotectNs = 0n;
  let seq = 0;
  for (let done = 0; done < count; done += BATCH) {
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) {
      // protectRtp never retains its input, so one plaintext buffer is reused.
      plain.writeUInt16BE(seq, 2);
      seq = (seq + 1) & 0xffff;
      batch[i] = tx.protectRtp(plain);
    }
    protectNs += process.hrtime.bigint() - t0;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) {
      if (rx.unprotectRtp(batch[i]) === null) throw new Error(`unprotect failed at seq ${seq}`);
    }
    unprotectNs += process.hrtime.bigint() - t0;
  }
  return [Number(protectNs), Number(unprotectNs)];
}

/** The node:crypto calls alone for one packet, as a floor for the numbers above them. */
function floor(profile: SrtpProfileId, count: number): number {
  const key = createSecretKey(randomBytes(16));
  const authKey = createSecretKey(randomBytes(20));
  const iv = randomBytes(profile === SrtpProfile.AEAD_AES_128_GCM ? 12 : 16);
  const packet = randomBytes(PACKET_SIZE);
  const payload = packet.subarray(12);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    if (profile === SrtpProfile.AEAD_AES_128_GCM) {
      const c = createCipheriv("aes-128-gcm", key, iv);
      c.setAAD(packet.subarray(0, 12));
      c.update(payload);
      c.final();
      c.getAuthTag();
    } else {
      createCipheriv("aes-128-ctr", key, iv).update(payload);
      createHmac("sha1", authKey).update(packet).digest();
    }
  }
  return Number(process.hrtime.bigint() - t0);
}

console.log(`node ${process.version}, ${COUNT} packets of ${PACKET_SIZE} bytes per profile`);
for (const [name, profile] of Object.entries(SrtpProfile)) {
  measure(profile, 20 * BATCH); // warm-up: JIT and OpenSSL code paths
  const [p, u] = measure(profile, COUNT);
  const rounded = Math.ceil(COUNT / BATCH) * BATCH;
  const us = (ns: number) => (ns / rounded / 1000).toFixed(2);
  floor(profile, 20 * BATCH);
  const f = floor(profile, rounded);
  console.log(`${name.padEnd(24)} protectRtp ${us(p)} µs/pkt   unprotectRtp ${us(u)} µs/pkt   (bare node:crypto ${us(f)} µs/pkt)`);
}
