/**
 * Data Channel Establishment Protocol (RFC 8832) messages and the WebRTC
 * payload protocol identifiers (RFC 8831 §8). Pure encode/decode; decoding
 * never throws, it returns null for anything malformed.
 */

/** SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 §8, IANA). */
export const PPID = {
  DCEP: 50,
  STRING: 51,
  BINARY: 53,
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

/** RFC 8832 §8.2.1 message types. */
export const DCEP_OPEN = 0x03;
export const DCEP_ACK = 0x02;

/** RFC 8832 §5.1 channel types: bit 7 = unordered, low bits = reliability kind. */
export const CHANNEL_RELIABLE = 0x00;
export const CHANNEL_PARTIAL_RELIABLE_REXMIT = 0x01;
export const CHANNEL_PARTIAL_RELIABLE_TIMED = 0x02;
export const CHANNEL_UNORDERED_BIT = 0x80;

const OPEN_HEADER_LENGTH = 12;

export interface DataChannelOpen {
  /** Unordered delivery (channel type bit 0x80). */
  ordered: boolean;
  /** Retransmission limit (PARTIAL_RELIABLE_REXMIT), or null. */
  maxRetransmits: number | null;
  /** Lifetime in ms (PARTIAL_RELIABLE_TIMED), or null. */
  maxPacketLifeTime: number | null;
  priority: number;
  label: string;
  protocol: string;
}

/**
 * DATA_CHANNEL_OPEN (RFC 8832 §5.1):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Message Type |  Channel Type |            Priority           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Reliability Parameter                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Label Length          |       Protocol Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  \                    Label (UTF-8) / Protocol (UTF-8)           /
 */
export function encodeOpen(o: DataChannelOpen): Buffer {
  const label = Buffer.from(o.label, "utf8");
  const protocol = Buffer.from(o.protocol, "utf8");
  if (label.length > 0xffff || protocol.length > 0xffff) throw new RangeError("label or protocol longer than 65535 bytes");
  let type = o.ordered ? 0 : CHANNEL_UNORDERED_BIT;
  let reliability = 0;
  if (o.maxRetransmits !== null) {
    type |= CHANNEL_PARTIAL_RELIABLE_REXMIT;
    reliability = o.maxRetransmits;
  } else if (o.maxPacketLifeTime !== null) {
    type |= CHANNEL_PARTIAL_RELIABLE_TIMED;
    reliability = o.maxPacketLifeTime;
  }
  const out = Buffer.alloc(OPEN_HEADER_LENGTH + label.length + protocol.length);
  out[0] = DCEP_OPEN;
  out[1] = type;
  out.writeUInt16BE(o.priority, 2);
  out.writeUInt32BE(reliability >>> 0, 4);
  out.writeUInt16BE(label.length, 8);
  out.writeUInt16BE(protocol.length, 10);
  label.copy(out, OPEN_HEADER_LENGTH);
  protocol.copy(out, OPEN_HEADER_LENGTH + label.length);
  return out;
}

/** Parses DATA_CHANNEL_OPEN; null if truncated, of another type or of an unknown channel type. */
export function decodeOpen(buf: Buffer): DataChannelOpen | null {
  if (buf.length < OPEN_HEADER_LENGTH || buf[0] !== DCEP_OPEN) return null;
  const type = buf[1]!;
  const kind = type & 0x7f;
  if (kind > CHANNEL_PARTIAL_RELIABLE_TIMED) return null;
  const reliability = buf.readUInt32BE(4);
  const labelLength = buf.readUInt16BE(8);
  const protocolLength = buf.readUInt16BE(10);
  if (OPEN_HEADER_LENGTH + labelLength + protocolLength > buf.length) return null;
  return {
    ordered: (type & CHANNEL_UNORDERED_BIT) === 0,
    maxRetransmits: kind === CHANNEL_PARTIAL_RELIABLE_REXMIT ? reliability : null,
    maxPacketLifeTime: kind === CHANNEL_PARTIAL_RELIABLE_TIMED ? reliability : null,
    priority: buf.readUInt16BE(2),
    label: buf.toString("utf8", OPEN_HEADER_LENGTH, OPEN_HEADER_LENGTH + labelLength),
    protocol: buf.toString("utf8", OPEN_HEADER_LENGTH + labelLength, OPEN_HEADER_LENGTH + labelLength + protocolLength),
  };
}

const ACK = Buffer.from([DCEP_ACK]);

/** DATA_CHANNEL_ACK (RFC 8832 §5.2): one byte, shared and never mutated. */
export function encodeAck(): Buffer {
  return ACK;
}

export function isAck(buf: Buffer): boolean {
  return buf.length >= 1 && buf[0] === DCEP_ACK;
}
