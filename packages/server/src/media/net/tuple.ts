/**
 * A tuple is one remote address we exchange packets with: a UDP (address, port)
 * on the worker's shared socket, or one accepted ICE-TCP connection. A tuple
 * belongs to at most one transport (its owner), set once a STUN binding request
 * authenticated it (ICE-lite: we never send checks of our own).
 */
export interface TupleOwner {
  /** `arrivalMs`: when the kernel received it (performance.now() clock), where the socket tells; else now. */
  handlePacket(buf: Buffer, tuple: Tuple, arrivalMs?: number): void;
  handleTupleClosed(tuple: Tuple): void;
}

export interface Tuple {
  readonly protocol: "udp" | "tcp";
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  owner: TupleOwner | null;
  /** Remembers the owner so later packets from this remote reach it directly. */
  adopt(owner: TupleOwner): void;
  send(buf: Buffer): void;
  /**
   * The hot path's zero-copy send: returns the buffer to write one datagram of at
   * most `maxLength` bytes into, at offset `reservedOffset` (the worker's send
   * batch for UDP, a fresh frame for TCP); `commit(length)` then sends those bytes.
   */
  reserve(maxLength: number): Buffer;
  readonly reservedOffset: number;
  commit(length: number): void;
  /** Forgets the tuple (UDP) or closes the connection (TCP). Idempotent. */
  release(): void;
}

/** Called for packets from a remote that no transport owns yet. */
export type UnownedPacketHandler = (buf: Buffer, tuple: Tuple) => void;
