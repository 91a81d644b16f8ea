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
  /**
   * Send cameras as several simulcast streams (RFC 8853: ¼, ½ and full size from 540p,
   * ½ and full from 270p) so that each subscriber gets the one it needs (default true).
   */
  simulcast?: boolean;
  /**
   * Ask the server for the smallest simulcast stream that covers the size at which a
   * remote video is shown, and none while it is shown nowhere; needs
   * `RemoteTrackPublication.observe(videoElement)` (default true).
   */
  adaptiveStream?: boolean;
  /** Stop encoding the simulcast streams of this client's camera that nobody watches (default true). */
  dynacast?: boolean;
  /** Replaces `new WebSocket(url)`, for tests. */
  webSocketFactory?: (url: string) => WebSocketLike;
}
