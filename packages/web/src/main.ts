import { decodeJwtPayload, RelaisError, type Room } from "@relais/client";
import type { CallView } from "./call-view.js";
import { EmbedApi } from "./embed-api.js";
import type { EmbedCommand } from "./embed-protocol.js";
import { joinCall } from "./join-call.js";
import { JoinView } from "./join-view.js";
import { MediaPreview } from "./media-preview.js";
import { parseRoute, type Route } from "./route.js";
import { messageScreen, topbar } from "./shell.js";
import { checkToken, type TokenCheck } from "./token-check.js";

const root = document.getElementById("app") ?? document.body;
const route = parseRoute(new URL(location.href));
const tokenCheck = checkToken(route.token, route.room, Date.now() / 1000);
const claims = route.token ? decodeJwtPayload(route.token) : null;
const defaultName = route.name ?? claims?.name ?? claims?.sub ?? "";

if (route.mode === "embed") startEmbed(route, tokenCheck);
else startRoomPage(route, tokenCheck);

function startRoomPage(route: Route, check: TokenCheck): void {
  document.body.dataset.mode = "room";
  if (!route.room) {
    root.replaceChildren(
      topbar(null),
      messageScreen({ title: "No meeting in this link", hint: "Open the full meeting link you were sent." }),
    );
    return;
  }
  const room = route.room;
  if (!check.ok) {
    // Nothing on the join form can fix a bad token, so say so instead of opening devices.
    root.replaceChildren(topbar(null), messageScreen({ code: check.code }));
    return;
  }
  const preview = new MediaPreview({ resolution: route.resolution });
  const join = async (name: string) => {
    if (!route.token) throw new RelaisError("TOKEN_MISSING");
    await joinCall({ token: route.token, room, name, codec: route.codec, preview, root, onRejoin: () => location.reload() });
    joinView.destroy();
  };
  const joinView = new JoinView({
    room,
    name: defaultName,
    identity: claims?.sub,
    preview,
    onJoin: join,
  });
  root.replaceChildren(topbar(null), joinView.element);
  void joinView.start({ camera: route.camera, microphone: route.microphone }).then(() => {
    // `?autoJoin=1` (automated tests, kiosks) goes straight in once devices are open.
    if (route.autoJoin) document.getElementById("join-button")?.click();
  });
}

function startEmbed(route: Route, check: TokenCheck): void {
  document.body.dataset.mode = "embed";
  let call: { room: Room; view: CallView } | undefined;
  let joining = false;
  const api = new EmbedApi({ parentOrigin: route.parentOrigin, onCommand: (command) => void run(command) });

  const fail = (code: string, message: string) => {
    root.replaceChildren(messageScreen({ code }));
    api.post({ event: "error", code, message });
  };

  const join = async () => {
    if (joining || (call && call.room.state !== "disconnected")) return;
    if (!route.room) return fail("ROOM_NOT_FOUND", "The embed URL names no room.");
    if (!check.ok || !route.token) return fail(check.ok ? "TOKEN_MISSING" : check.code, "The access token cannot be used.");
    joining = true;
    root.replaceChildren(messageScreen({ title: "Joining…", hint: route.room }));
    const preview = new MediaPreview({ resolution: route.resolution });
    try {
      await preview.start({ camera: route.camera, microphone: route.microphone });
      call = await joinCall({ token: route.token, room: route.room, name: route.name ?? undefined, codec: route.codec, preview, root });
      const { room } = call;
      const local = room.localParticipant;
      api.post({ event: "joined", room: room.name, identity: local.identity, name: local.name });
      room.on("participantJoined", (p) => api.post({ event: "participantJoined", identity: p.identity, name: p.name }));
      room.on("participantLeft", (p) => api.post({ event: "participantLeft", identity: p.identity }));
      room.on("disconnected", (reason) => api.post({ event: "left", reason }));
    } catch (error) {
      preview.stop();
      const { code, message } = error as { code?: unknown; message?: unknown };
      fail(typeof code === "string" ? code : "INTERNAL", typeof message === "string" ? message : String(error));
    } finally {
      joining = false;
    }
  };

  async function run(command: EmbedCommand): Promise<void> {
    const view = call?.room.state === "connected" || call?.room.state === "reconnecting" ? call.view : undefined;
    switch (command.type) {
      case "relais:join":
        return join();
      case "relais:leave":
        return call?.room.disconnect();
      case "relais:mute":
        return view?.setMicrophoneEnabled(false);
      case "relais:unmute":
        return view?.setMicrophoneEnabled(true);
      case "relais:camera":
        return view?.setCameraEnabled(command.enabled ?? !call?.room.localParticipant.isCameraEnabled);
    }
  }

  if (route.autoJoin) void join();
  else root.replaceChildren(messageScreen({ title: "Ready", hint: "Waiting for the page to start the call." }));
}
