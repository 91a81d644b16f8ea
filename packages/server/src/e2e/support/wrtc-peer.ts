import { createRequire } from "node:module";
import { after } from "node:test";
import type { ServerMessage, TrackSource } from "@relais/protocol";
import { SignalClient } from "./signal-client.js";

// libwebrtc for Node (binary shipped inside its npm package): an independent WebRTC stack.
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the package has no types
const wrtc: any = require("@roamhq/wrtc");

/**
 * libwebrtc's threads keep Node alive after every peer is closed, so a test file
 * that used it ends its process once its cleanup (the node's stop) has finished.
 * One hook does both: node:test runs `after` hooks in order without waiting for a
 * timer, and an exit scheduled by an earlier hook cut a later node.stop() short
 * (workers terminated mid-shutdown).
 */
export function exitAfterWrtcTests(cleanup: () => Promise<void> | undefined): void {
  after(async () => {
    try {
      await cleanup();
    } finally {
      setTimeout(() => process.exit(), 200).unref();
    }
  });
}

/**
 * A participant driven by libwebrtc in Node: publishes a synthetic video track
 * (frames from RTCVideoSource) and counts decoded frames of what it receives.
 */
export class WrtcPeer {
  // biome-ignore lint/suspicious/noExplicitAny: wrtc types
  readonly pc: any;
  private readonly publications: { mid: string; kind: "audio" | "video"; source: TrackSource }[] = [];
  private readonly subscriptions: { mid: string; trackSid: string }[] = [];
  readonly framesByTrack = new Map<string, number>();
  // biome-ignore lint/suspicious/noExplicitAny: wrtc types
  private readonly pendingPublications: { t: any; source: TrackSource }[] = [];
  private frameTimer: NodeJS.Timeout | null = null;
  joined: Extract<ServerMessage, { type: "joined" }> | null = null;

  private constructor(readonly signal: SignalClient) {
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
    // biome-ignore lint/suspicious/noExplicitAny: wrtc types
    this.pc.ontrack = (e: any) => {
      const mid = e.transceiver.mid as string;
      const sub = this.subscriptions.find((s) => s.mid === mid);
      if (!sub || e.track.kind !== "video") return;
      const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
      sink.onframe = () => this.framesByTrack.set(sub.trackSid, (this.framesByTrack.get(sub.trackSid) ?? 0) + 1);
    };
  }

  static async join(wsUrl: string, token: string, room?: string): Promise<WrtcPeer> {
    const peer = new WrtcPeer(await SignalClient.connect(wsUrl));
    const res = await peer.signal.request({ type: "join", token, ...(room ? { room } : {}) });
    if (res.type !== "joined") throw new Error(`join failed: ${JSON.stringify(res)}`);
    peer.joined = res;
    return peer;
  }

  /** Publishes a 320x240 synthetic video track at 30 fps. */
  async publishVideo(): Promise<string> {
    const source = new wrtc.nonstandard.RTCVideoSource();
    const track = source.createTrack();
    const width = 320;
    const height = 240;
    const data = new Uint8ClampedArray((width * height * 3) / 2);
    let n = 0;
    this.frameTimer = setInterval(() => {
      data.fill(n++ % 255, 0, width * height);
      source.onFrame({ width, height, data });
    }, 33);
    const t = this.pc.addTransceiver(track, { direction: "sendonly" });
    const answer = await this.negotiate(() => {
      this.publications.push({ mid: t.mid, kind: "video", source: "camera" });
    });
    return answer.publications.find((p) => p.mid === t.mid)!.trackSid;
  }

  /** A sendonly video transceiver announced as `source`, not negotiated yet. */
  async addVideoTransceiver(source: TrackSource): Promise<void> {
    const track = new wrtc.nonstandard.RTCVideoSource().createTrack();
    const t = this.pc.addTransceiver(track, { direction: "sendonly" });
    this.pendingPublications.push({ t, source });
  }

  async subscribe(trackSid: string, kind: "audio" | "video"): Promise<Extract<ServerMessage, { type: "answer" }>> {
    const t = this.pc.addTransceiver(kind, { direction: "recvonly" });
    return this.negotiate(() => {
      this.subscriptions.push({ mid: t.mid, trackSid });
    });
  }

  /** createOffer → setLocalDescription → offer → answer → setRemoteDescription. `beforeSend` runs once mids are assigned. */
  async negotiate(
    beforeSend: () => void = () => {},
    options: { iceRestart?: boolean } = {},
  ): Promise<Extract<ServerMessage, { type: "answer" }>> {
    const offer = await this.pc.createOffer(options);
    await this.pc.setLocalDescription(offer);
    for (const { t, source } of this.pendingPublications.splice(0)) this.publications.push({ mid: t.mid, kind: "video", source });
    beforeSend();
    const res = await this.signal.request({
      type: "offer",
      sdp: this.pc.localDescription.sdp,
      publications: this.publications,
      subscriptions: this.subscriptions,
    });
    if (res.type !== "answer") throw new Error(`offer failed: ${JSON.stringify(res)}`);
    await this.pc.setRemoteDescription({ type: "answer", sdp: res.sdp });
    return res;
  }

  frames(trackSid: string): number {
    return this.framesByTrack.get(trackSid) ?? 0;
  }

  close(): void {
    if (this.frameTimer) clearInterval(this.frameTimer);
    this.pc.close();
    this.signal.close();
  }
}
