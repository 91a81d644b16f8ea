import { createRequire } from "node:module";
import { AesCmTransform } from "./aes-cm.js";
import { AesGcmTransform } from "./aes-gcm.js";
import type { SessionKeys } from "./kdf.js";
import { SrtpProfile } from "./profiles.js";

/** Opaque handle of one native SRTP context (an N-API External owning OpenSSL EVP contexts). */
export type NativeSrtpContext = { readonly __nativeSrtpContext: unique symbol };

/** What `native/build/Release/relais_native.node` exports (see native/src/addon.c). */
export interface NativeBinding {
  createContext(
    profile: number,
    rtpKey: Buffer,
    rtpSalt: Buffer,
    rtpAuthKey: Buffer,
    rtcpKey: Buffer,
    rtcpSalt: Buffer,
    rtcpAuthKey: Buffer,
  ): NativeSrtpContext;
  protectRtp(
    ctx: NativeSrtpContext,
    buf: Buffer,
    offset: number,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): number;
  unprotectRtp(
    ctx: NativeSrtpContext,
    buf: Buffer,
    offset: number,
    length: number,
    headerLength: number,
    ssrc: number,
    roc: number,
    seq: number,
  ): number;
  protectRtcp(ctx: NativeSrtpContext, buf: Buffer, offset: number, length: number, ssrc: number, index: number): number;
  unprotectRtcp(
    ctx: NativeSrtpContext,
    buf: Buffer,
    offset: number,
    length: number,
    ssrc: number,
    index: number,
    encrypted: boolean,
  ): number;
  /** Linux only. Packets consumed from the front (sent, or dropped for a per-datagram error counted in stats[0], errno in stats[1]); fewer than `count` = socket buffer full. */
  sendBatch?(fd: number, arena: Buffer, offsets: Int32Array, lengths: Int32Array, addrs: Buffer, count: number, stats?: Int32Array): number;
  /** Writes a sockaddr into `out[offset, offset + sockaddrSlotSize)`; returns its length or -1 for a non-numeric address. */
  encodeSockaddr?(address: string, port: number, v4mapped: boolean, out: Buffer, offset: number): number;
  /** Local port of a bound datagram socket, -1 if `fd` is not one. */
  socketPort?(fd: number): number;
  /** Linux only. µs since the kernel received the datagram last read on `fd`; -1 before the first (the first call enables timestamps). */
  rxAgeUs?(fd: number): number;
  readonly sockaddrSlotSize: number;
  readonly openssl: string;
}

/** Relative to this file in both src/media/srtp and dist/media/srtp. */
const ADDON_PATH = "../../../native/build/Release/relais_native.node";

let loaded: NativeBinding | null | undefined;
let loadError = "not loaded yet";

/**
 * The addon, or null when it is absent, fails to load, or fails its self-test.
 * Cached per thread. `RELAIS_NATIVE=0` forces null silently; otherwise a null
 * result emits one warning per process (the marker env var is inherited by
 * worker threads created afterwards, so load it on the main thread first).
 */
export function loadNativeBinding(): NativeBinding | null {
  if (loaded !== undefined) return loaded;
  if (process.env.RELAIS_NATIVE === "0") {
    loadError = "disabled by RELAIS_NATIVE=0";
    loaded = null;
    return loaded;
  }
  try {
    const binding = createRequire(import.meta.url)(ADDON_PATH) as NativeBinding;
    selfTest(binding);
    loaded = binding;
  } catch (err) {
    loadError = err instanceof Error ? err.message.split("\n")[0] : String(err);
    loaded = null;
    if (process.env.RELAIS_NATIVE_WARNED !== "1") {
      process.env.RELAIS_NATIVE_WARNED = "1";
      process.emitWarning(`native SRTP addon unavailable (${loadError}); using the pure-TypeScript SRTP path`, { code: "RELAIS_NATIVE" });
    }
  }
  return loaded;
}

/** The addon or an Error saying why not; for callers that asked for native explicitly. */
export function requireNativeBinding(): NativeBinding {
  const binding = loadNativeBinding();
  if (binding === null) throw new Error(`native SRTP addon not available: ${loadError}`);
  return binding;
}

/**
 * Known-answer check against the TypeScript transforms (themselves checked against
 * the RFC vectors), so a miscompiled or ABI-mismatched addon is never used.
 */
function selfTest(binding: NativeBinding): void {
  const fill = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 29 + seed) & 0xff));
  for (const profile of [SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM]) {
    const cm = profile === SrtpProfile.AES_CM_128_HMAC_SHA1_80;
    const keys: SessionKeys = {
      rtpKey: fill(16, 1),
      rtpSalt: fill(cm ? 14 : 12, 2),
      rtpAuthKey: fill(cm ? 20 : 0, 3),
      rtcpKey: fill(16, 4),
      rtcpSalt: fill(cm ? 14 : 12, 5),
      rtcpAuthKey: fill(cm ? 20 : 0, 6),
    };
    const reference = cm ? new AesCmTransform(keys) : new AesGcmTransform(keys);
    const ctx = binding.createContext(profile, keys.rtpKey, keys.rtpSalt, keys.rtpAuthKey, keys.rtcpKey, keys.rtcpSalt, keys.rtcpAuthKey);
    const rtp = fill(77, 7);
    rtp[0] = 0x80;
    const expectRtp = reference.protectRtp(rtp, 12, 0x01020304, 5, 0xfffe);
    const buf = Buffer.alloc(128);
    rtp.copy(buf, 3);
    const n = binding.protectRtp(ctx, buf, 3, rtp.length, 12, 0x01020304, 5, 0xfffe);
    const rtpOk = n === expectRtp.length && buf.subarray(3, 3 + n).equals(expectRtp);
    const rtcp = fill(40, 9);
    rtcp[0] = 0x80;
    const expectRtcp = reference.protectRtcp(rtcp, 0x0a0b0c0d, 77);
    rtcp.copy(buf, 0);
    const m = binding.protectRtcp(ctx, buf, 0, rtcp.length, 0x0a0b0c0d, 77);
    const rtcpOk = m === expectRtcp.length && buf.subarray(0, m).equals(expectRtcp);
    if (!rtpOk || !rtcpOk) throw new Error(`self-test failed for SRTP profile ${profile}`);
  }
}
