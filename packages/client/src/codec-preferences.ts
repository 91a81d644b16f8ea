/** Video codecs the SDK can put first in the offer. */
export type VideoCodec = "vp8" | "h264" | "vp9" | "av1";

interface CodecLike {
  mimeType: string;
}

/**
 * Returns `codecs` with every entry of the preferred codec moved to the front,
 * keeping the relative order otherwise (so RTX, RED and FEC stay listed).
 */
export function preferCodec<T extends CodecLike>(codecs: readonly T[], codec: VideoCodec): T[] {
  const wanted = `video/${codec}`;
  const first = codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
  const rest = codecs.filter((c) => c.mimeType.toLowerCase() !== wanted);
  return [...first, ...rest];
}

/**
 * Applies `preferCodec` to a video transceiver where the browser supports
 * `setCodecPreferences`. Failure leaves the browser's default order, which is
 * still a valid offer.
 */
export function applyVideoCodecPreference(transceiver: RTCRtpTransceiver, codec: VideoCodec | undefined): void {
  if (!codec || typeof transceiver.setCodecPreferences !== "function") return;
  const sources = [
    () => globalThis.RTCRtpReceiver?.getCapabilities?.("video")?.codecs,
    () => globalThis.RTCRtpSender?.getCapabilities?.("video")?.codecs,
  ];
  for (const source of sources) {
    const codecs = source();
    if (!codecs?.some((c) => c.mimeType.toLowerCase() === `video/${codec}`)) continue;
    try {
      transceiver.setCodecPreferences(preferCodec(codecs, codec));
      return;
    } catch {
      // Some browsers validate against the other capability list; try it.
    }
  }
}
