import type { DataChannelStats, DataParticipant } from "../../media-channel/messages.js";
import { type DataChannel, DataChannelEndpoint } from "./data-channel-endpoint.js";
import { DATA_LIMITS, type DataLimits, LOSSY_LABEL, RELIABLE_LABEL } from "./data-limits.js";
import { MessageRateLimiter } from "./rate-limiter.js";

export interface DataSessionOptions {
  /** SCTP packets out, as DTLS application data. */
  sendSctp: (packet: Buffer) => void;
  stats: DataChannelStats;
  /** A data packet this participant sent on `_reliable` (reliable = true) or `_lossy`. */
  onPacket: (from: DataSession, packet: Buffer, reliable: boolean) => void;
  limits?: Readonly<DataLimits>;
  nowMs?: () => number;
}

/**
 * One participant's server-terminated data channels: the SCTP association on
 * its transport, its `_reliable` and `_lossy` channels, its identity (set by
 * the main thread, never taken from the client) and its rate limit.
 */
export class DataSession {
  /** UTF-8 identity, stamped on what this participant sends and matched against destinations. */
  identity: Buffer | null = null;
  private canPublishData = false;
  private reliable: DataChannel | null = null;
  private lossy: DataChannel | null = null;
  private readonly endpoint: DataChannelEndpoint;
  private readonly limiter: MessageRateLimiter;
  private readonly now: () => number;

  constructor(private readonly o: DataSessionOptions) {
    const limits = o.limits ?? DATA_LIMITS;
    this.now = o.nowMs ?? (() => performance.now());
    this.limiter = new MessageRateLimiter(limits, this.now());
    this.endpoint = new DataChannelEndpoint({
      role: "server",
      send: o.sendSctp,
      maxMessageSize: limits.maxMessageSize,
      // The stamped sender identity (≤ 65535 bytes) may make a relayed packet longer than what the client could send.
      maxSendSize: limits.maxMessageSize + 0xffff,
      stats: o.stats,
      onChannel: (c) => {
        if (c.label === RELIABLE_LABEL) this.reliable = c;
        else if (c.label === LOSSY_LABEL) this.lossy = c;
      },
      onMessage: (c, data) => this.received(c, data),
    });
  }

  setParticipant(p: DataParticipant): void {
    this.identity = Buffer.from(p.identity, "utf8");
    this.canPublishData = p.canPublishData;
  }

  handleSctp(buf: Buffer): void {
    this.endpoint.handlePacket(buf);
  }

  private received(channel: DataChannel, data: Buffer): void {
    const reliable = channel === this.reliable;
    if (!reliable && channel !== this.lossy) {
      this.o.stats.droppedMalformed++;
      return;
    }
    if (this.identity === null || !this.canPublishData) {
      this.o.stats.droppedUnauthorized++;
      return;
    }
    if (!this.limiter.take(data.length, this.now())) {
      this.o.stats.droppedRateLimited++;
      return;
    }
    this.o.onPacket(this, data, reliable);
  }

  /** Sends a relayed packet on this participant's channel of the same kind; false if it was dropped. */
  deliver(packet: Buffer, reliable: boolean): boolean {
    const channel = reliable ? this.reliable : this.lossy;
    if (channel === null || !this.endpoint.send(channel, packet, true)) {
      this.o.stats.droppedRecipient++;
      return false;
    }
    this.o.stats.messagesRelayed++;
    this.o.stats.bytesRelayed += packet.length;
    return true;
  }

  close(): void {
    this.endpoint.close();
  }
}
