import { forEachRtcpPacket, RTCP_PSFB, RTCP_RTPFB, RTCP_SR } from "../rtcp/compound.js";
import { FMT_FIR, FMT_NACK, FMT_PLI, fbMediaSsrc, firEntryCount, firEntrySsrc, readNack } from "../rtcp/feedback.js";
import { compactNtp } from "../rtcp/ntp.js";
import { newSenderInfo, parseSenderReport } from "../rtcp/sender-report.js";
import type { WebRtcTransport } from "./webrtc-transport.js";

const sr = newSenderInfo();
const nacked = new Uint16Array(8192);

/**
 * Dispatches one decrypted compound RTCP packet: sender reports of publishers
 * feed our receiver reports; PLI/FIR from subscribers become (throttled)
 * keyframe requests to the publisher; NACKs are answered from the packet cache.
 */
export function handleIncomingRtcp(t: WebRtcTransport, plain: Buffer, nowMs: number): void {
  forEachRtcpPacket(plain, plain.length, (type, fmt, off, len) => {
    if (type === RTCP_SR) {
      if (parseSenderReport(plain, off, len, sr) < 0) return;
      const p = t.producerBySsrc(sr.ssrc);
      if (!p) return;
      p.stats.lastSrCompact = compactNtp(sr.ntpHigh, sr.ntpLow);
      p.stats.lastSrArrivalMs = nowMs;
      p.stats.lastSrRtpTimestamp = sr.rtpTimestamp;
      return;
    }
    if (type === RTCP_PSFB) {
      if (fmt === FMT_PLI) {
        t.consumersBySsrc.get(fbMediaSsrc(plain, off))?.producer.requestKeyFrame(nowMs);
      } else if (fmt === FMT_FIR) {
        const n = firEntryCount(plain, off, len);
        for (let i = 0; i < n; i++) t.consumersBySsrc.get(firEntrySsrc(plain, off, i))?.producer.requestKeyFrame(nowMs);
      }
      return;
    }
    if (type === RTCP_RTPFB && fmt === FMT_NACK) {
      const c = t.consumersBySsrc.get(fbMediaSsrc(plain, off));
      if (!c) return;
      const n = readNack(plain, off, len, nacked);
      for (let i = 0; i < n; i++) c.retransmit(nacked[i]!);
    }
  });
}
