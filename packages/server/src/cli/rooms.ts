/** `relais room list|create|delete` over the REST API. */
import type { RoomResource } from "@relais/protocol";
import { parseDuration } from "../shared/duration.js";
import { API_FLAGS, API_USAGE_NOTE, apiPath, connectApi } from "./api-client.js";
import { type CommandGroup, intFlag, parseArgs, subcommands, UsageError } from "./args.js";
import { clip, formatTime, printJson, printTable } from "./output.js";

export const ROOM_USAGE = `  relais room list [--prefix P] [--json]
      List rooms (every page).
  relais room create NAME [--max-participants N] [--empty-timeout 10m] [--metadata TEXT]
                          [--residency-policy NAME] [--json]
      Create a room (409 ROOM_ALREADY_EXISTS when the name is taken).
  relais room delete NAME [--json]
      Delete a room: everyone in it is disconnected, room_finished is emitted.`;

const HELP = `${ROOM_USAGE}\n\n${API_USAGE_NOTE}`;

/** The largest page the API serves. */
const PAGE = 500;
/** A guard against a server that keeps answering the same cursor. */
const MAX_PAGES = 10_000;

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS, "prefix"], switches: ["json"] }, HELP);
  const api = await connectApi(a, HELP);
  const rooms: RoomResource[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    const prefix = a.get("prefix");
    if (prefix) query.set("prefix", prefix);
    if (cursor) query.set("cursor", cursor);
    const res: { rooms: RoomResource[]; nextCursor: string | null } = await api.call("GET", `/rooms?${query}`);
    rooms.push(...res.rooms);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  if (a.has("json")) {
    printJson({ rooms });
    return 0;
  }
  printTable(
    ["NAME", "PARTICIPANTS", "MAX", "EMPTY TIMEOUT", "LIVE", "CREATED", "METADATA"],
    rooms.map((r) => [
      r.name,
      String(r.numParticipants),
      String(r.maxParticipants),
      `${r.emptyTimeoutS}s`,
      r.active ? "yes" : "no",
      formatTime(r.createdAt),
      clip(r.metadata),
    ]),
    "No rooms.",
  );
  return 0;
}

async function create(args: string[]): Promise<number> {
  const a = parseArgs(
    args,
    {
      values: [...API_FLAGS, "max-participants", "empty-timeout", "metadata", "residency-policy"],
      switches: ["json"],
      positionals: ["NAME"],
    },
    HELP,
  );
  const body: Record<string, unknown> = { name: a.arg("NAME") };
  const max = intFlag(a, "max-participants", { min: 1, max: 10_000 }, HELP);
  if (max !== undefined) body["maxParticipants"] = max;
  const timeout = a.get("empty-timeout");
  if (timeout !== undefined) {
    const s = parseDuration(timeout);
    if (s === null) throw new UsageError(`--empty-timeout: cannot read "${timeout}" (examples: 600, 90s, 10m)`, HELP);
    body["emptyTimeoutS"] = s;
  }
  if (a.get("metadata") !== undefined) body["metadata"] = a.get("metadata");
  if (a.get("residency-policy") !== undefined) body["residencyPolicy"] = a.get("residency-policy");
  const api = await connectApi(a, HELP);
  const room: RoomResource = await api.call("POST", "/rooms", body);
  if (a.has("json")) printJson(room);
  else console.log(`Created room ${room.name} (max ${room.maxParticipants} participants, empty timeout ${room.emptyTimeoutS}s).`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const a = parseArgs(args, { values: [...API_FLAGS], switches: ["json"], positionals: ["NAME"] }, HELP);
  const name = a.arg("NAME");
  const api = await connectApi(a, HELP);
  await api.call("DELETE", apiPath`/rooms/${name}`);
  if (a.has("json")) printJson({ name, deleted: true });
  else console.log(`Deleted room ${name}.`);
  return 0;
}

export const roomCommand: CommandGroup = subcommands("room", { usage: ROOM_USAGE, help: HELP }, { list, create, delete: remove });
