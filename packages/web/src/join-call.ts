import { Room } from "@relais/client";
import { CallView } from "./call-view.js";
import { exposeDebugHandle } from "./debug-handle.js";
import type { MediaPreview } from "./media-preview.js";

export interface JoinCallOptions {
  token: string;
  name: string | undefined;
  /** Devices opened before joining; published as they are (a disabled mic joins muted). */
  preview: MediaPreview;
  root: HTMLElement;
  onRejoin?: () => void;
}

/** Connects to the room on this page's origin, shows the call and publishes the preview's tracks. */
export async function joinCall(options: JoinCallOptions): Promise<{ room: Room; view: CallView }> {
  const room = await Room.connect(location.origin, options.token, { name: options.name });
  exposeDebugHandle(room);
  const view = new CallView(room, { onRejoin: options.onRejoin });
  options.root.replaceChildren(view.element);
  const { preview } = options;
  room.on("disconnected", () => preview.stop());
  window.addEventListener("pagehide", () => void room.disconnect(), { once: true });
  const local = room.localParticipant;
  const publications: Promise<unknown>[] = [];
  if (preview.videoTrack) publications.push(local.publishTrack(preview.videoTrack, { source: "camera", name: "camera" }));
  if (preview.audioTrack) {
    publications.push(local.publishTrack(preview.audioTrack, { source: "microphone", name: "microphone", muted: !preview.audioTrack.enabled }));
  }
  for (const result of await Promise.allSettled(publications)) {
    if (result.status === "rejected") view.showError(String((result.reason as { code?: unknown })?.code ?? "INTERNAL"));
  }
  return { room, view };
}
