/**
 * Reception statistics of one incoming RTP stream, as RFC 3550 §6.4.1 and
 * Appendix A.3/A.8 define them, to fill our receiver reports to publishers.
 */
export class ReceiveStats {
  private initialized = false;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit = 0;
  /** Interarrival jitter in RTP timestamp units (float; reported truncated). */
  jitter = 0;
  /** Middle 32 bits of the NTP time of the last SR, and when it arrived (ms). */
  lastSrCompact = 0;
  lastSrArrivalMs = 0;
  /** NTP (ms since epoch) and RTP timestamp of the last SR, to map RTP time to wall time. */
  lastSrNtpMs = 0;
  lastSrRtpTimestamp = 0;

  constructor(private readonly clockRate: number) {}

  /** Returns the number of packets missing between the previous highest and `seq` (0 when in order). */
  update(seq: number, rtpTimestamp: number, arrivalMs: number): number {
    this.received++;
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.initialized) {
      const d = Math.abs(transit - this.transit);
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
    if (!this.initialized) {
      this.initialized = true;
      this.baseSeq = seq;
      this.maxSeq = seq;
      return 0;
    }
    const delta = (seq - this.maxSeq) & 0xffff;
    if (delta === 0 || delta >= 0x8000) return 0; // duplicate or reordered/late
    if (seq < this.maxSeq) this.cycles += 0x10000;
    this.maxSeq = seq;
    return delta - 1;
  }

  get extendedHighestSequence(): number {
    return this.cycles + this.maxSeq;
  }

  /** Fraction lost since the last call (0..255) and cumulative lost (RFC 3550 A.3). */
  takeLoss(): { fractionLost: number; totalLost: number } {
    const expected = this.extendedHighestSequence - this.baseSeq + 1;
    const totalLost = Math.max(-0x800000, Math.min(0x7fffff, expected - this.received));
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
    return { fractionLost, totalLost };
  }

  get hasData(): boolean {
    return this.initialized;
  }
}
