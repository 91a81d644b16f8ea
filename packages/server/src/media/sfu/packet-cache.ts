/**
 * Recently received RTP packets of one producer, for answering NACKs (RFC 4585)
 * without asking the publisher. Fixed slots addressed by sequence number
 * (Galène's packetcache): storing is one array write, lookup checks the slot
 * still holds that sequence number — and that it is younger than `maxAgeMs`.
 * The cache is sized by time: a retransmission older than that arrives after
 * the receiver's jitter buffer gave up on the packet, so it is not sent; the
 * slot count only has to cover `maxAgeMs` at the stream's highest packet rate.
 */
export class PacketCache {
  private readonly packets: (Buffer | null)[];
  private readonly sequences: Int32Array;
  private readonly arrivals: Float64Array;
  private readonly mask: number;

  /** `size` is rounded up to a power of two (2048 slots hold 1 s of video up to ~20 Mbit/s). */
  constructor(
    size = 512,
    readonly maxAgeMs = 1000,
  ) {
    let n = 1;
    while (n < size) n <<= 1;
    this.packets = new Array(n).fill(null);
    this.sequences = new Int32Array(n).fill(-1);
    this.arrivals = new Float64Array(n);
    this.mask = n - 1;
  }

  store(sequence: number, packet: Buffer, nowMs: number): void {
    const slot = sequence & this.mask;
    this.packets[slot] = packet;
    this.sequences[slot] = sequence;
    this.arrivals[slot] = nowMs;
  }

  get(sequence: number, nowMs: number): Buffer | null {
    return this.has(sequence, nowMs) ? this.packets[sequence & this.mask]! : null;
  }

  /** The slot still holds `sequence`, stored no longer than `maxAgeMs` ago. */
  has(sequence: number, nowMs: number): boolean {
    const slot = sequence & this.mask;
    return this.sequences[slot] === sequence && nowMs - this.arrivals[slot]! <= this.maxAgeMs;
  }

  clear(): void {
    this.packets.fill(null);
    this.sequences.fill(-1);
  }
}
