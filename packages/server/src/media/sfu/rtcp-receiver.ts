import { forEachRtcpPacket, RTCP_PSFB, RTCP_RR, RTCP_RTPFB, RTCP_SR } from "../rtcp/compound.js";
import { FMT_APP, FMT_FIR, FMT_NACK, FMT_PLI, FMT_TWCC, fbMediaSsrc, firEntryCount, firEntrySsrc, readNack } from "../rtcp/feedback.js";
import { compactNtp } from "../rtcp/ntp.js";
import { newReportBlock, parseReceiverReport, readReportBlock, rrReportOffset } from "../rtcp/receiver-report.js";
import { newSenderInfo, parseSenderReport, srReportOffset } from "../rtcp/sender-report.js";
import type { WebRtcTransport } from "./webrtc-transport.js";

const sr = newSenderInfo();
const nacked = new Uint16Array(8192);
const block = newReportBlock();

/** A report block (RFC 3550 §6.4.1) from the peer: loss, jitter and RTT of what we send it. */
function onReportBlock(t: WebRtcTransport, buf: Buffer, offset: number, nowMs: number): void {
  readReportBlock(buf, offset, block);
  t.quality.onReportBlock(block, t.consumersBySsrc.get(block.ssrc), nowMs);
}

/**
 * Dispatches one decrypted compound RTCP packet: sender reports of publishers
 * feed our receiver reports; PLI/FIR from subscribers become (throttled)
 * keyframe requests to the publisher; NACKs are answered from the packet cache.
 */
export function handleIncomingRtcp(t: WebRtcTransport, plain: Buffer, nowMs: number): void {
  forEachRtcpPacket(plain, plain.length, (type, fmt, off, len) => {
    if (type === RTCP_SR) {
      const blocks = parseSenderReport(plain, off, len, sr);
      if (blocks < 0) return;
      for (let i = 0; i < blocks; i++) onReportBlock(t, plain, srReportOffset(off, i), nowMs);
      const p = t.producerBySsrc(sr.ssrc);
      if (!p) return;
      p.stats.lastSrCompact = compactNtp(sr.ntpHigh, sr.ntpLow);
      p.stats.lastSrArrivalMs = nowMs;
      p.stats.lastSrRtpTimestamp = sr.rtpTimestamp;
      return;
    }
    if (type === RTCP_RR) {
      const blocks = parseReceiverReport(plain, off, len);
      for (let i = 0; i < blocks; i++) onReportBlock(t, plain, rrReportOffset(off, i), nowMs);
      return;
    }
    if (type === RTCP_PSFB) {
      if (fmt === FMT_APP) t.bandwidth?.onRemb(plain, off, len, nowMs);
      if (fmt === FMT_PLI) {
        t.consumersBySsrc.get(fbMediaSsrc(plain, off))?.requestKeyFrame(nowMs);
      } else if (fmt === FMT_FIR) {
        const n = firEntryCount(plain, off, len);
        for (let i = 0; i < n; i++) t.consumersBySsrc.get(firEntrySsrc(plain, off, i))?.requestKeyFrame(nowMs);
      }
      return;
    }
    if (type === RTCP_RTPFB && fmt === FMT_TWCC) {
      t.bandwidth?.onTransportFeedback(plain, off, len, nowMs);
      return;
    }
    if (type === RTCP_RTPFB && fmt === FMT_NACK) {
      const c = t.consumersBySsrc.get(fbMediaSsrc(plain, off));
      if (!c) return;
      const n = readNack(plain, off, len, nacked);
      for (let i = 0; i < n; i++) c.retransmit(nacked[i]!, nowMs);
    }
  });
}
