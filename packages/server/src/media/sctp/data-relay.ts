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
 * the worker: the main thread is never on this path.
 */
export class DataRelay {
  /** Reused for every packet: parsing allocates nothing. */
  private readonly view = newDataPacketView();

  constructor(private readonly stats: DataChannelStats) {}

  /** Returns how many recipients the packet was handed to. */
  relay(from: DataSession, packet: Buffer, reliable: boolean, room: Iterable<DataRecipient>): number {
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
    return delivered;
  }
}
