// Lets the browser SDK run in Node for tests: WebRTC from @roamhq/wrtc, WebSocket from ws.
import wrtc from "@roamhq/wrtc";
import { WebSocket } from "ws";

/** Installs RTCPeerConnection, MediaStream… as globals (what the SDK expects from a browser). */
export function installWebRtcGlobals() {
  for (const name of [
    "RTCPeerConnection",
    "RTCSessionDescription",
    "RTCIceCandidate",
    "MediaStream",
    "MediaStreamTrack",
    "RTCRtpSender",
    "RTCRtpReceiver",
    "RTCRtpTransceiver",
  ]) {
    globalThis[name] ??= wrtc[name];
  }
}

/** A WebSocket for `RoomConnectOptions.webSocketFactory`. */
export function createWebSocket(url) {
  return new WebSocket(url);
}

/** An audio track fed with silence every 10 ms; `stop()` ends the feed. */
export function createAudioTrack() {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const samples = new Int16Array(480);
  const timer = setInterval(
    () => source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }),
    10,
  );
  return {
    track,
    // Only the feed stops: MediaStreamTrack.stop() on a nonstandard source track crashes wrtc at exit.
    stop() {
      clearInterval(timer);
    },
  };
}

/** An unsigned JWT-shaped token (the fake SFU does not verify signatures). */
export function fakeToken(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ iss: "test", grants: {}, exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}.sig`;
}
