// Reads a probe cluster's result from TWCC feedback (libwebrtc ProbeBitrateEstimator): the rate
// the cluster was sent at and the rate it arrived at; if it arrived clearly slower, the path is
// saturated and the arrival rate (a little under) is the capacity.
//
//   send rate    = (bytes sent − last packet)  / (last send − first send)
//   receive rate = (bytes received − first)    / (last arrival − first arrival)

const SLOTS = 8;
const MIN_RECEIVED_RATIO = 0.8;
const MIN_INTERVAL_MS = 1;
const MAX_INTERVAL_MS = 1000;
const UNSATURATED_RATIO = 0.9;
const TARGET_UTILIZATION = 0.95;

class ClusterStats {
  id = -1;
  sentPackets = 0;
  receivedPackets = 0;
  firstSendMs = 0;
  lastSendMs = 0;
  lastSendSize = 0;
  sendBytes = 0;
  firstArrivalMs = 0;
  firstArrivalSize = 0;
  lastArrivalMs = 0;
  receiveBytes = 0;
  resultBps = Number.NaN;

  reset(id: number): void {
    this.id = id;
    this.sentPackets = 0;
    this.receivedPackets = 0;
    this.sendBytes = 0;
    this.receiveBytes = 0;
    this.resultBps = Number.NaN;
  }
}

export class ProbeBitrateEstimator {
  private readonly clusters: ClusterStats[] = Array.from({ length: SLOTS }, () => new ClusterStats());

  /** A probe packet left (counted so the received ratio can be checked). */
  onSent(clusterId: number): void {
    const c = this.slot(clusterId, true);
    c.sentPackets++;
  }

  /** A probe packet was acknowledged. Returns the cluster's current estimate (bps) or NaN. */
  onAcked(clusterId: number, sendMs: number, arrivalMs: number, size: number): number {
    const c = this.slot(clusterId, false);
    if (c === null) return Number.NaN;
    if (c.receivedPackets === 0 || sendMs < c.firstSendMs) c.firstSendMs = sendMs;
    if (c.receivedPackets === 0 || sendMs >= c.lastSendMs) {
      c.lastSendMs = sendMs;
      c.lastSendSize = size;
    }
    if (c.receivedPackets === 0 || arrivalMs < c.firstArrivalMs) {
      c.firstArrivalMs = arrivalMs;
      c.firstArrivalSize = size;
    }
    if (c.receivedPackets === 0 || arrivalMs > c.lastArrivalMs) c.lastArrivalMs = arrivalMs;
    c.receivedPackets++;
    c.sendBytes += size;
    c.receiveBytes += size;
    if (c.receivedPackets < MIN_RECEIVED_RATIO * c.sentPackets || c.receivedPackets < 3) return Number.NaN;
    const sendInterval = c.lastSendMs - c.firstSendMs;
    const receiveInterval = c.lastArrivalMs - c.firstArrivalMs;
    if (sendInterval < MIN_INTERVAL_MS || sendInterval > MAX_INTERVAL_MS) return Number.NaN;
    if (receiveInterval < MIN_INTERVAL_MS || receiveInterval > MAX_INTERVAL_MS) return Number.NaN;
    const sendBps = ((c.sendBytes - c.lastSendSize) * 8000) / sendInterval;
    const receiveBps = ((c.receiveBytes - c.firstArrivalSize) * 8000) / receiveInterval;
    let result = Math.min(sendBps, receiveBps);
    if (receiveBps < UNSATURATED_RATIO * sendBps) result = TARGET_UTILIZATION * receiveBps;
    c.resultBps = result;
    return result;
  }

  private slot(clusterId: number, create: true): ClusterStats;
  private slot(clusterId: number, create: false): ClusterStats | null;
  private slot(clusterId: number, create: boolean): ClusterStats | null {
    const c = this.clusters[clusterId % SLOTS];
    if (c.id === clusterId) return c;
    if (!create) return null;
    c.reset(clusterId);
    return c;
  }
}
