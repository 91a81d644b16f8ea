import { randomInt } from "node:crypto";
import { writeNack, writePli, writeRemb } from "../rtcp/feedback.js";
import { dlsrFromMs, ntpHighFromUnixMs, ntpLowFromUnixMs } from "../rtcp/ntp.js";
import { newReportBlock, writeReceiverReport } from "../rtcp/receiver-report.js";
import { writeSdesCname } from "../rtcp/sdes.js";
import { newSenderInfo, writeSenderReport } from "../rtcp/sender-report.js";
import type { Consumer } from "./consumer.js";
import type { Producer, ProducerSink } from "./producer.js";

/**
 * Bitrate announced to video publishers with REMB until send-side estimation
 * (transport-cc feedback) lands: a cap, not a measurement.
 */
const REMB_VIDEO_BITRATE = 2_500_000;
const NO_BLOCKS: never[] = [];

/**
 * The RTCP a transport originates: feedback and receiver reports toward its
 * publishers, sender reports toward its subscribers (RFC 3550 §6.4, RFC 4585).
 * Writes into one scratch buffer; SRTCP protection copies it out.
 */
export class RtcpSender implements ProducerSink {
  private readonly scratch = Buffer.alloc(1500);
  private readonly block = newReportBlock();
  private readonly blocks = [this.block];
  private readonly info = newSenderInfo();
  private readonly remb = [0];
  /** PLIs sent to publishers (exported through getWorkerStats). */
  keyframeRequestsSent = 0;
  /** Our SSRC as the sender of feedback (no media of ours uses it). */
  readonly ssrc = randomInt(1, 0xffffffff);

  constructor(private readonly send: (packet: Buffer) => void) {}

  sendRtcpToPublisher(kind: "pli" | "nack" | "rr", producer: Producer, sequences?: number[]): void {
    const b = this.scratch;
    let n = 0;
    if (kind === "pli" || kind === "nack") {
      // Feedback goes out in a compound packet led by an (empty) RR, RFC 3550 §6.1 / RFC 4585 §3.1:
      // browsers that did not negotiate reduced-size RTCP drop a lone PLI/NACK.
      n = writeReceiverReport(b, 0, this.ssrc, NO_BLOCKS);
      if (kind === "pli") this.keyframeRequestsSent++;
      const m = kind === "pli" ? writePli(b, n, this.ssrc, producer.ssrc) : writeNack(b, n, this.ssrc, producer.ssrc, sequences ?? []);
      n = m > 0 ? n + m : 0;
    } else if (kind === "rr") {
      const s = producer.stats;
      const { fractionLost, totalLost } = s.takeLoss();
      const rb = this.block;
      rb.ssrc = producer.ssrc;
      rb.fractionLost = fractionLost;
      rb.cumulativeLost = totalLost;
      rb.extendedHighestSeq = s.extendedHighestSequence >>> 0;
      rb.jitter = Math.floor(s.jitter) >>> 0;
      rb.lastSr = s.lastSrCompact;
      rb.delaySinceLastSr = s.lastSrCompact === 0 ? 0 : dlsrFromMs(performance.now() - s.lastSrArrivalMs);
      n = writeReceiverReport(b, 0, this.ssrc, this.blocks);
      if (n > 0 && producer.kind === "video") {
        this.remb[0] = producer.ssrc;
        const m = writeRemb(b, n, this.ssrc, REMB_VIDEO_BITRATE, this.remb);
        if (m > 0) n += m;
      }
    }
    if (n > 0) this.send(b.subarray(0, n));
  }

  /**
   * One SR per consumer that sent since the last round. The RTP time is derived
   * from the publisher's last SR, re-anchored to our clock at its arrival, so
   * audio and video of one publisher stay in sync for the subscriber.
   */
  sendSenderReports(consumers: Iterable<Consumer>, nowMs: number): void {
    const wallMs = Date.now();
    const high = ntpHighFromUnixMs(wallMs);
    const low = ntpLowFromUnixMs(wallMs);
    for (const c of consumers) {
      const source = c.reportSource();
      if (source === null) continue;
      const s = source.stats;
      if (c.packetsSent === 0 || s.lastSrArrivalMs === 0) continue;
      const info = this.info;
      info.ssrc = c.ssrc;
      info.ntpHigh = high;
      info.ntpLow = low;
      info.rtpTimestamp =
        (s.lastSrRtpTimestamp + Math.round(((nowMs - s.lastSrArrivalMs) * c.codec.clockRate) / 1000) + source.tsOffset) >>> 0;
      info.packetCount = c.packetsSent >>> 0;
      info.octetCount = c.octetsSent >>> 0;
      let n = writeSenderReport(this.scratch, 0, info);
      if (n <= 0) continue;
      // RFC 3550 §6.1: every compound packet carries an SDES CNAME; the subscriber's SDP gave the same one.
      const m = writeSdesCname(this.scratch, n, c.ssrc, c.cname);
      if (m > 0) n += m;
      this.send(this.scratch.subarray(0, n));
    }
  }
}
