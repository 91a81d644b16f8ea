import { AesCmTransform } from "./aes-cm.js";
import { AesGcmTransform } from "./aes-gcm.js";
import { deriveSessionKeys } from "./kdf.js";
import { loadNativeBinding } from "./native-binding.js";
import { NativeAesCmTransform, NativeAesGcmTransform } from "./native-transform.js";
import { SrtpProfile, type SrtpProfileId } from "./profiles.js";
import { ReplayWindow } from "./replay-window.js";
import { estimateRoc, RolloverState, RTCP_FIXED_HEADER, rtpHeaderLength } from "./rtp-header.js";
import { checkRegion, SRTCP_E_FLAG, SRTCP_INDEX_MASK, type SrtpTransform } from "./transform.js";

export interface SrtpSessionOptions {
  profile: SrtpProfileId;
  localMasterKey: Buffer;
  localMasterSalt: Buffer;
  remoteMasterKey: Buffer;
  remoteMasterSalt: Buffer;
  /** Per-SSRC replay window in packets (RFC 3711 §3.3.2 asks for at least 64). */
  replayWindowSize?: number;
  /**
   * true: use the native addon or throw; false: pure TypeScript; default: native
   * when the addon loaded (see native-binding.ts, `RELAIS_NATIVE=0` disables it).
   */
  native?: boolean;
}

/** Receive-side state of one SSRC: rollover state plus replay list. */
class RtpReceiveState extends RolloverState {
  readonly window: ReplayWindow;

  constructor(seq: number, windowSize: number) {
    super(seq);
    this.window = new ReplayWindow(windowSize, seq);
  }
}

/** Send-side SRTCP index of one SSRC; starts at 0 (RFC 3711 §3.3.2). */
class RtcpSendState {
  next = 0;
}

function createTransform(profile: SrtpProfileId, key: Buffer, salt: Buffer, native: boolean): SrtpTransform {
  const keys = deriveSessionKeys(profile, key, salt);
  const gcm = profile === SrtpProfile.AEAD_AES_128_GCM;
  let transform: SrtpTransform;
  if (native) transform = gcm ? new NativeAesGcmTransform(keys) : new NativeAesCmTransform(keys);
  else transform = gcm ? new AesGcmTransform(keys) : new AesCmTransform(keys);
  // The transform holds copies (KeyObjects, salt words); don't leave session keys lying around in the heap.
  for (const buffer of Object.values(keys)) buffer.fill(0);
  return transform;
}

/**
 * One DTLS-SRTP association: "local" keys protect what we send, "remote" keys
 * unprotect what we receive (RFC 5764 §4.2). Rollover, SRTCP index and replay
 * state are kept per SSRC and per direction.
 *
 * Each operation comes allocating (`protectRtp(packet): Buffer`) and in place
 * (`protectRtpInPlace(buf, offset, length): number`, for a packet written into a
 * reusable arena with `rtpOverhead` spare bytes after it).
 */
export class SrtpSession {
  readonly stats = { authFailures: 0, replayDrops: 0, malformed: 0 };
  /** Whether the native addon does the cryptography. */
  readonly native: boolean;

  private readonly local: SrtpTransform;
  private readonly remote: SrtpTransform;
  private readonly windowSize: number;
  private readonly rtpSend = new Map<number, RolloverState>();
  private readonly rtpReceive = new Map<number, RtpReceiveState>();
  private readonly rtcpSend = new Map<number, RtcpSendState>();
  private readonly rtcpReceive = new Map<number, ReplayWindow>();
  // Result of the last receive pre-check, read right after it (one packet at a time, no tuple allocated).
  private rxSsrc = 0;
  private rxSeq = 0;
  private rxRoc = 0;
  private rxIndex = 0;
  private rxEncrypted = true;

  constructor(o: SrtpSessionOptions) {
    this.windowSize = o.replayWindowSize ?? 128;
    ReplayWindow.validateSize(this.windowSize);
    this.native = o.native ?? loadNativeBinding() !== null;
    this.local = createTransform(o.profile, o.localMasterKey, o.localMasterSalt, this.native);
    this.remote = createTransform(o.profile, o.remoteMasterKey, o.remoteMasterSalt, this.native);
  }

  /** Spare bytes protectRtpInPlace needs after the packet. */
  get rtpOverhead(): number {
    return this.local.rtpOverhead;
  }

  /** Spare bytes protectRtcpInPlace needs after the packet. */
  get rtcpOverhead(): number {
    return this.local.rtcpOverhead;
  }

  protectRtp(packet: Buffer): Buffer {
    const headerLength = rtpHeaderLength(packet, packet.length);
    if (headerLength < 0) throw new RangeError("protectRtp: not a complete RTP v2 packet");
    const seq = (packet[2] << 8) | packet[3];
    const ssrc = packet.readUInt32BE(8);
    return this.local.protectRtp(packet, headerLength, ssrc, this.sendRoc(ssrc, seq), seq);
  }

  /** Protects `buf[offset, offset + length)` in place; returns the SRTP length (`length + rtpOverhead`). */
  protectRtpInPlace(buf: Buffer, offset: number, length: number): number {
    checkRegion(buf, offset, length, this.local.rtpOverhead, 0);
    const headerLength = rtpHeaderLength(buf, offset + length, offset);
    if (headerLength < 0) throw new RangeError("protectRtpInPlace: not a complete RTP v2 packet");
    const seq = (buf[offset + 2] << 8) | buf[offset + 3];
    const ssrc = buf.readUInt32BE(offset + 8);
    return this.local.protectRtpInPlace(buf, offset, length, headerLength, ssrc, this.sendRoc(ssrc, seq), seq);
  }

  unprotectRtp(packet: Buffer): Buffer | null {
    try {
      const headerLength = this.checkRtpReceive(packet, 0, packet.length);
      if (headerLength < 0) return null;
      const out = this.remote.unprotectRtp(packet, headerLength, this.rxSsrc, this.rxRoc, this.rxSeq);
      if (out === null) {
        this.stats.authFailures++;
        return null;
      }
      this.acceptRtpReceive();
      return out;
    } catch {
      this.stats.malformed++;
      return null;
    }
  }

  /** Unprotects `buf[offset, offset + length)` in place; returns the RTP length, or -1 (counted in stats) to drop it. */
  unprotectRtpInPlace(buf: Buffer, offset: number, length: number): number {
    checkRegion(buf, offset, length, 0, 0);
    const headerLength = this.checkRtpReceive(buf, offset, length);
    if (headerLength < 0) return -1;
    const n = this.remote.unprotectRtpInPlace(buf, offset, length, headerLength, this.rxSsrc, this.rxRoc, this.rxSeq);
    if (n < 0) {
      this.stats.authFailures++;
      return -1;
    }
    this.acceptRtpReceive();
    return n;
  }

  protectRtcp(packet: Buffer): Buffer {
    const ssrc = this.checkRtcpSend(packet, 0, packet.length);
    return this.local.protectRtcp(packet, ssrc, this.nextRtcpIndex(ssrc));
  }

  /** Protects `buf[offset, offset + length)` in place; returns the SRTCP length (`length + rtcpOverhead`). */
  protectRtcpInPlace(buf: Buffer, offset: number, length: number): number {
    checkRegion(buf, offset, length, this.local.rtcpOverhead, 0);
    const ssrc = this.checkRtcpSend(buf, offset, length);
    return this.local.protectRtcpInPlace(buf, offset, length, ssrc, this.nextRtcpIndex(ssrc));
  }

  unprotectRtcp(packet: Buffer): Buffer | null {
    try {
      if (!this.checkRtcpReceive(packet, 0, packet.length)) return null;
      const out = this.remote.unprotectRtcp(packet, this.rxSsrc, this.rxIndex, this.rxEncrypted);
      if (out === null) {
        this.stats.authFailures++;
        return null;
      }
      this.acceptRtcpReceive();
      return out;
    } catch {
      this.stats.malformed++;
      return null;
    }
  }

  /** Unprotects `buf[offset, offset + length)` in place; returns the RTCP length, or -1 (counted in stats) to drop it. */
  unprotectRtcpInPlace(buf: Buffer, offset: number, length: number): number {
    checkRegion(buf, offset, length, 0, 0);
    if (!this.checkRtcpReceive(buf, offset, length)) return -1;
    const n = this.remote.unprotectRtcpInPlace(buf, offset, length, this.rxSsrc, this.rxIndex, this.rxEncrypted);
    if (n < 0) {
      this.stats.authFailures++;
      return -1;
    }
    this.acceptRtcpReceive();
    return n;
  }

  private sendRoc(ssrc: number, seq: number): number {
    const state = this.rtpSend.get(ssrc);
    if (state === undefined) {
      this.rtpSend.set(ssrc, new RolloverState(seq));
      return 0;
    }
    // The sender estimates like a receiver would, so packets re-sent out of
    // order (e.g. NACK retransmissions across a wrap) keep their original ROC.
    const roc = estimateRoc(state.roc, state.sl, seq);
    state.update(roc, seq);
    return roc;
  }

  private checkRtcpSend(buf: Buffer, offset: number, length: number): number {
    if (length < RTCP_FIXED_HEADER || buf[offset] >>> 6 !== 2) throw new RangeError("protectRtcp: not an RTCP v2 packet");
    return buf.readUInt32BE(offset + 4);
  }

  private nextRtcpIndex(ssrc: number): number {
    let state = this.rtcpSend.get(ssrc);
    if (state === undefined) {
      state = new RtcpSendState();
      this.rtcpSend.set(ssrc, state);
    }
    const index = state.next;
    // RFC 3711 §9.2: after 2^31 SRTCP packets the key must be replaced or the session
    // terminated; wrapping the index would reuse keystream, so refuse instead.
    if (index > SRTCP_INDEX_MASK) throw new Error("protectRtcp: SRTCP index space exhausted, rekey required");
    state.next = index + 1;
    return index;
  }

  /** Header length of a received SRTP packet that passed the replay check (rx* set), or -1 (counted). */
  private checkRtpReceive(buf: Buffer, offset: number, length: number): number {
    const headerLength = rtpHeaderLength(buf, offset + length - this.remote.rtpOverhead, offset);
    if (headerLength < 0) {
      this.stats.malformed++;
      return -1;
    }
    const seq = (buf[offset + 2] << 8) | buf[offset + 3];
    const ssrc = buf.readUInt32BE(offset + 8);
    const state = this.rtpReceive.get(ssrc);
    let roc = 0;
    if (state !== undefined) {
      roc = estimateRoc(state.roc, state.sl, seq);
      if (!state.window.check(roc * 65536 + seq)) {
        this.stats.replayDrops++;
        return -1;
      }
    }
    this.rxSsrc = ssrc;
    this.rxSeq = seq;
    this.rxRoc = roc;
    return headerLength;
  }

  /**
   * State is created and advanced only for authenticated packets (RFC 3711 §3.3.2),
   * so forged packets cannot move the ROC or allocate per-SSRC state.
   */
  private acceptRtpReceive(): void {
    const state = this.rtpReceive.get(this.rxSsrc);
    if (state === undefined) {
      this.rtpReceive.set(this.rxSsrc, new RtpReceiveState(this.rxSeq, this.windowSize));
    } else {
      state.update(this.rxRoc, this.rxSeq);
      state.window.accept(this.rxRoc * 65536 + this.rxSeq);
    }
  }

  /** Whether a received SRTCP packet is well-formed and not a replay (rx* set); drops are counted. */
  private checkRtcpReceive(buf: Buffer, offset: number, length: number): boolean {
    if (length < RTCP_FIXED_HEADER + this.remote.rtcpOverhead || buf[offset] >>> 6 !== 2) {
      this.stats.malformed++;
      return false;
    }
    const word = buf.readUInt32BE(offset + length - this.remote.rtcpIndexFromEnd);
    const index = word & SRTCP_INDEX_MASK;
    const ssrc = buf.readUInt32BE(offset + 4);
    const window = this.rtcpReceive.get(ssrc);
    if (window !== undefined && !window.check(index)) {
      this.stats.replayDrops++;
      return false;
    }
    this.rxEncrypted = (word & SRTCP_E_FLAG) !== 0;
    this.rxIndex = index;
    this.rxSsrc = ssrc;
    return true;
  }

  private acceptRtcpReceive(): void {
    const window = this.rtcpReceive.get(this.rxSsrc);
    if (window === undefined) this.rtcpReceive.set(this.rxSsrc, new ReplayWindow(this.windowSize, this.rxIndex));
    else window.accept(this.rxIndex);
  }
}
