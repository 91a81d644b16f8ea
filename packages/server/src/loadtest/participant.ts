import type { PublicationRequest, ServerMessage } from "@relais/protocol";
import { forEachRtcpPacket, RTCP_PSFB, RTCP_RTPFB } from "../media/rtcp/compound.js";
import { FMT_FIR, FMT_NACK, FMT_PLI, fbMediaSsrc, firEntryCount, firEntrySsrc, readNack, writeNack } from "../media/rtcp/feedback.js";
import { ntpHighFromUnixMs, ntpLowFromUnixMs } from "../media/rtcp/ntp.js";
import { newReportBlock, type ReportBlock, writeReceiverReport } from "../media/rtcp/receiver-report.js";
import { newSenderInfo, writeSenderReport } from "../media/rtcp/sender-report.js";
import { rtpHeaderLength } from "../media/rtp/packet.js";
import type { WorkerCertificate } from "../media-control/certificate.js";
import type { LatencyHistogram, SendLog } from "./latency.js";
import { LeanPeer } from "./lean-peer.js";
import { CLOCK_RATE, type MediaSource } from "./media-source.js";
import { ReceiveStream, type SimulcastLayerLog } from "./receive-stream.js";
import { buildOffer, type OfferSection, readAnswer } from "./sdp-offer.js";
import { Signal } from "./signal.js";
import { SimulcastVideo } from "./simulcast-source.js";

/** What every participant of one run shares. */
export interface ParticipantContext {
  url: string;
  room: string;
  certificate: WorkerCertificate;
  fingerprint: string;
  latency: LatencyHistogram;
  /** Fraction of received RTP packets subscribers drop on purpose (0 = none). */
  dropRate: number;
}

/** A track to subscribe to, with the send log of the publisher in this process (null for a foreign publisher). */
export interface WantedTrack {
  trackSid: string;
  kind: "audio" | "video";
  log: SendLog | null;
  /** Simulcast: each layer's width and send log, lowest first (the subscriber tells them apart by keyframe width). */
  layers?: SimulcastLayerLog[];
}

/** A track this participant publishes: one stream, or the layers of a simulcast video. */
export type PublishedTrack = MediaSource | SimulcastVideo;

interface StreamEntry {
  stream: ReceiveStream;
  rtx: boolean;
}

const nackScratch = new Uint16Array(8192);
const RTCP_INTERVAL_MS = 1000;

/**
 * One load-test participant over one lean peer: it may publish media sources,
 * subscribe to tracks, or both (a meeting). It answers the SFU's NACKs (RTX) and
 * PLIs (jump to a keyframe), sends SRs for what it publishes and RRs plus NACKs
 * for what it receives.
 */
export class LoadParticipant {
  participantSid = "";
  readonly streams: ReceiveStream[] = [];
  readonly sources: MediaSource[] = [];
  readonly trackSids = new Map<PublishedTrack, string>();
  /** Simulcast tracks by track sid, for dynacast. */
  readonly simulcast = new Map<string, SimulcastVideo>();
  /** performance.now() when joining (or, in a meeting, subscribing) started, and when every subscribed stream had its first packet. */
  joinStartMs = performance.now();
  readyMs = -1;
  nacksSent = 0;
  nackedPackets = 0;
  nacksReceived = 0;
  retransmitsSent = 0;
  keyframeRequestsReceived = 0;
  private signal: Signal | null = null;
  private readonly peer: LeanPeer;
  private readonly sections: OfferSection[] = [];
  private readonly subscriptions: { mid: string; trackSid: string }[] = [];
  private readonly bySsrc = new Map<number, StreamEntry>();
  private readonly sourceBySsrc = new Map<number, MediaSource>();
  private readonly rtcpSsrc = (Math.random() * 0xfffffffe + 1) >>> 0;
  private readonly rtcpScratch = Buffer.alloc(1500);
  private readonly blocks: ReportBlock[] = [];
  private nextRtcpMs = performance.now() + RTCP_INTERVAL_MS * Math.random();
  private version = 1;

  private constructor(
    private readonly ctx: ParticipantContext,
    readonly identity: string,
    peer: LeanPeer,
  ) {
    this.peer = peer;
  }

  static async create(ctx: ParticipantContext, identity: string, subscribes: boolean): Promise<LoadParticipant> {
    let self: LoadParticipant | null = null;
    const handlers = { onRtp: (plain: Buffer, now: number) => self?.onRtp(plain, now), onRtcp: (plain: Buffer) => self?.onRtcp(plain) };
    const peer = await LeanPeer.open(ctx.certificate, handlers, subscribes ? ctx.dropRate : 0);
    self = new LoadParticipant(ctx, identity, peer);
    return self;
  }

  get connected(): boolean {
    return this.peer.state === "connected";
  }

  get failure(): string {
    return this.peer.failure;
  }

  get srtpProfile(): number | null {
    return this.peer.srtpProfile;
  }

  get srtpFailures(): number {
    return this.peer.counters.srtpFailures;
  }

  get injectedDrops(): number {
    return this.peer.counters.injectedDrops;
  }

  /** Dynacast updates that arrived before the answer told us the track sid. */
  private readonly pendingQuality = new Map<string, { rid: string; active: boolean }[]>();

  /** Connects signaling and joins; returns the room's other participants. */
  async join(token: string, onEvent: (m: ServerMessage) => void): Promise<ServerMessage & { type: "joined" }> {
    this.signal = await Signal.connect(this.ctx.url, (m) => {
      if (m.type === "subscribedQualityUpdate") this.onSubscribedQuality(m.trackSid, m.layers);
      onEvent(m);
    });
    const joined = await this.signal.request(
      { type: "join", token, room: this.ctx.room, client: { sdk: "relais-load-test", version: "1" } },
      "joined",
    );
    this.participantSid = joined.participant.sid;
    return joined;
  }

  /** Publishes `tracks` (one offer), and connects ICE/DTLS if this is the first offer. */
  async publish(tracks: PublishedTrack[]): Promise<void> {
    const publications: PublicationRequest[] = [];
    for (const t of tracks) {
      const source = t.kind === "audio" ? ("microphone" as const) : ("camera" as const);
      if (t instanceof SimulcastVideo) {
        this.sections.push({ mid: t.mid, kind: "video", direction: "sendonly", rids: t.rids });
        publications.push({ mid: t.mid, kind: "video", source, layers: t.announced });
        for (const l of t.layers) this.addSource(l);
      } else {
        this.sections.push({ mid: t.mid, kind: t.kind, direction: "sendonly", ssrc: t.ssrc, rtxSsrc: t.rtxSsrc });
        publications.push({ mid: t.mid, kind: t.kind, source });
        this.addSource(t);
      }
    }
    const answer = await this.offer(publications);
    for (const p of answer.publications) {
      const t = tracks.find((x) => x.mid === p.mid);
      if (!t) continue;
      this.trackSids.set(t, p.trackSid);
      if (t instanceof SimulcastVideo) {
        this.simulcast.set(p.trackSid, t);
        const pending = this.pendingQuality.get(p.trackSid);
        if (pending) t.setActive(pending, performance.now());
        this.pendingQuality.delete(p.trackSid);
      }
    }
    if (tracks.some((t) => !this.trackSids.has(t))) throw new Error("the SFU did not accept every publication");
  }

  private addSource(s: MediaSource): void {
    this.sources.push(s);
    this.sourceBySsrc.set(s.ssrc, s);
  }

  private onSubscribedQuality(trackSid: string, layers: { rid: string; active: boolean }[]): void {
    const track = this.simulcast.get(trackSid);
    if (track) track.setActive(layers, performance.now());
    else this.pendingQuality.set(trackSid, layers);
  }

  /** Layer-milliseconds our simulcast layers have spent paused by dynacast so far. */
  layerPausedMs(nowMs: number): number {
    let total = 0;
    for (const t of this.simulcast.values()) total += t.pausedMs(nowMs);
    return total;
  }

  /** Adaptive stream: tells the node the size we render `trackSid` at (trackSettings). */
  async setTrackSize(trackSid: string, width: number, height: number): Promise<void> {
    await this.signal!.request({ type: "trackSettings", trackSid, width, height }, "ack");
  }

  /** Adds recvonly sections for `tracks` (one offer listing every subscription). */
  async subscribe(tracks: WantedTrack[]): Promise<void> {
    const added: { mid: string; track: WantedTrack }[] = [];
    for (const t of tracks) {
      const mid = `s${this.subscriptions.length}`;
      this.subscriptions.push({ mid, trackSid: t.trackSid });
      this.sections.push({ mid, kind: t.kind, direction: "recvonly" });
      added.push({ mid, track: t });
    }
    const answer = await this.offer([]);
    const info = this.lastAnswer!;
    for (const { mid, track } of added) {
      const ok = answer.subscriptions.find((s) => s.mid === mid)?.ok;
      const r = info.receiving.get(mid);
      if (!ok || !r) throw new Error(`subscription to ${track.trackSid} refused`);
      // Only video negotiates nack feedback (as browsers do; Opus has none).
      const nack = track.kind === "video" ? (s: ReceiveStream, seqs: number[]) => this.sendNack(s, seqs) : null;
      const stream = new ReceiveStream({
        kind: track.kind,
        ssrc: r.ssrc,
        rtxSsrc: r.rtxSsrc,
        source: track.log,
        layers: track.layers ?? null,
        latency: this.ctx.latency,
        nack,
      });
      this.streams.push(stream);
      this.bySsrc.set(r.ssrc, { stream, rtx: false });
      if (r.rtxSsrc !== null) this.bySsrc.set(r.rtxSsrc, { stream, rtx: true });
    }
  }

  private lastAnswer: ReturnType<typeof readAnswer> | null = null;

  private async offer(publications: PublicationRequest[]) {
    const sdp = buildOffer({
      sessionId: String(1000 + Math.floor(Math.random() * 1e9)),
      version: this.version++,
      iceUfrag: this.peer.iceUfrag,
      icePwd: this.peer.icePwd,
      fingerprint: this.ctx.fingerprint,
      cname: this.identity,
      sections: this.sections,
    });
    const answer = await this.signal!.request({ type: "offer", sdp, publications, subscriptions: this.subscriptions }, "answer");
    const info = readAnswer(answer.sdp);
    this.lastAnswer = info;
    if (this.peer.state === "new") {
      await this.peer.connect({ address: info.address, port: info.port, ufrag: info.iceUfrag, pwd: info.icePwd });
      if (!this.connected) throw new Error(this.peer.failure || "peer did not connect");
    }
    return answer;
  }

  /** Sends one RTP packet of a source (SRTP-protected). */
  sendRtp(plain: Buffer): void {
    this.peer.sendRtp(plain);
  }

  private onRtp(plain: Buffer, nowMs: number): void {
    const ssrc = plain.readUInt32BE(8);
    const entry = this.bySsrc.get(ssrc);
    if (entry === undefined) return;
    const len = plain.length;
    let at = rtpHeaderLength(plain, len);
    if (at < 0) return;
    let end = len;
    if ((plain[0] & 0x20) !== 0) {
      const pad = plain[len - 1];
      if (pad === 0 || len - pad < at) return;
      end = len - pad;
    }
    let seq = (plain[2] << 8) | plain[3];
    if (entry.rtx) {
      if (end - at < 2) return; // padding-only probe
      seq = (plain[at] << 8) | plain[at + 1];
      at += 2;
    }
    entry.stream.receive(plain, seq, at, end, nowMs, entry.rtx);
    if (this.readyMs < 0 && entry.stream.packets === 1 && this.streams.every((s) => s.firstPacketMs >= 0)) this.readyMs = nowMs;
  }

  private onRtcp(plain: Buffer): void {
    forEachRtcpPacket(plain, plain.length, (type, fmt, off, len) => {
      if (type === RTCP_RTPFB && fmt === FMT_NACK) {
        const source = this.sourceBySsrc.get(fbMediaSsrc(plain, off));
        if (!source) return;
        this.nacksReceived++;
        const n = readNack(plain, off, len, nackScratch);
        for (let i = 0; i < n; i++) {
          const rtx = source.retransmission(nackScratch[i]);
          if (rtx) {
            this.retransmitsSent++;
            this.peer.sendRtp(rtx);
          }
        }
      } else if (type === RTCP_PSFB && fmt === FMT_PLI) {
        const source = this.sourceBySsrc.get(fbMediaSsrc(plain, off));
        if (source) {
          this.keyframeRequestsReceived++;
          source.requestKeyframe();
        }
      } else if (type === RTCP_PSFB && fmt === FMT_FIR) {
        const n = firEntryCount(plain, off, len);
        for (let i = 0; i < n; i++) {
          const source = this.sourceBySsrc.get(firEntrySsrc(plain, off, i));
          if (source) {
            this.keyframeRequestsReceived++;
            source.requestKeyframe();
          }
        }
      }
    });
  }

  private sendNack(stream: ReceiveStream, seqs: number[]): void {
    const n = writeNack(this.rtcpScratch, 0, this.rtcpSsrc, stream.ssrc, seqs);
    if (n <= 0) return;
    this.nacksSent++;
    this.nackedPackets += seqs.length;
    this.peer.sendRtcp(Buffer.from(this.rtcpScratch.subarray(0, n)));
  }

  /** Periodic work: consent checks; once a second SRs for our sources and an RR for what we receive. */
  tick(nowMs: number): void {
    this.peer.tick(nowMs);
    if (!this.connected || nowMs < this.nextRtcpMs) return;
    this.nextRtcpMs = nowMs + RTCP_INTERVAL_MS;
    const buf = this.rtcpScratch;
    const wall = Date.now();
    for (const s of this.sources) {
      if (s.packetsSent === 0 || s.paused) continue;
      const info = newSenderInfo();
      info.ssrc = s.ssrc;
      info.ntpHigh = ntpHighFromUnixMs(wall);
      info.ntpLow = ntpLowFromUnixMs(wall);
      const elapsed = Math.max(0, nowMs - (s.nextDueMs - s.periodMs));
      info.rtpTimestamp = (s.lastTimestamp + Math.round((elapsed * CLOCK_RATE[s.kind]) / 1000)) >>> 0;
      info.packetCount = s.packetsSent >>> 0;
      info.octetCount = s.octetsSent >>> 0;
      const n = writeSenderReport(buf, 0, info);
      if (n > 0) this.peer.sendRtcp(Buffer.from(buf.subarray(0, n)));
    }
    if (this.streams.length > 0) {
      // One RR with up to 31 blocks (RFC 3550's limit), rotating through the streams.
      const count = Math.min(31, this.streams.length);
      while (this.blocks.length < count) this.blocks.push(newReportBlock());
      const start = Math.floor(nowMs / RTCP_INTERVAL_MS) % this.streams.length;
      for (let i = 0; i < count; i++) {
        const s = this.streams[(start + i) % this.streams.length];
        const b = this.blocks[i];
        b.ssrc = s.ssrc;
        b.cumulativeLost = Math.max(0, s.expected - s.received);
        b.extendedHighestSeq = s.highestSequence;
      }
      const n = writeReceiverReport(buf, 0, this.rtcpSsrc, this.blocks.slice(0, count));
      if (n > 0) this.peer.sendRtcp(Buffer.from(buf.subarray(0, n)));
    }
  }

  async leave(): Promise<void> {
    const s = this.signal;
    if (s && !s.closed) {
      try {
        await Promise.race([s.request({ type: "leave" }, "ack"), new Promise((r) => setTimeout(r, 2000))]);
      } catch {
        // the node may already have dropped us
      }
      s.close();
    }
    this.peer.close();
  }
}
