// NTP timestamps as RTCP uses them (RFC 3550 §4, §6.4.1).
//
//  64-bit NTP timestamp (SR):   | seconds since 1900-01-01 (high) | fraction, 2^-32 s (low) |
//  32-bit compact NTP (LSR):                  | low 16 of high | high 16 of low |
//  DLSR: delay in units of 1/65536 s — the same unit as compact NTP, so RTT is a plain
//  32-bit subtraction: A - LSR - DLSR (§6.4.1, figure 2).

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_S = 2208988800;
/** DLSR / compact NTP ticks per millisecond (65536 per second). */
export const DLSR_UNITS_PER_MS = 65.536;

export interface NtpTime {
  high: number;
  low: number;
}

/** Seconds part; wraps modulo 2^32 (NTP era 1 starts in 2036). */
export function ntpHighFromUnixMs(ms: number): number {
  return (Math.floor(ms / 1000) + NTP_UNIX_OFFSET_S) >>> 0;
}

/** Fraction part in 2^-32 s; `ms` may be fractional (performance.timeOrigin + now()). */
export function ntpLowFromUnixMs(ms: number): number {
  const rem = ms - Math.floor(ms / 1000) * 1000; // 0 <= rem < 1000, also for negatives
  return Math.floor(rem * 4294967.296) >>> 0; // 2^32 / 1000
}

export function ntpFromUnixMs(ms: number): NtpTime {
  return { high: ntpHighFromUnixMs(ms), low: ntpLowFromUnixMs(ms) };
}

/** Inverse of ntpFromUnixMs (era 0, i.e. until 2036). */
export function unixMsFromNtp(high: number, low: number): number {
  return (high - NTP_UNIX_OFFSET_S) * 1000 + low / 4294967.296;
}

/** Middle 32 bits of the 64-bit NTP time: what an RR echoes as LSR (§6.4.1). */
export function compactNtp(high: number, low: number): number {
  return (((high & 0xffff) << 16) | (low >>> 16)) >>> 0;
}

export function compactNtpFromUnixMs(ms: number): number {
  return compactNtp(ntpHighFromUnixMs(ms), ntpLowFromUnixMs(ms));
}

/** Milliseconds -> DLSR units (1/65536 s), rounded and clamped to 32 bits. */
export function dlsrFromMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(0xffffffff, Math.round(ms * DLSR_UNITS_PER_MS));
}

export function dlsrToMs(dlsr: number): number {
  return dlsr / DLSR_UNITS_PER_MS;
}

/**
 * Round-trip time in ms from a report block received at compact time `nowCompact`, or -1 when
 * LSR is 0 (no SR received yet, §6.4.1) or the result is implausible (negative, i.e. > 2^31
 * units ≈ 9 hours after wrap-around subtraction).
 */
export function rttMs(nowCompact: number, lastSr: number, delaySinceLastSr: number): number {
  if (lastSr === 0) return -1;
  const rtt = (nowCompact - lastSr - delaySinceLastSr) | 0;
  return rtt < 0 ? -1 : rtt / DLSR_UNITS_PER_MS;
}
