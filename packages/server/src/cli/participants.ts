/** `relais participant list|remove|mute` over the REST API. */
import type { ParticipantResource } from "@relais/protocol";
import { API_FLAGS, API_USAGE_NOTE, apiPath, connectApi } from "./api-client.js";
import { type CommandGroup, parseArgs, subcommands } from "./args.js";
import { formatTime, printJson, printTable } from "./output.js";

export const PARTICIPANT_USAGE = `  relais participant list ROOM [--json]
      List the participants of a live room, with their tracks.
  relais participant remove ROOM IDENTITY [--json]
      Remove a participant (it receives leave with reason "removed").
  relais participant mute ROOM IDENTITY TRACK_SID [--unmute] [--json]
      Mute (or unmute) a participant's track; everyone is told at once.`;

const HELP = `${PARTICIPANT_USAGE}\n\n${API_USAGE_NOTE}`;

function tracks(p: ParticipantResource): string {
  if (p.tracks.length === 0) return "-";
  return p.tracks.map((t) => `${t.sid} ${t.kind}/${t.source}${t.muted ? " (muted)" : ""}`).join(", ");
}

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"], positionals: ["ROOM"] }, HELP);
  const api = await connectApi(a, HELP);
  const res: { participants: ParticipantResource[] } = await api.call("GET", apiPath`/rooms/${a.arg("ROOM")}/participants`);
  if (a.has("json")) {
    printJson(res);
    return 0;
  }
  printTable(
    ["IDENTITY", "NAME", "SID", "STATE", "JOINED", "TRACKS"],
    res.participants.map((p) => [p.identity, p.name, p.sid, p.state, formatTime(p.joinedAt), tracks(p)]),
    `Nobody is in room ${a.arg("ROOM")}.`,
  );
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"], positionals: ["ROOM", "IDENTITY"] }, HELP);
  const [room, identity] = [a.arg("ROOM"), a.arg("IDENTITY")];
  const api = await connectApi(a, HELP);
  await api.call("DELETE", apiPath`/rooms/${room}/participants/${identity}`);
  if (a.has("json")) printJson({ room, identity, removed: true });
  else console.log(`Removed ${identity} from room ${room}.`);
  return 0;
}

async function mute(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json", "unmute"], positionals: ["ROOM", "IDENTITY", "TRACK_SID"] }, HELP);
  const [room, identity, trackSid] = [a.arg("ROOM"), a.arg("IDENTITY"), a.arg("TRACK_SID")];
  const muted = !a.has("unmute");
  const api = await connectApi(a, HELP);
  const p: ParticipantResource = await api.call("POST", apiPath`/rooms/${room}/participants/${identity}/tracks/${trackSid}/mute`, {
    muted,
  });
  if (a.has("json")) printJson(p);
  else console.log(`${muted ? "Muted" : "Unmuted"} track ${trackSid} of ${identity} in room ${room}.`);
  return 0;
}

export const participantCommand: CommandGroup = subcommands(
  "participant",
  { usage: PARTICIPANT_USAGE, help: HELP },
  { list, remove, mute },
);
