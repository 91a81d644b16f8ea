import type {
  CodecParameters,
  DataChannelStats,
  DataParticipant,
  ExtensionIdMap,
  SimulcastLayerSpec,
  TransportState,
  TransportStats,
} from "../../media-channel/messages.js";
import { TwccRecorder } from "../bwe/twcc-recorder.js";
import { type DtlsCertificate, type DtlsKeys, DtlsSession } from "../dtls/dtls-session.js";
import { buildBindingError, buildBindingSuccess, type StunMessage, verifyFingerprint, verifyMessageIntegrity } from "../ice/stun.js";
import type { Tuple, TupleOwner } from "../net/tuple.js";
import { writeReceiverReport } from "../rtcp/receiver-report.js";
import { extensionLength, extensionOffset, findExtension, rtpHeaderLength } from "../rtp/packet.js";
import { DataSession } from "../sctp/data-session.js";
import type { SrtpProfileId } from "../srtp/profiles.js";
import { SrtpSession } from "../srtp/session.js";
import { Consumer } from "./consumer.js";
import { Producer } from "./producer.js";
import { handleIncomingRtcp } from "./rtcp-receiver.js";
import { RtcpSender } from "./rtcp-sender.js";
import { SubscriberBandwidth } from "./subscriber-bandwidth.js";
import { TransportQuality } from "./transport-quality.js";
import type { WorkerCounters } from "./worker-counters.js";

export interface WebRtcTransportOptions {
  id: string;
  iceUfrag: string;
  icePwd: string;
  certificate: DtlsCertificate;
  srtpProfiles: number[];
  consentTimeoutMs: number;
  counters: WorkerCounters;
  onStateChange: (t: WebRtcTransport, state: TransportState, reason?: string) => void;
  onClose: (t: WebRtcTransport) => void;
  /** STUN on a tuple we already own (consent checks): the worker parses it and calls handleStun. */
  onStunFromOwnedTuple: (buf: Buffer, tuple: Tuple, t: WebRtcTransport) => void;
  /** Data channels (docs/data-channels.md): worker-wide counters and the relay of what this participant sends. */
  dataStats?: DataChannelStats;
  onDataPacket?: (from: DataSession, packet: Buffer, reliable: boolean) => void;
}

/**
 * One participant's ICE-lite + DTLS-SRTP transport on the worker's shared
 * sockets. It owns the tuples that authenticated with its ICE credentials, and
 * the producers and consumers negotiated on it.
 */
export class WebRtcTransport implements TupleOwner {
  readonly id: string;
  state: TransportState = "new";
  private localUfrag: string;
  private localPwd: Buffer;
  private remoteUfrag: string | null = null;
  private remoteFingerprints: { algorithm: string; value: string }[] = [];
  private readonly tuples = new Set<Tuple>();
  private selected: Tuple | null = null;
  private lastConsentMs = 0;
  /** When the client's offer gave us its parameters; ICE and DTLS must complete within the consent timeout. */
  private remoteSetAtMs = 0;
  private dtls: DtlsSession | null = null;
  private srtp: SrtpSession | null = null;
  srtpProfile: number | null = null;
  readonly producers = new Map<string, Producer>();
  private readonly producersBySsrc = new Map<number, Producer>();
  private readonly producersByRtxSsrc = new Map<number, Producer>();
  private readonly producersByMid = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  readonly consumersBySsrc = new Map<number, Consumer>();
  readonly rtcp: RtcpSender;
  /** Transport-cc feedback toward publishers that negotiated it. */
  private twcc: TwccRecorder | null = null;
  private twccExtensionId = 0;
  /** Toward a subscriber: send-side bandwidth estimate, allocation across its streams, probing. */
  bandwidth: SubscriberBandwidth | null = null;
  /** Where the consumer writes the packet `beginRtp` reserved. */
  rtpOffset = 0;
  private rtpTuple: Tuple | null = null;
  private readonly feedbackScratch = Buffer.alloc(1500);
  /** Link quality both ways (connection-quality.ts), sampled by the worker's activity reporter. */
  readonly quality = new TransportQuality();
  /** SCTP data channels, created when the first SCTP packet arrives over DTLS. */
  data: DataSession | null = null;
  private dataParticipant: DataParticipant | null = null;
  connected = false;
  packetsReceived = 0;
  packetsSent = 0;
  bytesReceived = 0;
  bytesSent = 0;

  constructor(private readonly o: WebRtcTransportOptions) {
    this.id = o.id;
    this.localUfrag = o.iceUfrag;
    this.localPwd = Buffer.from(o.icePwd, "utf8");
    this.rtcp = new RtcpSender((packet: Buffer) => this.sendRtcp(packet));
  }

  get iceUfrag(): string {
    return this.localUfrag;
  }

  /** ICE restart: checks must use the new credentials; the selected tuple keeps carrying media meanwhile. */
  restartIce(localUfrag: string, localPwd: string, remoteUfrag: string): void {
    this.localUfrag = localUfrag;
    this.localPwd = Buffer.from(localPwd, "utf8");
    this.remoteUfrag = remoteUfrag;
  }

  setRemoteParameters(remoteUfrag: string, fingerprints: { algorithm: string; value: string }[]): void {
    this.remoteUfrag = remoteUfrag;
    this.remoteFingerprints = fingerprints;
    this.remoteSetAtMs = performance.now();
  }

  // ---------- ICE-lite (RFC 8445 §2.5, consent RFC 7675) ----------

  /** A binding request whose USERNAME starts with our ufrag. Authenticates the tuple and answers. */
  handleStun(buf: Buffer, msg: StunMessage, tuple: Tuple, nowMs: number): void {
    if (this.state === "closed") return;
    const [, remote] = (msg.username ?? "").split(":");
    if (!msg.hasIntegrity || !verifyMessageIntegrity(buf, msg, this.localPwd) || (msg.hasFingerprint && !verifyFingerprint(buf, msg))) {
      this.o.counters.stunRejected++;
      tuple.send(buildBindingError({ transactionId: msg.transactionId, code: 401, reason: "Unauthorized" }));
      return;
    }
    if (this.remoteUfrag !== null && remote !== this.remoteUfrag) {
      this.o.counters.stunRejected++;
      tuple.send(buildBindingError({ transactionId: msg.transactionId, code: 401, reason: "Unauthorized", integrityKey: this.localPwd }));
      return;
    }
    if (tuple.owner !== this) {
      if (tuple.owner) tuple.owner.handleTupleClosed(tuple);
      tuple.adopt(this);
      this.tuples.add(tuple);
    }
    tuple.send(
      buildBindingSuccess({
        transactionId: msg.transactionId,
        address: tuple.address,
        port: tuple.port,
        family: tuple.family,
        integrityKey: this.localPwd,
      }),
    );
    // The controlling browser nominates with USE-CANDIDATE; until then the first authenticated tuple carries DTLS.
    if (msg.useCandidate || this.selected === null) this.selected = tuple;
    if (tuple === this.selected) this.lastConsentMs = nowMs;
    if (this.state === "new") this.setState("connecting");
  }

  handlePacket(buf: Buffer, tuple: Tuple, arrivalMs?: number): void {
    const b0 = buf[0]!;
    if (b0 >= 128 && b0 <= 191) {
      if (buf.length < 12 || this.srtp === null) {
        this.o.counters.droppedSrtp++;
        return;
      }
      const b1 = buf[1]!;
      if (b1 >= 192 && b1 <= 223) this.receiveRtcp(buf);
      else this.receiveRtp(buf, arrivalMs);
      return;
    }
    if (b0 <= 3) {
      this.o.onStunFromOwnedTuple(buf, tuple, this);
      return;
    }
    if (b0 >= 20 && b0 <= 63) {
      this.receiveDtls(buf, tuple);
      return;
    }
    this.o.counters.droppedGarbage++;
  }

  handleTupleClosed(tuple: Tuple): void {
    this.tuples.delete(tuple);
    if (this.selected === tuple) {
      this.selected = null;
      for (const t of this.tuples) this.selected = t;
      if (this.selected === null && this.state === "connected") this.setState("disconnected", "tuple closed");
    }
  }

  // ---------- DTLS ----------

  private receiveDtls(buf: Buffer, tuple: Tuple): void {
    if (this.dtls === null) {
      if (this.remoteFingerprints.length === 0 || this.srtp !== null) return;
      this.dtls = new DtlsSession({
        certificate: this.o.certificate,
        srtpProfiles: this.o.srtpProfiles,
        remoteFingerprints: this.remoteFingerprints,
        send: (b) => (this.selected ?? tuple).send(b),
        onConnected: (keys) => this.dtlsConnected(keys),
        onFailed: (reason) => this.setState("failed", reason),
        onApplicationData: (b) => this.receiveSctp(b),
      });
    }
    this.dtls.handle(buf);
  }

  /** The participant behind this transport, for its data channels. */
  setDataParticipant(p: DataParticipant): void {
    this.dataParticipant = p;
    this.data?.setParticipant(p);
  }

  private receiveSctp(buf: Buffer): void {
    const stats = this.o.dataStats;
    const onPacket = this.o.onDataPacket;
    if (stats === undefined || onPacket === undefined || this.state === "closed") return;
    if (this.data === null) {
      this.data = new DataSession({ sendSctp: (b) => this.dtls?.sendApplicationData(b), stats, onPacket });
      if (this.dataParticipant !== null) this.data.setParticipant(this.dataParticipant);
    }
    this.data.handleSctp(buf);
  }

  private dtlsConnected(keys: DtlsKeys): void {
    this.srtp = new SrtpSession({
      profile: keys.profile as SrtpProfileId,
      localMasterKey: keys.localKey,
      localMasterSalt: keys.localSalt,
      remoteMasterKey: keys.remoteKey,
      remoteMasterSalt: keys.remoteSalt,
    });
    this.srtpProfile = keys.profile;
    this.connected = true;
    this.setState("connected");
    // A subscriber that just connected needs a keyframe to start decoding.
    const now = performance.now();
    for (const c of this.consumers.values()) c.requestKeyFrame(now);
  }

  // ---------- RTP / RTCP ----------

  private receiveRtp(buf: Buffer, arrivalMs: number | undefined): void {
    // Decrypted in place: every datagram (or TCP frame) arrives in a buffer of its own.
    const n = this.srtp!.unprotectRtpInPlace(buf, 0, buf.length);
    if (n < 0) {
      this.o.counters.droppedSrtp++;
      return;
    }
    const plain = n === buf.length ? buf : buf.subarray(0, n);
    this.packetsReceived++;
    this.bytesReceived += buf.length;
    const ssrc = plain.readUInt32BE(8);
    const now = performance.now();
    const twcc = this.twcc;
    if (twcc !== null) {
      // Transport-wide sequence number of every packet (media and RTX) with its arrival time, for feedback:
      // the kernel's receive time where the socket gives it, so a busy worker does not bunch arrivals.
      const at = findExtension(plain, plain.length, this.twccExtensionId);
      if (at >= 0) {
        const o = at & 0xffff;
        twcc.record((plain[o]! << 8) | plain[o + 1]!, arrivalMs ?? now, ssrc);
      }
    }
    const p = this.producersBySsrc.get(ssrc);
    if (p !== undefined) {
      p.receiveRtp(plain, now);
      return;
    }
    const r = this.producersByRtxSsrc.get(ssrc);
    if (r !== undefined) {
      const hl = rtpHeaderLength(plain, plain.length);
      if (hl > 0) r.receiveRtx(plain, hl, now);
      return;
    }
    if (this.learnSimulcastSsrc(plain, ssrc, now)) return;
    this.o.counters.droppedUnknownSsrc++;
  }

  /**
   * Simulcast streams are not signalled by SSRC: the first packet of each carries
   * the mid and rid (or repaired-rid, for its RTX) header extensions (RFC 8852),
   * which bind its SSRC to the layer for good.
   */
  private learnSimulcastSsrc(plain: Buffer, ssrc: number, now: number): boolean {
    const len = plain.length;
    for (const parent of this.producers.values()) {
      if (parent.layers.length === 0) continue;
      const ext = parent.extensions;
      const midAt = ext.mid > 0 ? findExtension(plain, len, ext.mid) : -1;
      if (midAt < 0 || plain.toString("ascii", extensionOffset(midAt), extensionOffset(midAt) + extensionLength(midAt)) !== parent.mid)
        continue;
      let ridAt = ext.rid ? findExtension(plain, len, ext.rid) : -1;
      let repair = false;
      if (ridAt < 0 && ext.repairedRid) {
        ridAt = findExtension(plain, len, ext.repairedRid);
        repair = true;
      }
      if (ridAt < 0) return false;
      const rid = plain.toString("ascii", extensionOffset(ridAt), extensionOffset(ridAt) + extensionLength(ridAt));
      const layer = parent.layers.find((l) => l.rid === rid);
      if (!layer) return false;
      if (repair) {
        if (layer.rtxSsrc !== null || parent.codec.rtxPayloadType === null) return false;
        layer.rtxSsrc = ssrc;
        this.producersByRtxSsrc.set(ssrc, layer);
        const hl = rtpHeaderLength(plain, len);
        if (hl > 0) layer.receiveRtx(plain, hl, now);
        return true;
      }
      if (layer.ssrc !== 0) return false; // a new SSRC for a known rid: a stream restart is not supported
      layer.ssrc = ssrc;
      this.producersBySsrc.set(ssrc, layer);
      layer.receiveRtp(plain, now);
      return true;
    }
    return false;
  }

  private receiveRtcp(buf: Buffer): void {
    const plain = this.srtp!.unprotectRtcp(buf);
    if (plain === null) {
      this.o.counters.droppedSrtp++;
      return;
    }
    this.packetsReceived++;
    this.bytesReceived += buf.length;
    handleIncomingRtcp(this, plain, performance.now());
  }

  producerBySsrc(ssrc: number): Producer | undefined {
    return this.producersBySsrc.get(ssrc);
  }

  sendRtp(packet: Buffer): void {
    const t = this.selected;
    if (t === null || this.srtp === null) return;
    const out = this.srtp.protectRtp(packet);
    this.packetsSent++;
    this.bytesSent += out.length;
    t.send(out);
  }

  /**
   * The forwarding path without copies: `beginRtp` hands out the buffer the
   * consumer writes its packet into (at `rtpOffset`, with room for the SRTP tag),
   * `commitRtp` protects it in place and queues it on the selected tuple.
   */
  beginRtp(maxLength: number): Buffer | null {
    const t = this.selected;
    const srtp = this.srtp;
    if (t === null || srtp === null) return null;
    const buf = t.reserve(maxLength + srtp.rtpOverhead);
    this.rtpOffset = t.reservedOffset;
    this.rtpTuple = t;
    return buf;
  }

  commitRtp(buf: Buffer, length: number, twccOffset: number): void {
    const t = this.rtpTuple;
    this.rtpTuple = null;
    if (t === null || this.srtp === null) return;
    const bw = this.bandwidth;
    let twSeq = -1;
    if (twccOffset >= 0 && bw !== null) {
      twSeq = bw.nextSequence();
      buf[twccOffset] = twSeq >>> 8;
      buf[twccOffset + 1] = twSeq & 0xff;
    }
    const n = this.srtp.protectRtpInPlace(buf, this.rtpOffset, length);
    this.packetsSent++;
    this.bytesSent += n;
    if (twSeq >= 0) bw!.onPacketSent(twSeq, performance.now(), n);
    t.commit(n);
  }

  sendRtcp(packet: Buffer): void {
    const t = this.selected;
    if (t === null || this.srtp === null) return;
    const out = this.srtp.protectRtcp(packet);
    this.packetsSent++;
    this.bytesSent += out.length;
    t.send(out);
  }

  // ---------- producers / consumers ----------

  produce(
    id: string,
    kind: "audio" | "video",
    mid: string,
    ssrc: number,
    rtxSsrc: number | null,
    codec: CodecParameters,
    ext: ExtensionIdMap,
    layers?: SimulcastLayerSpec[] | null,
  ): Producer {
    const p = new Producer(id, kind, mid, ssrc, rtxSsrc, codec, ext, this.rtcp);
    this.producers.set(id, p);
    if (ext.transportCc > 0 && this.twcc === null) {
      // One transport-wide sequence space per BUNDLE transport (draft-holmer-rmcat-transport-wide-cc-extensions-01).
      this.twcc = new TwccRecorder({ senderSsrc: this.rtcp.ssrc });
      this.twccExtensionId = ext.transportCc;
    }
    if (layers && layers.length > 0) {
      for (const l of layers) p.addLayer(l.rid, l.width, l.height, this.rtcp);
    } else {
      this.producersBySsrc.set(ssrc, p);
      if (rtxSsrc !== null) this.producersByRtxSsrc.set(rtxSsrc, p);
    }
    this.producersByMid.set(mid, p);
    return p;
  }

  removeProducer(p: Producer): void {
    this.producers.delete(p.id);
    for (const l of p.layers) {
      if (this.producersBySsrc.get(l.ssrc) === l) this.producersBySsrc.delete(l.ssrc);
      if (l.rtxSsrc !== null && this.producersByRtxSsrc.get(l.rtxSsrc) === l) this.producersByRtxSsrc.delete(l.rtxSsrc);
    }
    if (this.producersBySsrc.get(p.ssrc) === p) this.producersBySsrc.delete(p.ssrc);
    if (p.rtxSsrc !== null && this.producersByRtxSsrc.get(p.rtxSsrc) === p) this.producersByRtxSsrc.delete(p.rtxSsrc);
    if (this.producersByMid.get(p.mid) === p) this.producersByMid.delete(p.mid);
  }

  consume(
    id: string,
    producer: Producer,
    mid: string,
    cname: string,
    ssrc: number,
    rtxSsrc: number | null,
    codec: CodecParameters,
    ext: ExtensionIdMap,
  ): Consumer {
    const c = new Consumer(id, producer, mid, cname, ssrc, rtxSsrc, codec, ext, this, (closed) => this.forgetConsumer(closed));
    // Subscribers that negotiated transport-cc get send-side bandwidth estimation (their feedback, our stamps).
    if (ext.transportCc > 0 && this.bandwidth === null) this.bandwidth = new SubscriberBandwidth(this);
    this.consumers.set(id, c);
    this.consumersBySsrc.set(ssrc, c);
    if (rtxSsrc !== null) this.consumersBySsrc.set(rtxSsrc, c);
    producer.addConsumer(c);
    if (this.connected) c.requestKeyFrame(performance.now());
    return c;
  }

  private forgetConsumer(c: Consumer): void {
    this.o.counters.rtpForwardedByClosed += c.packetsSent;
    this.consumers.delete(c.id);
    if (this.consumersBySsrc.get(c.ssrc) === c) this.consumersBySsrc.delete(c.ssrc);
    if (c.rtxSsrc !== null && this.consumersBySsrc.get(c.rtxSsrc) === c) this.consumersBySsrc.delete(c.rtxSsrc);
  }

  /**
   * Every ~50 ms: transport-wide congestion control feedback to the publisher
   * (arrival times of its packets), so its send-side estimator can ramp up and
   * back off. Led by an empty RR, like every compound RTCP packet we send.
   */
  sendTransportFeedback(): void {
    const twcc = this.twcc;
    if (twcc === null || !this.connected || twcc.pending === 0) return;
    const b = this.feedbackScratch;
    const head = writeReceiverReport(b, 0, this.rtcp.ssrc, []);
    if (head <= 0) return;
    for (let i = 0; i < 8; i++) {
      const n = twcc.writeFeedback(b, head, 1200 - head);
      if (n <= 0) break;
      this.sendRtcp(b.subarray(0, head + n));
    }
  }

  /** Once a second: consent freshness, receiver reports to publishers, sender reports to subscribers. */
  tick(nowMs: number): void {
    const timeout = this.o.consentTimeoutMs;
    if ((this.state === "connected" || this.state === "disconnected") && nowMs - this.lastConsentMs > timeout) {
      this.setState("failed", "ICE consent expired");
      return;
    }
    if (!this.connected && this.remoteSetAtMs > 0 && nowMs - this.remoteSetAtMs > timeout) {
      this.setState("failed", this.state === "new" ? "no ICE connectivity check arrived" : "ICE/DTLS did not complete");
      return;
    }
    if (!this.connected) return;
    for (const p of this.producers.values()) p.tick();
    this.rtcp.sendSenderReports(this.consumers.values(), nowMs);
  }

  stats(): TransportStats {
    const t = this.selected;
    return {
      state: this.state,
      selectedTuple: t ? { protocol: t.protocol, address: t.address, port: t.port } : null,
      srtpProfile: this.srtpProfile,
      packetsReceived: this.packetsReceived,
      packetsSent: this.packetsSent,
      bytesReceived: this.bytesReceived,
      bytesSent: this.bytesSent,
      srtpAuthFailures: this.srtp?.stats.authFailures ?? 0,
    };
  }

  private setState(state: TransportState, reason?: string): void {
    if (this.state === state || this.state === "closed") return;
    this.state = state;
    this.o.onStateChange(this, state, reason);
    if (state === "failed") this.close();
  }

  /** Closes the transport and, in cascade, its producers and consumers. Idempotent. */
  close(): void {
    if (this.state === "closed") return;
    const failed = this.state === "failed";
    this.state = "closed";
    this.connected = false;
    for (const c of [...this.consumers.values()]) c.close();
    for (const p of [...this.producers.values()]) {
      p.close();
      this.removeProducer(p);
    }
    this.data?.close();
    this.bandwidth?.close();
    this.dtls?.close();
    for (const t of [...this.tuples]) t.release();
    this.tuples.clear();
    this.selected = null;
    if (!failed) this.o.onStateChange(this, "closed");
    this.o.onClose(this);
  }
}
