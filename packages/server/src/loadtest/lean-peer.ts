// A lean WebRTC endpoint for load testing: one UDP socket, full-ICE controlling
// agent toward the SFU's single host candidate, werift's DtlsClient over our own
// datagrams, then our SrtpSession. No PeerConnection, no jitter buffer, no decode.
//
//   socket ── first byte (RFC 7983) ──┬─ 0..3     STUN binding responses
//                                     ├─ 20..63   DTLS (werift DtlsClient)
//                                     └─ 128..191 SRTP / SRTCP → onRtp / onRtcp

import { randomBytes } from "node:crypto";
import dgram from "node:dgram";
import { DtlsClient } from "werift";
import { buildBindingRequest, parseStun, STUN_BINDING_SUCCESS, verifyMessageIntegrity } from "../media/ice/stun.js";
import { SrtpProfile, type SrtpProfileId } from "../media/srtp/profiles.js";
import { SrtpSession } from "../media/srtp/session.js";
import type { WorkerCertificate } from "../media-control/certificate.js";

const KEY_LENGTHS: Record<number, [number, number]> = {
  [SrtpProfile.AES_CM_128_HMAC_SHA1_80]: [16, 14],
  [SrtpProfile.AEAD_AES_128_GCM]: [16, 12],
};
/** What Chrome offers, in its order: the SFU picks by its own preference. */
const OFFERED_PROFILES = [SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80];
const CHECK_INTERVAL_MS = 50;
const CONNECT_TIMEOUT_MS = 20_000;
/** RFC 7675 consent freshness: a check every 5 s keeps the SFU's consent timer (30 s by default) happy. */
export const CONSENT_INTERVAL_MS = 5000;

export type PeerState = "new" | "checking" | "dtls" | "connected" | "failed" | "closed";

export interface LeanPeerHandlers {
  onRtp(plain: Buffer, nowMs: number): void;
  onRtcp(plain: Buffer): void;
}

export interface PeerCounters {
  srtpFailures: number;
  /** RTP packets dropped on purpose (--drop-rate), before SRTP. */
  injectedDrops: number;
  rtpReceived: number;
  rtcpReceived: number;
}

export class LeanPeer {
  readonly iceUfrag = randomBytes(6).toString("base64url");
  readonly icePwd = randomBytes(18).toString("base64url");
  state: PeerState = "new";
  failure = "";
  srtp: SrtpSession | null = null;
  /** The negotiated SRTP profile id (RFC 5764 §4.1.2), once connected. */
  srtpProfile: SrtpProfileId | null = null;
  readonly counters: PeerCounters = { srtpFailures: 0, injectedDrops: 0, rtpReceived: 0, rtcpReceived: 0 };
  private readonly socket: dgram.Socket;
  private remote: { address: string; port: number; ufrag: string; pwd: Buffer } | null = null;
  private dtls: DtlsClient | null = null;
  private dtlsTransport: { onData: (b: Buffer) => void } | null = null;
  private readonly tieBreaker = randomBytes(8).readBigUInt64BE(0);
  private checkTransaction: Buffer | null = null;
  private nextConsentMs = 0;

  private constructor(
    socket: dgram.Socket,
    private readonly certificate: WorkerCertificate,
    private readonly handlers: LeanPeerHandlers,
    private readonly dropRate: number,
  ) {
    this.socket = socket;
    socket.on("message", (msg) => this.onDatagram(msg));
    socket.on("error", () => {});
  }

  /** `dropRate`: fraction of received RTP packets to drop before SRTP, to exercise NACK/RTX on a lossless loopback. */
  static async open(certificate: WorkerCertificate, handlers: LeanPeerHandlers, dropRate = 0): Promise<LeanPeer> {
    const socket = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return new LeanPeer(socket, certificate, handlers, dropRate);
  }

  /** Runs ICE (we nominate with USE-CANDIDATE) then the DTLS handshake; resolves when SRTP keys exist. */
  async connect(remote: { address: string; port: number; ufrag: string; pwd: string }): Promise<void> {
    this.remote = { address: remote.address, port: remote.port, ufrag: remote.ufrag, pwd: Buffer.from(remote.pwd, "utf8") };
    this.state = "checking";
    const deadline = performance.now() + CONNECT_TIMEOUT_MS;
    while (this.state === "checking") {
      if (performance.now() > deadline) return this.fail("no ICE binding response from the SFU");
      this.sendCheck(true);
      await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
    }
    if (this.state !== "dtls") return;
    const transport = {
      type: "relais-loadtest",
      closed: false,
      address: {},
      onData: (_b: Buffer) => {},
      send: async (b: Buffer) => this.sendRaw(b),
      close: async () => {},
    };
    this.dtlsTransport = transport;
    const c = this.certificate;
    const dtls = new DtlsClient({
      // biome-ignore lint/suspicious/noExplicitAny: werift's Transport type is wider than what it uses
      transport: transport as any,
      cert: c.certPem,
      key: c.keyPem,
      // biome-ignore lint/suspicious/noExplicitAny: opaque werift value
      signatureHash: c.signatureHash as any,
      // biome-ignore lint/suspicious/noExplicitAny: werift's SrtpProfile is a numeric union
      srtpProfiles: OFFERED_PROFILES as any,
      extendedMasterSecret: true,
      certificateRequest: true,
    });
    this.dtls = dtls;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("DTLS handshake timed out")), Math.max(1000, deadline - performance.now()));
      dtls.onConnect.subscribe(() => {
        clearTimeout(timer);
        resolve();
      });
      dtls.onError.subscribe((e: Error) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    try {
      await Promise.all([dtls.connect(), connected]);
    } catch (err) {
      return this.fail(`DTLS: ${(err as Error).message}`);
    }
    const profile = dtls.srtp.srtpProfile as number | undefined;
    const lengths = profile !== undefined ? KEY_LENGTHS[profile] : undefined;
    if (!lengths) return this.fail("DTLS: no SRTP profile negotiated");
    const k = dtls.extractSessionKeys(lengths[0], lengths[1]);
    this.srtp = new SrtpSession({
      profile: profile as SrtpProfileId,
      localMasterKey: k.localKey,
      localMasterSalt: k.localSalt,
      remoteMasterKey: k.remoteKey,
      remoteMasterSalt: k.remoteSalt,
    });
    this.srtpProfile = profile as SrtpProfileId;
    this.state = "connected";
    this.nextConsentMs = performance.now() + CONSENT_INTERVAL_MS * (0.5 + Math.random());
  }

  private fail(reason: string): void {
    if (this.state === "closed") return;
    this.state = "failed";
    this.failure = reason;
  }

  private sendCheck(useCandidate: boolean): void {
    const r = this.remote;
    if (r === null) return;
    const tid = randomBytes(12);
    if (useCandidate) this.checkTransaction = tid;
    this.sendRaw(
      buildBindingRequest({
        transactionId: tid,
        username: `${r.ufrag}:${this.iceUfrag}`,
        integrityKey: r.pwd,
        priority: 0x6e7f1eff,
        useCandidate,
        iceControlling: this.tieBreaker,
      }),
    );
  }

  /** Periodic work: RFC 7675 consent checks. */
  tick(nowMs: number): void {
    if (this.state === "connected" && nowMs >= this.nextConsentMs) {
      this.nextConsentMs = nowMs + CONSENT_INTERVAL_MS;
      this.sendCheck(false);
    }
  }

  private onDatagram(msg: Buffer): void {
    const b0 = msg[0];
    if (b0 >= 128 && b0 <= 191) {
      const srtp = this.srtp;
      if (srtp === null || msg.length < 12) return;
      const b1 = msg[1];
      if (b1 >= 192 && b1 <= 223) {
        const plain = srtp.unprotectRtcp(msg);
        if (plain === null) this.counters.srtpFailures++;
        else {
          this.counters.rtcpReceived++;
          this.handlers.onRtcp(plain);
        }
        return;
      }
      if (this.dropRate > 0 && Math.random() < this.dropRate) {
        this.counters.injectedDrops++;
        return;
      }
      const plain = srtp.unprotectRtp(msg);
      if (plain === null) {
        this.counters.srtpFailures++;
        return;
      }
      this.counters.rtpReceived++;
      this.handlers.onRtp(plain, performance.now());
      return;
    }
    if (b0 <= 3) {
      this.onStun(msg);
      return;
    }
    if (b0 >= 20 && b0 <= 63) this.dtlsTransport?.onData(msg);
  }

  private onStun(msg: Buffer): void {
    const m = parseStun(msg);
    const r = this.remote;
    if (!m || r === null || m.type !== STUN_BINDING_SUCCESS) return;
    // A response is signed with the password of the agent that got the request: the SFU's (RFC 8445 §7.2.2).
    if (!verifyMessageIntegrity(msg, m, r.pwd)) return;
    if (this.state === "checking" && this.checkTransaction !== null && m.transactionId.equals(this.checkTransaction)) {
      this.state = "dtls";
    }
  }

  private sendRaw(buf: Buffer): void {
    const r = this.remote;
    if (r === null || this.state === "closed") return;
    this.socket.send(buf, r.port, r.address);
  }

  sendRtp(plain: Buffer): void {
    if (this.srtp !== null) this.sendRaw(this.srtp.protectRtp(plain));
  }

  sendRtcp(plain: Buffer): void {
    if (this.srtp !== null) this.sendRaw(this.srtp.protectRtcp(plain));
  }

  get srtpAuthFailures(): number {
    return this.counters.srtpFailures;
  }

  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    try {
      this.dtls?.close();
    } catch {
      // already closed
    }
    this.socket.close();
  }
}
