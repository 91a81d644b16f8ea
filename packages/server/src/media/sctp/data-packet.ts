/**
 * Relais data packet: the framing of every message on the `_reliable` and
 * `_lossy` channels (docs/data-channels.md). All integers big-endian.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  version = 1  |  kind = 0     | topic length  |  dest. count  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    sender identity length     | sender identity (UTF-8) ...   \
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  \ topic (UTF-8) ...                                             \
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | dest. identity length         | dest. identity (UTF-8) ...    \  × dest. count
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  \ payload ...                                                   \
 *
 * Clients send an empty sender identity; the SFU replaces it with the
 * sender's identity from its token and drops the destination list.
 */

export const DATA_PACKET_VERSION = 1;
export const DATA_KIND_USER = 0;
export const DATA_PACKET_FIXED_HEADER = 6;

/** Offsets of one parsed packet, reused between packets (no allocation per packet). */
export interface DataPacketView {
  senderStart: number;
  senderEnd: number;
  topicStart: number;
  topicEnd: number;
  /** Offset of the first destination entry; `destinationCount` entries follow. */
  destinationsStart: number;
  destinationCount: number;
  payloadStart: number;
}

export function newDataPacketView(): DataPacketView {
  return { senderStart: 0, senderEnd: 0, topicStart: 0, topicEnd: 0, destinationsStart: 0, destinationCount: 0, payloadStart: 0 };
}

/** Fills `view` from `buf`; false if the packet is truncated or of an unknown version or kind. */
export function parseDataPacket(buf: Buffer, view: DataPacketView): boolean {
  if (buf.length < DATA_PACKET_FIXED_HEADER || buf[0] !== DATA_PACKET_VERSION || buf[1] !== DATA_KIND_USER) return false;
  const topicLength = buf[2]!;
  const count = buf[3]!;
  let at = DATA_PACKET_FIXED_HEADER;
  const senderLength = buf.readUInt16BE(4);
  view.senderStart = at;
  at += senderLength;
  view.senderEnd = at;
  view.topicStart = at;
  at += topicLength;
  view.topicEnd = at;
  if (at > buf.length) return false;
  view.destinationsStart = at;
  view.destinationCount = count;
  for (let i = 0; i < count; i++) {
    if (at + 2 > buf.length) return false;
    at += 2 + buf.readUInt16BE(at);
  }
  if (at > buf.length) return false;
  view.payloadStart = at;
  return true;
}

/** Whether `identity` (UTF-8 bytes) is one of the packet's destinations; compares in place. */
export function hasDestination(buf: Buffer, view: DataPacketView, identity: Buffer): boolean {
  let at = view.destinationsStart;
  for (let i = 0; i < view.destinationCount; i++) {
    const length = buf.readUInt16BE(at);
    at += 2;
    if (length === identity.length && buf.compare(identity, 0, identity.length, at, at + length) === 0) return true;
    at += length;
  }
  return false;
}

/**
 * The packet recipients get: the sender's identity stamped, no destinations.
 * One allocation per relayed message, shared by every recipient (SCTP keeps
 * views of it until acknowledged, so it cannot be a reused buffer).
 * `keepDestinations` keeps the list: the form handed to the room's other media
 * workers, which filter and strip it for their own participants.
 */
export function stampSender(buf: Buffer, view: DataPacketView, sender: Buffer, keepDestinations = false): Buffer {
  const topicLength = view.topicEnd - view.topicStart;
  const destinationsLength = keepDestinations ? view.payloadStart - view.destinationsStart : 0;
  const payloadLength = buf.length - view.payloadStart;
  const out = Buffer.allocUnsafe(DATA_PACKET_FIXED_HEADER + sender.length + topicLength + destinationsLength + payloadLength);
  out[0] = DATA_PACKET_VERSION;
  out[1] = DATA_KIND_USER;
  out[2] = topicLength;
  out[3] = keepDestinations ? view.destinationCount : 0;
  out.writeUInt16BE(sender.length, 4);
  let at = DATA_PACKET_FIXED_HEADER;
  at += sender.copy(out, at);
  at += buf.copy(out, at, view.topicStart, view.topicEnd);
  if (keepDestinations) at += buf.copy(out, at, view.destinationsStart, view.payloadStart);
  buf.copy(out, at, view.payloadStart);
  return out;
}
