import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The part of werift's SCTP association (RFC 9260, with RFC 3758 partial
 * reliability and RFC 6525 stream reset) that we drive. werift does not export
 * the class from its package entry, so it is loaded from its file by path.
 */
export interface SctpAssociation {
  isServer: boolean;
  /** Outbound DATA chunks not yet sent (the send buffer). */
  outboundQueue: unknown[];
  /** Fires after each transmit pass (the send queue may have room again). */
  readonly flush: { subscribe(fn: () => void): unknown };
  readonly onReceive: { subscribe(fn: (streamId: number, ppid: number, data: Buffer) => void): unknown };
  readonly stateChanged: {
    connected: { subscribe(fn: () => void): unknown };
    closed: { subscribe(fn: () => void): unknown };
  };
  /** Resolves once the message left the send queue; rejects on transport errors. */
  send(
    streamId: number,
    ppid: number,
    data: Buffer,
    options: { ordered: boolean; maxRetransmits?: number; expiry?: number },
  ): Promise<void>;
  start(remotePort: number): Promise<void>;
  stop(): Promise<void>;
}

interface SctpModule {
  SCTP: new (transport: SctpTransportAdapter, port: number, options?: { mtu?: number }) => SctpAssociation;
}

/** What werift's SCTP needs below it: a datagram sender; it sets `onData` for inbound packets. */
export interface SctpTransportAdapter {
  onData?: (buf: Buffer) => void;
  send: (buf: Buffer) => Promise<void>;
  close: () => void;
}

let loaded: SctpModule | null = null;

function sctpModule(): SctpModule {
  if (loaded === null) {
    const require = createRequire(import.meta.url);
    loaded = require(join(dirname(require.resolve("werift")), "../../sctp/src/index.js")) as SctpModule;
  }
  return loaded;
}

/** SCTP port of WebRTC data channels when a=sctp-port is absent (RFC 8841 §5). */
export const DEFAULT_SCTP_PORT = 5000;

/** A new association on `port` over `transport` (both ends use the same port in WebRTC). */
export function createSctpAssociation(
  transport: SctpTransportAdapter,
  role: "client" | "server",
  port = DEFAULT_SCTP_PORT,
): SctpAssociation {
  const { SCTP } = sctpModule();
  const sctp = new SCTP(transport, port);
  sctp.isServer = role === "server";
  return sctp;
}

const accepted = () => true;
const refused = () => false;

/**
 * Feeds one inbound SCTP packet. werift's parser throws (asynchronously) on
 * malformed packets; the returned promise never rejects, it resolves false.
 */
export function feedSctpPacket(sctp: SctpAssociation, buf: Buffer): Promise<boolean> {
  try {
    return (sctp as unknown as { handleData(b: Buffer): Promise<void> }).handleData(buf).then(accepted, refused);
  } catch {
    return Promise.resolve(false);
  }
}
