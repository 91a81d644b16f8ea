import type { SimulcastLayer } from "@relais/protocol";

/**
 * Simulcast encodings for a camera (RFC 8853: one m-section, several RTP streams told
 * apart by their rid, RFC 8852), after LiveKit's presets. At 720p:
 *
 *   rid  scale  size      maxBitrate
 *   q    4      320×180   150 kbps
 *   h    2      640×360   500 kbps
 *   f    1      1280×720  1.7 Mbps
 *
 * Bitrates scale with each layer's pixel count against that table, so a 1080p camera's
 * `f` gets 3.8 Mbps and a 480p camera's `h` (its full size) 667 kbps.
 */
export interface SimulcastPlan {
  /** For `addTransceiver(track, { sendEncodings })`, lowest quality first (the a=simulcast order). */
  encodings: RTCRtpEncodingParameters[];
  /** The same streams as the `layers` of the publication request. */
  layers: SimulcastLayer[];
}

interface LayerPreset {
  rid: string;
  scaleResolutionDownBy: number;
  /** The bitrate at the reference size below (bps). */
  bitrate: number;
  referencePixels: number;
}

const Q: LayerPreset = { rid: "q", scaleResolutionDownBy: 4, bitrate: 150_000, referencePixels: 320 * 180 };
const H: LayerPreset = { rid: "h", scaleResolutionDownBy: 2, bitrate: 500_000, referencePixels: 640 * 360 };
const F: LayerPreset = { rid: "f", scaleResolutionDownBy: 1, bitrate: 1_700_000, referencePixels: 1280 * 720 };

/** Short side (px) from which a camera gets three layers, and from which it gets two. */
export const THREE_LAYERS_FROM = 540;
export const TWO_LAYERS_FROM = 270;

/**
 * The encodings for a camera capturing `width`×`height`, or null when it is too small
 * (short side under 270 px) or its size is unknown: then it is sent as one stream.
 * The short side decides, so a portrait camera gets the same layers as a landscape one.
 */
export function planCameraSimulcast(width: number | undefined, height: number | undefined): SimulcastPlan | null {
  if (!width || !height || width <= 0 || height <= 0) return null;
  const shortSide = Math.min(width, height);
  let presets: LayerPreset[];
  if (shortSide >= THREE_LAYERS_FROM) presets = [Q, H, F];
  else if (shortSide >= TWO_LAYERS_FROM)
    presets = [
      { ...Q, scaleResolutionDownBy: 2 },
      { ...H, scaleResolutionDownBy: 1 },
    ];
  else return null;
  const encodings: RTCRtpEncodingParameters[] = [];
  const layers: SimulcastLayer[] = [];
  for (const preset of presets) {
    const layerWidth = Math.max(1, Math.round(width / preset.scaleResolutionDownBy));
    const layerHeight = Math.max(1, Math.round(height / preset.scaleResolutionDownBy));
    const maxBitrate = Math.round((preset.bitrate * layerWidth * layerHeight) / preset.referencePixels);
    encodings.push({ rid: preset.rid, scaleResolutionDownBy: preset.scaleResolutionDownBy, maxBitrate });
    layers.push({ rid: preset.rid, width: layerWidth, height: layerHeight, maxBitrate });
  }
  return { encodings, layers };
}
