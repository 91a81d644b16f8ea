/**
 * Recently received RTP packets of one producer, for answering NACKs (RFC 4585)
 * without asking the publisher. Fixed slots addressed by sequence number
 * (Galène's packetcache): storing is one array write, lookup checks the slot
 * still holds that sequence number.
 */
export class PacketCache {
  private readonly packets: (Buffer | null)[];
  private readonly sequences: Int32Array;
  private readonly mask: number;

  /** `size` is rounded up to a power of two; 512 packets ≈ 1–3 s of 720p video. */
  constructor(size = 512) {
    let n = 1;
    while (n < size) n <<= 1;
    this.packets = new Array(n).fill(null);
    this.sequences = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }

  store(sequence: number, packet: Buffer): void {
    const slot = sequence & this.mask;
    this.packets[slot] = packet;
    this.sequences[slot] = sequence;
  }

  get(sequence: number): Buffer | null {
    const slot = sequence & this.mask;
    return this.sequences[slot] === sequence ? this.packets[slot]! : null;
  }

  has(sequence: number): boolean {
    return this.sequences[sequence & this.mask] === sequence;
  }

  clear(): void {
    this.packets.fill(null);
    this.sequences.fill(-1);
  }
}
