import { DATA_MAX_MESSAGE_SIZE, decodeDataPacket, encodeDataPacket, LOSSY_LABEL, RELIABLE_LABEL } from "./data-packet.js";
import { RelaisError } from "./errors.js";
import type { RemoteParticipant } from "./remote-participant.js";
import type { EmitRoomEvent } from "./room-events.js";

export interface DataPublishOptions {
  /** Ordered and retransmitted until delivered (default); false = unordered, never retransmitted (`_lossy`). */
  reliable?: boolean;
  /** Only these participants receive the packet; everyone else in the room when absent or empty. */
  destinationIdentities?: string[];
  /** A label receivers can filter on, up to 255 UTF-8 bytes (e.g. "chat"). */
  topic?: string;
}

/** What a `dataReceived` listener learns besides the payload and the sender. */
export interface DataReceivedInfo {
  topic: string | undefined;
  reliable: boolean;
}

export interface DataChannelsOptions {
  pc: RTCPeerConnection;
  emit: EmitRoomEvent;
  /** The remote participant with this identity, if the SDK knows it yet. */
  participantByIdentity: (identity: string) => RemoteParticipant | undefined;
  /** How long publishData waits for the channel to open (default 15 s). */
  openTimeoutMs?: number;
}

/** Above this much unsent reliable data, publishData waits for the browser to drain it. */
const RELIABLE_HIGH_WATER = 1 << 20;
/** Lossy packets are dropped rather than queued behind this much unsent data. */
const LOSSY_HIGH_WATER = 256 * 1024;

/**
 * The two data channels to the SFU on the one peer connection (LiveKit's
 * `_reliable` / `_lossy`), created before the first offer so its SDP carries
 * the m=application section. The SFU relays each packet to the room.
 */
export class DataChannels {
  readonly #reliable: RTCDataChannel;
  readonly #lossy: RTCDataChannel;
  readonly #options: DataChannelsOptions;

  constructor(options: DataChannelsOptions) {
    this.#options = options;
    this.#reliable = options.pc.createDataChannel(RELIABLE_LABEL, { ordered: true });
    this.#lossy = options.pc.createDataChannel(LOSSY_LABEL, { ordered: false, maxRetransmits: 0 });
    for (const channel of [this.#reliable, this.#lossy]) {
      channel.binaryType = "arraybuffer";
      channel.bufferedAmountLowThreshold = 64 * 1024;
      channel.onmessage = (event) => this.#receive(event.data, channel === this.#reliable);
    }
  }

  /** Sends `payload` to the room through the SFU; rejects with DATA_TOO_LARGE over 64 KiB (header included). */
  async publish(payload: Uint8Array, options: DataPublishOptions = {}): Promise<void> {
    const reliable = options.reliable ?? true;
    let packet: Uint8Array;
    try {
      packet = encodeDataPacket({ topic: options.topic ?? "", destinations: options.destinationIdentities ?? [], payload });
    } catch (error) {
      throw new RelaisError("DATA_INVALID", (error as Error).message);
    }
    if (packet.length > DATA_MAX_MESSAGE_SIZE) {
      throw new RelaisError(
        "DATA_TOO_LARGE",
        `The data packet is ${packet.length} bytes; the limit is ${DATA_MAX_MESSAGE_SIZE} bytes including the header.`,
        { size: packet.length, limit: DATA_MAX_MESSAGE_SIZE },
      );
    }
    const channel = reliable ? this.#reliable : this.#lossy;
    await this.#waitOpen(channel);
    if (reliable) {
      while (channel.bufferedAmount > RELIABLE_HIGH_WATER) {
        if (channel.readyState !== "open") throw new RelaisError("DATA_CHANNEL_CLOSED");
        await this.#drained(channel);
      }
    } else if (channel.bufferedAmount > LOSSY_HIGH_WATER) {
      return;
    }
    // A copy backed by a plain ArrayBuffer, which every browser's send() accepts.
    channel.send(packet.slice().buffer);
  }

  #receive(data: unknown, reliable: boolean): void {
    if (!(data instanceof ArrayBuffer)) return;
    const packet = decodeDataPacket(new Uint8Array(data));
    if (!packet) return;
    const participant = packet.sender ? this.#options.participantByIdentity(packet.sender) : undefined;
    this.#options.emit("dataReceived", packet.payload, participant, { topic: packet.topic || undefined, reliable });
  }

  #waitOpen(channel: RTCDataChannel): Promise<void> {
    if (channel.readyState === "open") return Promise.resolve();
    if (channel.readyState !== "connecting") return Promise.reject(new RelaisError("DATA_CHANNEL_CLOSED"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new RelaisError("DATA_CHANNEL_CLOSED", "The data channel did not open in time.")),
        this.#options.openTimeoutMs ?? 15_000,
      );
      const done = (error?: RelaisError) => {
        clearTimeout(timer);
        channel.removeEventListener("open", onOpen);
        channel.removeEventListener("close", onClose);
        if (error) reject(error);
        else resolve();
      };
      const onOpen = () => done();
      const onClose = () => done(new RelaisError("DATA_CHANNEL_CLOSED"));
      channel.addEventListener("open", onOpen);
      channel.addEventListener("close", onClose);
    });
  }

  #drained(channel: RTCDataChannel): Promise<void> {
    return new Promise((resolve) => {
      const onLow = () => {
        channel.removeEventListener("bufferedamountlow", onLow);
        channel.removeEventListener("close", onLow);
        resolve();
      };
      channel.addEventListener("bufferedamountlow", onLow);
      channel.addEventListener("close", onLow);
    });
  }

  /** @internal The room closed. */
  close(): void {
    this.#reliable.close();
    this.#lossy.close();
  }
}
