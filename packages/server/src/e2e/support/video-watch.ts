// biome-ignore-all lint/suspicious/noExplicitAny: code passed to page.evaluate runs in the browser; the server project has no DOM types
import assert from "node:assert/strict";
import type { Page } from "playwright-core";

/** A subscriber's inbound-rtp video stream as Chromium's getStats() reports it (W3C webrtc-stats). */
export interface VideoInbound {
  frameWidth: number;
  framesDecoded: number;
  framesPerSecond: number;
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  retransmittedPacketsReceived: number;
  freezeCount: number;
  /** Seconds. */
  totalFreezesDuration: number;
  keyFramesDecoded: number;
  bytesReceived: number;
}

/** `page`'s inbound-rtp for `identity`'s `source` video, found through the subscription's mid; null before it exists. */
export function videoInbound(page: Page, identity: string, source = "camera"): Promise<VideoInbound | null> {
  return page.evaluate(
    async ({ identity, source }) => {
      const room = (globalThis as any).relais.room;
      let publication: any;
      for (const p of room.remoteParticipants.values()) if (p.identity === identity) publication = p.getTrackPublication(source);
      if (!publication?.mid) return null;
      let found: VideoInbound | null = null;
      const stats: any = await room.pc.getStats();
      stats.forEach((s: any) => {
        if (s.type !== "inbound-rtp" || s.kind !== "video" || s.mid !== publication.mid) return;
        found = {
          frameWidth: s.frameWidth ?? 0,
          framesDecoded: s.framesDecoded ?? 0,
          framesPerSecond: s.framesPerSecond ?? 0,
          packetsReceived: s.packetsReceived ?? 0,
          packetsLost: s.packetsLost ?? 0,
          nackCount: s.nackCount ?? 0,
          pliCount: s.pliCount ?? 0,
          retransmittedPacketsReceived: s.retransmittedPacketsReceived ?? 0,
          freezeCount: s.freezeCount ?? 0,
          totalFreezesDuration: s.totalFreezesDuration ?? 0,
          keyFramesDecoded: s.keyFramesDecoded ?? 0,
          bytesReceived: s.bytesReceived ?? 0,
        };
      });
      return found;
    },
    { identity, source },
  );
}

/** What a watch saw: the first and last samples and the longest time framesDecoded stood still. */
export interface DecodingWatch {
  first: VideoInbound;
  last: VideoInbound;
  longestStallMs: number;
  elapsedMs: number;
  /** Milliseconds from the start of the watch until `until` held (the whole watch if it never did). */
  reachedAfterMs: number;
}

/**
 * Polls `page`'s decoding of `identity`'s camera every `intervalMs` (200 ms) until `until(sample)`
 * holds (then returns) or `forMs` has passed (then returns too: a fixed-length watch), recording
 * the longest gap between two rises of framesDecoded. Fails when that gap exceeds `maxStallMs`,
 * or when `until` is given and still false after `forMs`.
 */
export async function watchDecoding(
  page: Page,
  identity: string,
  what: string,
  o: {
    forMs: number;
    maxStallMs: number;
    until?: (v: VideoInbound) => boolean;
    intervalMs?: number;
    /** Called with each sample (for a timeline in the test's log). */
    onSample?: (v: VideoInbound, elapsedMs: number) => void | Promise<void>;
  },
): Promise<DecodingWatch> {
  const start = Date.now();
  let first: VideoInbound | null = null;
  let last: VideoInbound | null = null;
  let lastRise = start;
  let longestStallMs = 0;
  for (;;) {
    const sample = await videoInbound(page, identity);
    const now = Date.now();
    if (sample) {
      first ??= sample;
      if (!last || sample.framesDecoded > last.framesDecoded) lastRise = now;
      last = sample;
      await o.onSample?.(sample, now - start);
    }
    longestStallMs = Math.max(longestStallMs, now - lastRise);
    assert.ok(longestStallMs <= o.maxStallMs, `${what}: decoding stalled ${longestStallMs} ms (${JSON.stringify(last)})`);
    const reached = last !== null && o.until?.(last) === true;
    if (reached || now - start >= o.forMs) {
      if (o.until && !reached) assert.fail(`${what}: not reached after ${o.forMs} ms (${JSON.stringify(last)})`);
      assert.ok(first && last, `${what}: no inbound video stream`);
      return { first, last, longestStallMs, elapsedMs: now - start, reachedAfterMs: now - start };
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 200));
  }
}

/**
 * Forces the CSS size of `identity`'s camera <video> in `page` (the element adaptive stream
 * measures); null restores the layout's. Set through CSSOM: the app's CSP (`style-src 'self'`)
 * refuses an injected <style>.
 */
export async function resizeVideo(page: Page, identity: string, size: { width: number; height: number } | null): Promise<void> {
  await page.evaluate(
    ({ identity, size }) => {
      const g = globalThis as any;
      const video = g.document.querySelector(`#grid [data-participant-identity="${identity}"][data-track-source="camera"] video`);
      if (!video) throw new Error(`no camera video of ${identity} on the page`);
      for (const [property, value] of [
        ["width", size ? `${size.width}px` : ""],
        ["height", size ? `${size.height}px` : ""],
        ["inset", size ? "auto" : ""],
      ]) {
        if (value) video.style.setProperty(property, value, "important");
        else video.style.removeProperty(property);
      }
    },
    { identity, size },
  );
}

export interface VideoOut {
  rid: string;
  bytesSent: number;
  frameWidth: number;
  qualityLimitationReason: string;
  targetBitrate: number;
}

/** The publisher's outbound-rtp video streams by rid, and the layers dynacast keeps encoded (its debug handle). */
export function cameraOut(page: Page): Promise<{ streams: Record<string, VideoOut>; active: string[] }> {
  return page.evaluate(async () => {
    const relais = (globalThis as any).relais;
    const streams: Record<string, VideoOut> = {};
    const stats: any = await relais.room.pc.getStats();
    stats.forEach((s: any) => {
      if (s.type !== "outbound-rtp" || s.kind !== "video" || !s.rid) return;
      streams[s.rid] = {
        rid: s.rid,
        bytesSent: s.bytesSent ?? 0,
        frameWidth: s.frameWidth ?? 0,
        qualityLimitationReason: s.qualityLimitationReason ?? "",
        targetBitrate: s.targetBitrate ?? 0,
      };
    });
    return { streams, active: relais.activeLayers().camera ?? [] };
  });
}

/**
 * A timeline for the log, one line every 2 s: what the subscriber decodes and receives (kbit/s),
 * and what the publisher encodes (layers dynacast keeps, kbit/s per rid).
 */
export function decodingTimeline(label: string, publisher: Page): (v: VideoInbound, elapsedMs: number) => Promise<void> {
  let lastLog = -Infinity;
  let prev: { ms: number; bytes: number; sent: Record<string, number> } | null = null;
  return async (v, elapsedMs) => {
    if (elapsedMs - lastLog < 2_000) return;
    lastLog = elapsedMs;
    const out = await cameraOut(publisher);
    const sent = Object.fromEntries(Object.entries(out.streams).map(([rid, s]) => [rid, s.bytesSent]));
    if (prev) {
      const dt = elapsedMs - prev.ms;
      const rx = (((v.bytesReceived - prev.bytes) * 8) / dt).toFixed(0);
      const tx = Object.entries(sent).map(([rid, b]) => `${rid}=${(((b - (prev!.sent[rid] ?? 0)) * 8) / dt).toFixed(0)}`);
      console.log(
        `${label} t=${(elapsedMs / 1000).toFixed(1)}s width=${v.frameWidth} rx=${rx}kbit/s publisher active=${out.active} tx ${tx.join(" ")} kbit/s`,
      );
    }
    prev = { ms: elapsedMs, bytes: v.bytesReceived, sent };
  };
}
