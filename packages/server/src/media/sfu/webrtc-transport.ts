import type { CodecParameters, ExtensionIdMap, TransportState, TransportStats } from "../../media-channel/messages.js";
import { type DtlsCertificate, type DtlsKeys, DtlsSession } from "../dtls/dtls-session.js";
import { buildBindingError, buildBindingSuccess, type StunMessage, verifyFingerprint, verifyMessageIntegrity } from "../ice/stun.js";
import type { Tuple, TupleOwner } from "../net/tuple.js";
import { rtpHeaderLength } from "../rtp/packet.js";
import type { SrtpProfileId } from "../srtp/profiles.js";
import { SrtpSession } from "../srtp/session.js";
import { Consumer } from "./consumer.js";
import { Producer } from "./producer.js";
import { handleIncomingRtcp } from "./rtcp-receiver.js";
import { RtcpSender } from "./rtcp-sender.js";
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

  handlePacket(buf: Buffer, tuple: Tuple): void {
    const b0 = buf[0]!;
    if (b0 >= 128 && b0 <= 191) {
      if (buf.length < 12 || this.srtp === null) {
        this.o.counters.droppedSrtp++;
        return;
      }
      const b1 = buf[1]!;
      if (b1 >= 192 && b1 <= 223) this.receiveRtcp(buf);
      else this.receiveRtp(buf);
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
      });
    }
    this.dtls.handle(buf);
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
    for (const c of this.consumers.values()) c.producer.requestKeyFrame(now);
  }

  // ---------- RTP / RTCP ----------

  private receiveRtp(buf: Buffer): void {
    const plain = this.srtp!.unprotectRtp(buf);
    if (plain === null) {
      this.o.counters.droppedSrtp++;
      return;
    }
    this.packetsReceived++;
    this.bytesReceived += buf.length;
    const ssrc = plain.readUInt32BE(8);
    const now = performance.now();
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
    this.o.counters.droppedUnknownSsrc++;
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
  ): Producer {
    const p = new Producer(id, kind, mid, ssrc, rtxSsrc, codec, ext, this.rtcp);
    this.producers.set(id, p);
    this.producersBySsrc.set(ssrc, p);
    if (rtxSsrc !== null) this.producersByRtxSsrc.set(rtxSsrc, p);
    this.producersByMid.set(mid, p);
    return p;
  }

  removeProducer(p: Producer): void {
    this.producers.delete(p.id);
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
    this.consumers.set(id, c);
    this.consumersBySsrc.set(ssrc, c);
    if (rtxSsrc !== null) this.consumersBySsrc.set(rtxSsrc, c);
    producer.addConsumer(c);
    if (this.connected) producer.requestKeyFrame(performance.now());
    return c;
  }

  private forgetConsumer(c: Consumer): void {
    this.consumers.delete(c.id);
    if (this.consumersBySsrc.get(c.ssrc) === c) this.consumersBySsrc.delete(c.ssrc);
    if (c.rtxSsrc !== null && this.consumersBySsrc.get(c.rtxSsrc) === c) this.consumersBySsrc.delete(c.rtxSsrc);
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
    this.dtls?.close();
    for (const t of [...this.tuples]) t.release();
    this.tuples.clear();
    this.selected = null;
    if (!failed) this.o.onStateChange(this, "closed");
    this.o.onClose(this);
  }
}
