import { AesCmTransform } from "./aes-cm.js";
import { AesGcmTransform } from "./aes-gcm.js";
import { deriveSessionKeys } from "./kdf.js";
import { SrtpProfile, type SrtpProfileId } from "./profiles.js";
import { ReplayWindow } from "./replay-window.js";
import { estimateRoc, RolloverState, RTCP_FIXED_HEADER, rtpHeaderLength } from "./rtp-header.js";
import { SRTCP_E_FLAG, SRTCP_INDEX_MASK, type SrtpTransform } from "./transform.js";

export interface SrtpSessionOptions {
  profile: SrtpProfileId;
  localMasterKey: Buffer;
  localMasterSalt: Buffer;
  remoteMasterKey: Buffer;
  remoteMasterSalt: Buffer;
  /** Per-SSRC replay window in packets (RFC 3711 §3.3.2 asks for at least 64). */
  replayWindowSize?: number;
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

function createTransform(profile: SrtpProfileId, key: Buffer, salt: Buffer): SrtpTransform {
  const keys = deriveSessionKeys(profile, key, salt);
  const transform = profile === SrtpProfile.AEAD_AES_128_GCM ? new AesGcmTransform(keys) : new AesCmTransform(keys);
  // The transform holds copies (KeyObjects, salt words); don't leave session keys lying around in the heap.
  for (const buffer of Object.values(keys)) buffer.fill(0);
  return transform;
}

/**
 * One DTLS-SRTP association: "local" keys protect what we send, "remote" keys
 * unprotect what we receive (RFC 5764 §4.2). Rollover, SRTCP index and replay
 * state are kept per SSRC and per direction.
 */
export class SrtpSession {
  readonly stats = { authFailures: 0, replayDrops: 0, malformed: 0 };

  private readonly local: SrtpTransform;
  private readonly remote: SrtpTransform;
  private readonly windowSize: number;
  private readonly rtpSend = new Map<number, RolloverState>();
  private readonly rtpReceive = new Map<number, RtpReceiveState>();
  private readonly rtcpSend = new Map<number, RtcpSendState>();
  private readonly rtcpReceive = new Map<number, ReplayWindow>();

  constructor(o: SrtpSessionOptions) {
    this.windowSize = o.replayWindowSize ?? 128;
    ReplayWindow.validateSize(this.windowSize);
    this.local = createTransform(o.profile, o.localMasterKey, o.localMasterSalt);
    this.remote = createTransform(o.profile, o.remoteMasterKey, o.remoteMasterSalt);
  }

  protectRtp(packet: Buffer): Buffer {
    const headerLength = rtpHeaderLength(packet, packet.length);
    if (headerLength < 0) throw new RangeError("protectRtp: not a complete RTP v2 packet");
    const seq = (packet[2] << 8) | packet[3];
    const ssrc = packet.readUInt32BE(8);
    let state = this.rtpSend.get(ssrc);
    let roc = 0;
    if (state === undefined) {
      state = new RolloverState(seq);
      this.rtpSend.set(ssrc, state);
    } else {
      // The sender estimates like a receiver would, so packets re-sent out of
      // order (e.g. NACK retransmissions across a wrap) keep their original ROC.
      roc = estimateRoc(state.roc, state.sl, seq);
      state.update(roc, seq);
    }
    return this.local.protectRtp(packet, headerLength, ssrc, roc, seq);
  }

  unprotectRtp(packet: Buffer): Buffer | null {
    try {
      return this.unprotectRtpUnsafe(packet);
    } catch {
      this.stats.malformed++;
      return null;
    }
  }

  protectRtcp(packet: Buffer): Buffer {
    if (packet.length < RTCP_FIXED_HEADER || packet[0] >>> 6 !== 2) {
      throw new RangeError("protectRtcp: not an RTCP v2 packet");
    }
    const ssrc = packet.readUInt32BE(4);
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
    return this.local.protectRtcp(packet, ssrc, index);
  }

  unprotectRtcp(packet: Buffer): Buffer | null {
    try {
      return this.unprotectRtcpUnsafe(packet);
    } catch {
      this.stats.malformed++;
      return null;
    }
  }

  private unprotectRtpUnsafe(packet: Buffer): Buffer | null {
    const end = packet.length - this.remote.rtpOverhead;
    const headerLength = rtpHeaderLength(packet, end);
    if (headerLength < 0) {
      this.stats.malformed++;
      return null;
    }
    const seq = (packet[2] << 8) | packet[3];
    const ssrc = packet.readUInt32BE(8);
    const state = this.rtpReceive.get(ssrc);
    let roc = 0;
    let index = seq;
    if (state !== undefined) {
      roc = estimateRoc(state.roc, state.sl, seq);
      index = roc * 65536 + seq;
      if (!state.window.check(index)) {
        this.stats.replayDrops++;
        return null;
      }
    }
    const out = this.remote.unprotectRtp(packet, headerLength, ssrc, roc, seq);
    if (out === null) {
      this.stats.authFailures++;
      return null;
    }
    // State is created and advanced only for authenticated packets (RFC 3711 §3.3.2),
    // so forged packets cannot move the ROC or allocate per-SSRC state.
    if (state === undefined) {
      this.rtpReceive.set(ssrc, new RtpReceiveState(seq, this.windowSize));
    } else {
      state.update(roc, seq);
      state.window.accept(index);
    }
    return out;
  }

  private unprotectRtcpUnsafe(packet: Buffer): Buffer | null {
    const length = packet.length;
    if (length < RTCP_FIXED_HEADER + this.remote.rtcpOverhead || packet[0] >>> 6 !== 2) {
      this.stats.malformed++;
      return null;
    }
    const word = packet.readUInt32BE(length - this.remote.rtcpIndexFromEnd);
    const encrypted = (word & SRTCP_E_FLAG) !== 0;
    const index = word & SRTCP_INDEX_MASK;
    const ssrc = packet.readUInt32BE(4);
    const window = this.rtcpReceive.get(ssrc);
    if (window !== undefined && !window.check(index)) {
      this.stats.replayDrops++;
      return null;
    }
    const out = this.remote.unprotectRtcp(packet, ssrc, index, encrypted);
    if (out === null) {
      this.stats.authFailures++;
      return null;
    }
    if (window === undefined) this.rtcpReceive.set(ssrc, new ReplayWindow(this.windowSize, index));
    else window.accept(index);
    return out;
  }
}
