import type { DataChannelStats } from "../../media-channel/messages.js";
import { hasDestination, newDataPacketView, parseDataPacket, stampSender } from "./data-packet.js";
import type { DataSession } from "./data-session.js";

/** Something in the room that may hold a data session (a WebRtcTransport). */
export interface DataRecipient {
  readonly data: DataSession | null;
}

/**
 * Forwards a participant's data packet to the others in its room (or only to
 * its destinations), with the sender's identity stamped by the SFU. Runs in
 * the worker: the main thread is only on the path of a room that spans
 * workers, for the copy its other workers deliver (`deliverFromWorker`).
 */
export class DataRelay {
  /** Reused for every packet: parsing allocates nothing. */
  private readonly view = newDataPacketView();

  constructor(private readonly stats: DataChannelStats) {}

  /**
   * Returns how many local recipients the packet was handed to. `toOtherWorkers`, set when the
   * room spans workers, gets the packet once for the participants on the others: sender
   * stamped, destinations kept (each worker filters and strips them for its own).
   */
  relay(
    from: DataSession,
    packet: Buffer,
    reliable: boolean,
    room: Iterable<DataRecipient>,
    toOtherWorkers: ((stamped: Buffer, reliable: boolean) => void) | null = null,
  ): number {
    const view = this.view;
    if (from.identity === null) return 0;
    if (!parseDataPacket(packet, view)) {
      this.stats.droppedMalformed++;
      return 0;
    }
    let out: Buffer | null = null;
    let delivered = 0;
    for (const r of room) {
      const to = r.data;
      if (to === null || to === from || to.identity === null) continue;
      if (view.destinationCount > 0 && !hasDestination(packet, view, to.identity)) continue;
      out ??= stampSender(packet, view, from.identity);
      if (to.deliver(out, reliable)) delivered++;
    }
    if (toOtherWorkers !== null) {
      toOtherWorkers(stampSender(packet, view, from.identity, true), reliable);
      this.stats.forwardedToWorkers++;
    }
    return delivered;
  }

  /**
   * A packet another worker of the room relayed (sender stamped there, destinations kept):
   * to this worker's participants it is addressed to, without the destination list.
   */
  deliverFromWorker(packet: Buffer, reliable: boolean, room: Iterable<DataRecipient>): number {
    const view = this.view;
    if (!parseDataPacket(packet, view) || view.senderEnd === view.senderStart) {
      this.stats.droppedMalformed++;
      return 0;
    }
    this.stats.receivedFromWorkers++;
    let out: Buffer | null = null;
    let delivered = 0;
    for (const r of room) {
      const to = r.data;
      if (to === null || to.identity === null) continue;
      if (view.destinationCount > 0 && !hasDestination(packet, view, to.identity)) continue;
      out ??= view.destinationCount > 0 ? stampSender(packet, view, packet.subarray(view.senderStart, view.senderEnd)) : packet;
      if (to.deliver(out, reliable)) delivered++;
    }
    return delivered;
  }
}
