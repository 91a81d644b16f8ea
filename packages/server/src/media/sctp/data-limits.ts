import { DATA_MAX_MESSAGE_SIZE, type DataChannelStats } from "../../media-channel/messages.js";

/**
 * Limits of the data plane (docs/data-channels.md). The SDK refuses larger
 * messages itself; the SFU counts and drops whatever slips through.
 */
export interface DataLimits {
  maxMessageSize: number;
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

export const DATA_LIMITS: Readonly<DataLimits> = {
  /** Largest data packet (header + payload) a client may send: our a=max-message-size (RFC 8841 §6). */
  maxMessageSize: DATA_MAX_MESSAGE_SIZE,
  /** Sustained messages per second per participant, and the burst above it. */
  messagesPerSecond: 100,
  messageBurst: 200,
  /** Sustained bytes per second per participant, and the burst above it. */
  bytesPerSecond: 1024 * 1024,
  byteBurst: 2 * 1024 * 1024,
};

/** Labels of the two channels every participant opens (LiveKit's names). */
export const RELIABLE_LABEL = "_reliable";
export const LOSSY_LABEL = "_lossy";

export function newDataChannelStats(): DataChannelStats {
  return {
    associations: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    messagesRelayed: 0,
    bytesRelayed: 0,
    droppedMalformed: 0,
    droppedTooLarge: 0,
    droppedRateLimited: 0,
    droppedUnauthorized: 0,
    droppedRecipient: 0,
    forwardedToWorkers: 0,
    receivedFromWorkers: 0,
  };
}
