// Speaking level of one audio producer from the client-to-mixer audio level header
// extension (RFC 6464), smoothed the way LiveKit's AudioLevel and Jitsi's
// DominantSpeakerIdentification do: a level threshold, an observation window, a minimum
// share of active packets in it, and an exponential moving average across windows.
//
//  0                   1
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  ID   | len=0 |V| level       |   RFC 6464 §3: level in -dBov (0 loudest, 127 silence),
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   V = the sender's voice activity decision (§4, optional)
//
// Per packet (observePacket): one extension lookup, a table read and three additions — no
// allocation. Per window (takeLevel, the worker's ~500 ms report): the window becomes one
// level and feeds the average.

import { findExtension } from "../rtp/packet.js";

export interface AudioLevelOptions {
  /** Packets at or above this loudness (-dBov, so *lower* is louder) count as active. LiveKit's default is 35. */
  activeLevelDbov: number;
  /** Share of a window's packets that must be active for the window to count as speech (0..1). */
  minActiveShare: number;
  /** Weight of the newest window in the moving average (0..1]. */
  smoothing: number;
}

export const DEFAULT_AUDIO_LEVEL_OPTIONS: AudioLevelOptions = { activeLevelDbov: 35, minActiveShare: 0.4, smoothing: 0.5 };

/** Levels below this are reported as silence, so a fading average reaches 0. */
const FLOOR = 0.001;

/** -dBov → linear amplitude 10^(-dBov/20), precomputed for the 128 possible levels. */
const LINEAR = new Float64Array(128);
for (let i = 0; i < 128; i++) LINEAR[i] = 10 ** (-i / 20);

/** The linear amplitude (0..1) of an RFC 6464 level byte (V bit ignored). */
export function linearAudioLevel(levelByte: number): number {
  return LINEAR[levelByte & 0x7f]!;
}

export class AudioLevel {
  private packets = 0;
  private active = 0;
  private activeSum = 0;
  /** Packets whose sender flagged voice activity (V bit), for diagnostics. */
  voicePackets = 0;
  /** The smoothed level, 0 (silence) .. 1 (full scale). */
  level = 0;
  private readonly activeLevel: number;

  constructor(
    /** The negotiated extension id (1..14 one-byte, up to 255 two-byte). */
    private readonly extensionId: number,
    private readonly o: AudioLevelOptions = DEFAULT_AUDIO_LEVEL_OPTIONS,
  ) {
    this.activeLevel = o.activeLevelDbov;
  }

  /** Reads the level of one plaintext RTP packet; packets without the extension count as silence. */
  observePacket(packet: Buffer): void {
    const at = findExtension(packet, packet.length, this.extensionId);
    this.observe(at < 0 ? 0x7f : packet[at & 0xffff]!);
  }

  /** One RFC 6464 level byte (V bit in 0x80, level in 0x7f). */
  observe(levelByte: number): void {
    this.packets++;
    if (levelByte & 0x80) this.voicePackets++;
    const dbov = levelByte & 0x7f;
    if (dbov <= this.activeLevel) {
      this.active++;
      this.activeSum += LINEAR[dbov]!;
    }
  }

  /**
   * Closes the observation window and returns the smoothed level. A window counts as speech
   * when at least `minActiveShare` of its packets were active; its level is then the mean
   * amplitude of the active packets weighted by their share, so steady speech outranks a
   * loud click. An empty window (nothing received, e.g. paused) counts as silence.
   */
  takeLevel(): number {
    let windowLevel = 0;
    if (this.packets > 0) {
      const share = this.active / this.packets;
      if (share >= this.o.minActiveShare) windowLevel = (this.activeSum / this.active) * share;
    }
    this.packets = 0;
    this.active = 0;
    this.activeSum = 0;
    this.level += (windowLevel - this.level) * this.o.smoothing;
    if (this.level < FLOOR) this.level = 0;
    return this.level;
  }
}
