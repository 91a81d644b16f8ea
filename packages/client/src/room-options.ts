import type { VideoCodec } from "./codec-preferences.js";
import type { WebSocketLike } from "./signal-client.js";

export interface RoomConnectOptions {
  /** Subscribe to every remote track as it is published (default true). */
  autoSubscribe?: boolean;
  /** Video codec to put first in offers, where the browser allows reordering. */
  videoCodec?: VideoCodec;
  /** Overrides for the RTCPeerConnection configuration (ICE servers come from the server otherwise). */
  rtcConfig?: RTCConfiguration;
  /** Display name for this session; the token's `name` claim applies when absent. */
  name?: string;
  /** The room this client means to join (e.g. from a link's path); the server refuses a token for another room. */
  room?: string;
  /** Replaces `new WebSocket(url)`, for tests. */
  webSocketFactory?: (url: string) => WebSocketLike;
}
