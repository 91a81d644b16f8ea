export function installWebRtcGlobals(): void;
export function createWebSocket(url: string): import("../src/signal-client.js").WebSocketLike;
export function createAudioTrack(): { track: MediaStreamTrack; stop(): void };
export function fakeToken(claims: Record<string, unknown>): string;
