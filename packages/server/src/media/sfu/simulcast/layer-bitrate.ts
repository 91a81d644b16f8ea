/**
 * Bitrate and liveness per simulcast layer of one published track: a sliding window of
 * fixed time buckets per layer (typed arrays, nothing allocated per packet). A packet costs
 * one add, plus clearing the buckets skipped since the layer's previous packet. Times are
 * monotonic milliseconds (≥ 0), as everywhere in the worker.
 */
export interface LayerBitrateOptions {
  layers: number;
  /** Averaging window (default 1000 ms). */
  windowMs?: number;
  /** Bucket width (default 100 ms); the window holds windowMs / bucketMs buckets. */
  bucketMs?: number;
  /** A layer with no packet for this long is not live (default 1000 ms). */
  liveTimeoutMs?: number;
}

export class LayerBitrate {
  readonly layers: number;
  private readonly buckets: number;
  private readonly bucketMs: number;
  private readonly liveTimeoutMs: number;
  /** bytes[layer * buckets + (bucketIndex % buckets)] */
  private readonly bytes: Float64Array;
  /** Absolute bucket index (floor(now / bucketMs)) last written per layer, -1 if never. */
  private readonly headBucket: Float64Array;
  private readonly firstPacketMs: Float64Array;
  private readonly lastPacketMs: Float64Array;

  constructor(options: LayerBitrateOptions) {
    this.layers = options.layers;
    this.bucketMs = options.bucketMs ?? 100;
    this.buckets = Math.max(2, Math.round((options.windowMs ?? 1000) / this.bucketMs));
    this.liveTimeoutMs = options.liveTimeoutMs ?? 1000;
    this.bytes = new Float64Array(this.layers * this.buckets);
    this.headBucket = new Float64Array(this.layers).fill(-1);
    this.firstPacketMs = new Float64Array(this.layers).fill(Number.NaN);
    this.lastPacketMs = new Float64Array(this.layers).fill(Number.NEGATIVE_INFINITY);
  }

  /** Counts one received packet of `layer` (`bytes` as received, header included). */
  onPacket(layer: number, bytes: number, nowMs: number): void {
    if (layer < 0 || layer >= this.layers) return;
    this.advance(layer, Math.floor(nowMs / this.bucketMs));
    this.bytes[layer * this.buckets + (this.headBucket[layer] % this.buckets)] += bytes;
    if (Number.isNaN(this.firstPacketMs[layer]) || nowMs - this.lastPacketMs[layer] > this.liveTimeoutMs) {
      this.firstPacketMs[layer] = nowMs; // (re)started: the window restarts with it
    }
    this.lastPacketMs[layer] = nowMs;
  }

  /** Bits per second of `layer` over the window ending now (0 if not live). */
  bitrate(layer: number, nowMs: number): number {
    if (!this.isLive(layer, nowMs)) return 0;
    this.advance(layer, Math.floor(nowMs / this.bucketMs));
    let sum = 0;
    const base = layer * this.buckets;
    for (let i = 0; i < this.buckets; i++) sum += this.bytes[base + i];
    // The window spans the full buckets behind the current one plus the current one's elapsed part,
    // and no further back than the layer's first packet (so a new layer is not underestimated).
    let spanMs = (this.buckets - 1) * this.bucketMs + (nowMs - this.headBucket[layer] * this.bucketMs);
    spanMs = Math.min(spanMs, nowMs - this.firstPacketMs[layer]);
    return spanMs <= 0 ? 0 : (sum * 8000) / Math.max(spanMs, this.bucketMs);
  }

  /** Received a packet within the live timeout. */
  isLive(layer: number, nowMs: number): boolean {
    return layer >= 0 && layer < this.layers && nowMs - this.lastPacketMs[layer] <= this.liveTimeoutMs;
  }

  /** Wall time of the layer's last packet (-Infinity if never). */
  lastPacketAt(layer: number): number {
    return this.lastPacketMs[layer];
  }

  /** Moves `layer`'s head to absolute bucket `bucket`, zeroing the buckets it skips. */
  private advance(layer: number, bucket: number): void {
    const head = this.headBucket[layer];
    if (bucket <= head) return;
    const base = layer * this.buckets;
    if (head < 0 || bucket - head >= this.buckets) this.bytes.fill(0, base, base + this.buckets);
    else for (let b = head + 1; b <= bucket; b++) this.bytes[base + (b % this.buckets)] = 0;
    this.headBucket[layer] = bucket;
  }
}
