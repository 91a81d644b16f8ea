import { Room } from "@relais/client";
import { CallView } from "./call-view.js";
import { exposeDebugHandle } from "./debug-handle.js";
import type { MediaPreview } from "./media-preview.js";

export interface JoinCallOptions {
  token: string;
  /** The room named in the page's path. */
  room: string;
  name: string | undefined;
  codec?: "vp8" | "vp9" | "h264" | "av1" | null;
  /** Devices opened before joining; published as they are (a disabled mic joins muted). */
  preview: MediaPreview;
  root: HTMLElement;
  onRejoin?: () => void;
}

/**
 * Connects to the room on this page's origin and shows the call. Resolves once
 * joined; the preview's tracks are then published in the background (a failure
 * shows in the call view).
 */
export async function joinCall(options: JoinCallOptions): Promise<{ room: Room; view: CallView }> {
  const room = await Room.connect(location.origin, options.token, {
    name: options.name,
    room: options.room,
    ...(options.codec ? { videoCodec: options.codec } : {}),
  });
  exposeDebugHandle(room);
  const view = new CallView(room, { onRejoin: options.onRejoin });
  options.root.replaceChildren(view.element);
  const { preview } = options;
  room.on("disconnected", () => preview.stop());
  window.addEventListener("pagehide", () => void room.disconnect(), { once: true });
  const local = room.localParticipant;
  const publish = (track: MediaStreamTrack | undefined, source: "camera" | "microphone") => {
    if (!track) return;
    local.publishTrack(track, { source, name: source, muted: !track.enabled }).catch((error: unknown) => {
      view.showError(String((error as { code?: unknown; name?: unknown })?.code ?? (error as { name?: unknown })?.name ?? "INTERNAL"));
    });
  };
  publish(preview.videoTrack, "camera");
  publish(preview.audioTrack, "microphone");
  return { room, view };
}
