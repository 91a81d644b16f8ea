import type { DataChannelStats } from "../../media-channel/messages.js";
import { decodeOpen, encodeAck, encodeOpen, isAck, PPID } from "./dcep.js";
import { createSctpAssociation, DEFAULT_SCTP_PORT, feedSctpPacket, type SctpAssociation } from "./werift-sctp.js";

/** One data channel (RFC 8831 §6.1): an SCTP stream pair with its DCEP parameters. */
export interface DataChannel {
  readonly streamId: number;
  readonly label: string;
  readonly protocol: string;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  /** Channels the peer opened are open at once; ours once DATA_CHANNEL_ACK arrived. */
  open: boolean;
}

export interface OpenChannelOptions {
  ordered?: boolean;
  maxRetransmits?: number | null;
  maxPacketLifeTime?: number | null;
  protocol?: string;
}

export interface DataChannelEndpointOptions {
  /** The DTLS role: the client uses even stream ids, the server odd ones (RFC 8832 §6); the client sends INIT. */
  role: "client" | "server";
  /** SCTP packets out, to be carried as DTLS application data (RFC 8261). */
  send: (packet: Buffer) => void;
  /** Largest user message accepted or sent (the a=max-message-size we announce, RFC 8841 §6). */
  maxMessageSize: number;
  /** Largest message we send; defaults to maxMessageSize (the peer's own limit may be higher). */
  maxSendSize?: number;
  /** Bytes waiting to be sent beyond which sends are refused: a slow peer drops, it never grows our memory. */
  maxQueuedBytes?: number;
  stats: DataChannelStats;
  onMessage: (channel: DataChannel, data: Buffer, binary: boolean) => void;
  onChannel?: (channel: DataChannel) => void;
  onConnected?: () => void;
}

const DEFAULT_MAX_QUEUED_BYTES = 2 * 1024 * 1024;
/**
 * Messages are handed to werift in batches of about this many DATA chunks (64 measured best of 16, 64, 256), and
 * only once its send queue is empty: each werift send() stays pending, and
 * re-awaits every flush, until that queue is empty, so feeding it continuously
 * costs O(n²) in queued messages. Ours is a plain FIFO.
 */
const SCTP_BATCH_CHUNKS = 64;

interface PendingMessage {
  streamId: number;
  ppid: number;
  data: Buffer;
  options: { ordered: boolean; maxRetransmits?: number; expiry?: number };
}
/** Channels a peer may open on one association; more OPENs are refused (each costs a map entry). */
const MAX_CHANNELS = 64;
const ignore = () => {};
const EMPTY = Buffer.alloc(0);
/** RFC 8831 §6.6: an empty message is sent as one byte with an *_EMPTY PPID. */
const EMPTY_MARKER = Buffer.alloc(1);

/**
 * WebRTC data channels (RFC 8831) over one SCTP association (werift's) with
 * our own DCEP (RFC 8832). Never throws on input: malformed SCTP packets and
 * DCEP messages are counted in `stats.droppedMalformed` and dropped.
 */
export class DataChannelEndpoint {
  private readonly sctp: SctpAssociation;
  private readonly channels = new Map<number, DataChannel>();
  private nextStreamId: number;
  private closed = false;
  /** Messages not yet handed to werift, in send order (all streams share it, so each stream stays in order). */
  private pending: PendingMessage[] = [];
  private pendingHead = 0;
  private pendingBytes = 0;
  private pumpScheduled = false;
  connected = false;

  constructor(private readonly o: DataChannelEndpointOptions) {
    this.nextStreamId = o.role === "client" ? 0 : 1;
    this.sctp = createSctpAssociation(
      {
        send: async (b) => {
          if (!this.closed) o.send(b);
        },
        close: () => {},
      },
      o.role,
    );
    this.sctp.onReceive.subscribe((streamId, ppid, data) => this.receive(streamId, ppid, data));
    this.sctp.stateChanged.connected.subscribe(() => {
      if (this.connected) return;
      this.connected = true;
      o.stats.associations++;
      // Channels opened before the association came up: send their OPEN now.
      for (const c of this.channels.values()) if (!c.open) this.sendOpen(c);
      o.onConnected?.();
    });
    this.sctp.flush.subscribe(() => {
      if (this.sctp.outboundQueue.length === 0) this.schedulePump();
    });
    this.sctp.stateChanged.closed.subscribe(() => {
      this.connected = false;
    });
    this.sctp.start(DEFAULT_SCTP_PORT).catch(ignore);
  }

  /** One SCTP packet from the DTLS layer. */
  handlePacket(buf: Buffer): void {
    if (this.closed) return;
    void feedSctpPacket(this.sctp, buf).then(this.countMalformed);
  }

  channelByLabel(label: string): DataChannel | undefined {
    for (const c of this.channels.values()) if (c.label === label) return c;
    return undefined;
  }

  /** Opens a channel from our side (DATA_CHANNEL_OPEN, RFC 8832 §6). */
  openChannel(label: string, options: OpenChannelOptions = {}): DataChannel {
    while (this.channels.has(this.nextStreamId)) this.nextStreamId += 2;
    const channel: DataChannel = {
      streamId: this.nextStreamId,
      label,
      protocol: options.protocol ?? "",
      ordered: options.ordered ?? true,
      maxRetransmits: options.maxRetransmits ?? null,
      maxPacketLifeTime: options.maxPacketLifeTime ?? null,
      open: false,
    };
    this.nextStreamId += 2;
    this.channels.set(channel.streamId, channel);
    if (this.connected) this.sendOpen(channel);
    return channel;
  }

  /**
   * Sends one message on `channel`. Returns false (and sends nothing) when the
   * association is down, the message is too large or the send queue is full.
   */
  send(channel: DataChannel, data: Buffer, binary: boolean): boolean {
    if (!this.connected || this.closed) return false;
    if (data.length > (this.o.maxSendSize ?? this.o.maxMessageSize)) return false;
    if (this.pendingBytes + data.length > (this.o.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES)) return false;
    const empty = data.length === 0;
    const ppid = binary ? (empty ? PPID.BINARY_EMPTY : PPID.BINARY) : empty ? PPID.STRING_EMPTY : PPID.STRING;
    const options: { ordered: boolean; maxRetransmits?: number; expiry?: number } = { ordered: channel.ordered };
    if (channel.maxRetransmits !== null) options.maxRetransmits = channel.maxRetransmits;
    // werift compares expiry with Date.now() / 1000 (seconds).
    else if (channel.maxPacketLifeTime !== null) options.expiry = Date.now() / 1000 + channel.maxPacketLifeTime / 1000;
    this.pending.push({ streamId: channel.streamId, ppid, data: empty ? EMPTY_MARKER : data, options });
    this.pendingBytes += data.length;
    this.schedulePump();
    return true;
  }

  /** Bytes accepted by send() and not yet handed to the SCTP association. */
  get queuedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * On a later macrotask, so that werift's send() calls still waiting on the
   * flush that emptied its queue see it empty and finish before new data arrives.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.pendingHead >= this.pending.length) return;
    this.pumpScheduled = true;
    setImmediate(this.runPump);
  }

  private readonly runPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  private pump(): void {
    // Not empty: werift's next flush schedules us again.
    if (this.closed || this.sctp.outboundQueue.length > 0) return;
    const queue = this.pending;
    while (this.pendingHead < queue.length && this.sctp.outboundQueue.length < SCTP_BATCH_CHUNKS) {
      const m = queue[this.pendingHead]!;
      queue[this.pendingHead++] = undefined as unknown as PendingMessage;
      this.pendingBytes -= m.data === EMPTY_MARKER ? 0 : m.data.length;
      this.sctp.send(m.streamId, m.ppid, m.data, m.options).catch(ignore);
    }
    if (this.pendingHead === queue.length) {
      queue.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024) {
      this.pending = queue.slice(this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private sendOpen(channel: DataChannel): void {
    const open = encodeOpen({
      ordered: channel.ordered,
      maxRetransmits: channel.maxRetransmits,
      maxPacketLifeTime: channel.maxPacketLifeTime,
      priority: 0,
      label: channel.label,
      protocol: channel.protocol,
    });
    // DCEP messages are always sent reliably and in order (RFC 8832 §6).
    this.sctp.send(channel.streamId, PPID.DCEP, open, { ordered: true }).catch(ignore);
  }

  /** Bound once: counts packets werift's parser refused, without a closure per packet. */
  private readonly countMalformed = (ok: boolean): void => {
    if (!ok) this.o.stats.droppedMalformed++;
  };

  private receive(streamId: number, ppid: number, data: Buffer): void {
    if (this.closed) return;
    if (ppid === PPID.DCEP) {
      this.receiveDcep(streamId, data);
      return;
    }
    const channel = this.channels.get(streamId);
    if (channel === undefined) {
      this.o.stats.droppedMalformed++;
      return;
    }
    let binary: boolean;
    let payload = data;
    switch (ppid) {
      case PPID.BINARY:
        binary = true;
        break;
      case PPID.STRING:
        binary = false;
        break;
      case PPID.BINARY_EMPTY:
        binary = true;
        payload = EMPTY;
        break;
      case PPID.STRING_EMPTY:
        binary = false;
        payload = EMPTY;
        break;
      default:
        this.o.stats.droppedMalformed++;
        return;
    }
    if (payload.length > this.o.maxMessageSize) {
      this.o.stats.droppedTooLarge++;
      return;
    }
    this.o.stats.messagesReceived++;
    this.o.stats.bytesReceived += payload.length;
    this.o.onMessage(channel, payload, binary);
  }

  private receiveDcep(streamId: number, data: Buffer): void {
    if (isAck(data)) {
      const channel = this.channels.get(streamId);
      if (channel) channel.open = true;
      return;
    }
    const open = decodeOpen(data);
    // The peer must use the stream ids of its own role (RFC 8832 §6): odd from a DTLS server, even from a client.
    const peerParity = this.o.role === "client" ? 1 : 0;
    if (open === null || streamId % 2 !== peerParity) {
      this.o.stats.droppedMalformed++;
      return;
    }
    let channel = this.channels.get(streamId);
    if (channel === undefined) {
      if (this.channels.size >= MAX_CHANNELS) {
        this.o.stats.droppedMalformed++;
        return;
      }
      channel = {
        streamId,
        label: open.label,
        protocol: open.protocol,
        ordered: open.ordered,
        maxRetransmits: open.maxRetransmits,
        maxPacketLifeTime: open.maxPacketLifeTime,
        open: true,
      };
      this.channels.set(streamId, channel);
      this.o.onChannel?.(channel);
    }
    // A repeated OPEN (our ACK was lost) is acknowledged again.
    this.sctp.send(streamId, PPID.DCEP, encodeAck(), { ordered: true }).catch(ignore);
  }

  /** Aborts the association. Idempotent. */
  close(): void {
    if (this.closed) return;
    // stop() sends ABORT synchronously, before `closed` mutes the send path.
    this.sctp.stop().catch(ignore);
    this.closed = true;
    this.connected = false;
    this.channels.clear();
    this.pending = [];
    this.pendingHead = 0;
    this.pendingBytes = 0;
  }
}
