/**
 * The Relais data packet carried on the `_reliable` and `_lossy` data
 * channels (docs/data-channels.md; the SFU's copy is
 * packages/server/src/media/sctp/data-packet.ts and both test the same vector):
 *
 *   version=1 (u8) | kind=0 (u8) | topic length (u8) | destination count (u8)
 *   | sender identity length (u16) | sender identity | topic
 *   | destination count × (identity length (u16) | identity) | payload
 *
 * Clients send an empty sender identity; the SFU stamps the real one.
 */

export const DATA_PACKET_VERSION = 1;
/** Largest packet (header + payload) the SFU accepts: its a=max-message-size. */
export const DATA_MAX_MESSAGE_SIZE = 65536;
/** Labels of the two channels the SDK opens (LiveKit's names). */
export const RELIABLE_LABEL = "_reliable";
export const LOSSY_LABEL = "_lossy";

export interface DataPacket {
  /** Set by the SFU on received packets; empty on sent ones. */
  sender: string;
  topic: string;
  destinations: string[];
  payload: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a packet; throws RangeError when the topic, an identity or the destination list cannot be framed. */
export function encodeDataPacket(p: Omit<DataPacket, "sender"> & { sender?: string }): Uint8Array {
  const sender = encoder.encode(p.sender ?? "");
  const topic = encoder.encode(p.topic);
  const destinations = p.destinations.map((d) => encoder.encode(d));
  if (topic.length > 255) throw new RangeError("topic longer than 255 bytes");
  if (destinations.length > 255) throw new RangeError("more than 255 destination identities");
  if (sender.length > 0xffff || destinations.some((d) => d.length > 0xffff)) throw new RangeError("identity longer than 65535 bytes");
  let size = 6 + sender.length + topic.length + p.payload.length;
  for (const d of destinations) size += 2 + d.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = DATA_PACKET_VERSION;
  out[1] = 0;
  out[2] = topic.length;
  out[3] = destinations.length;
  view.setUint16(4, sender.length);
  let at = 6;
  out.set(sender, at);
  at += sender.length;
  out.set(topic, at);
  at += topic.length;
  for (const d of destinations) {
    view.setUint16(at, d.length);
    out.set(d, at + 2);
    at += 2 + d.length;
  }
  out.set(p.payload, at);
  return out;
}

/** Decodes a packet; null if truncated or of another version or kind. The payload is a view, not a copy. */
export function decodeDataPacket(buf: Uint8Array): DataPacket | null {
  if (buf.length < 6 || buf[0] !== DATA_PACKET_VERSION || buf[1] !== 0) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const topicLength = buf[2]!;
  const count = buf[3]!;
  let at = 6;
  const senderLength = view.getUint16(4);
  if (at + senderLength + topicLength > buf.length) return null;
  const sender = decoder.decode(buf.subarray(at, at + senderLength));
  at += senderLength;
  const topic = decoder.decode(buf.subarray(at, at + topicLength));
  at += topicLength;
  const destinations: string[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 2 > buf.length) return null;
    const length = view.getUint16(at);
    if (at + 2 + length > buf.length) return null;
    destinations.push(decoder.decode(buf.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  return { sender, topic, destinations, payload: buf.subarray(at) };
}
