// Groups packets into bursts and yields the delay variation between consecutive groups, the input
// of the delay-based estimator (draft-ietf-rmcat-gcc-02 §5.2, libwebrtc InterArrival):
//
//   group i:  packets sent within 5 ms of its first packet (a frame or a pacer burst)
//   d(i) = (arrival(i) - arrival(i-1)) - (send(i) - send(i-1))      > 0: a queue is growing

/** Packets sent within this of a group's first belong to it (gcc-02 §5.2). */
const GROUP_SPAN_MS = 5;
/** Packets arriving this close after the group's last, earlier than their send spacing, are one burst. */
const BURST_DELTA_MS = 5;
const MAX_BURST_DURATION_MS = 100;
/** Arrival jumps larger than this (clock reset, long outage) restart grouping. */
const ARRIVAL_JUMP_MS = 3000;

/** Output of one completed group pair; reused by the caller. */
export interface GroupDelta {
  sendDeltaMs: number;
  arrivalDeltaMs: number;
  sizeDelta: number;
  /** Arrival time of the newer group (receiver clock). */
  arrivalMs: number;
}

export function newGroupDelta(): GroupDelta {
  return { sendDeltaMs: 0, arrivalDeltaMs: 0, sizeDelta: 0, arrivalMs: 0 };
}

export class InterArrival {
  private curFirstSendMs = Number.NaN;
  private curLastSendMs = 0;
  private curFirstArrivalMs = 0;
  private curArrivalMs = 0;
  private curSize = 0;
  private hasPrev = false;
  private prevLastSendMs = 0;
  private prevArrivalMs = 0;
  private prevSize = 0;

  /**
   * Adds one acknowledged packet, in send order. Returns true when it closed a group and a
   * previous group exists: `out` then holds the deltas between the two.
   */
  add(sendMs: number, arrivalMs: number, size: number, out: GroupDelta): boolean {
    if (Number.isNaN(this.curFirstSendMs)) {
      this.startGroup(sendMs, arrivalMs, size);
      return false;
    }
    if (sendMs < this.curFirstSendMs) return false; // reordered into an older group: ignored
    if (Math.abs(arrivalMs - this.curArrivalMs) > ARRIVAL_JUMP_MS) {
      this.hasPrev = false;
      this.startGroup(sendMs, arrivalMs, size);
      return false;
    }
    if (!this.startsNewGroup(sendMs, arrivalMs)) {
      if (sendMs > this.curLastSendMs) this.curLastSendMs = sendMs;
      if (arrivalMs > this.curArrivalMs) this.curArrivalMs = arrivalMs;
      this.curSize += size;
      return false;
    }
    let produced = false;
    if (this.hasPrev) {
      out.sendDeltaMs = this.curLastSendMs - this.prevLastSendMs;
      out.arrivalDeltaMs = this.curArrivalMs - this.prevArrivalMs;
      out.sizeDelta = this.curSize - this.prevSize;
      out.arrivalMs = this.curArrivalMs;
      produced = out.arrivalDeltaMs >= 0; // arrival went backwards: reordering across groups, skip
    }
    this.hasPrev = true;
    this.prevLastSendMs = this.curLastSendMs;
    this.prevArrivalMs = this.curArrivalMs;
    this.prevSize = this.curSize;
    this.startGroup(sendMs, arrivalMs, size);
    return produced;
  }

  private startsNewGroup(sendMs: number, arrivalMs: number): boolean {
    if (this.belongsToBurst(sendMs, arrivalMs)) return false;
    return sendMs - this.curFirstSendMs > GROUP_SPAN_MS;
  }

  /** libwebrtc InterArrival::BelongsToBurst: sent apart but arriving back to back after a queue drained. */
  private belongsToBurst(sendMs: number, arrivalMs: number): boolean {
    const arrivalDelta = arrivalMs - this.curArrivalMs;
    const sendDelta = sendMs - this.curLastSendMs;
    if (sendDelta === 0) return true;
    const propagationDelta = arrivalDelta - sendDelta;
    return propagationDelta < 0 && arrivalDelta <= BURST_DELTA_MS && arrivalMs - this.curFirstArrivalMs < MAX_BURST_DURATION_MS;
  }

  private startGroup(sendMs: number, arrivalMs: number, size: number): void {
    this.curFirstSendMs = sendMs;
    this.curLastSendMs = sendMs;
    this.curFirstArrivalMs = arrivalMs;
    this.curArrivalMs = arrivalMs;
    this.curSize = size;
  }
}
