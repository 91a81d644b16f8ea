/** What the page was opened for, read from its URL. */
export interface Route {
  /** `embed` for /embed/<room> (no join form, postMessage API), `room` otherwise. */
  mode: "room" | "embed";
  room: string | null;
  token: string | null;
  /** Skip the join form. Embeds auto-join unless `autoJoin=0`; rooms only with `autoJoin=1`. */
  autoJoin: boolean;
  /** Display name from `?name=`. */
  name: string | null;
  /** Start with the camera / microphone (default true; `camera=0`, `microphone=0` to skip). */
  camera: boolean;
  microphone: boolean;
  /** The only other origin allowed to drive an embed (`?parentOrigin=`), normalized; null if absent or invalid. */
  parentOrigin: string | null;
  /** Preferred video codec for what this page publishes (`?codec=vp8|vp9|h264|av1`); null = the browser's default. */
  codec: "vp8" | "vp9" | "h264" | "av1" | null;
  /** Camera capture size asked for (`?resolution=720p`: 1280×720, 16:9); null = the browser's default. */
  resolution: { width: number; height: number } | null;
}

/**
 * Parses `/r/<room>` and `/embed/<room>` (any prefix before them is allowed, so
 * a reverse proxy may mount the app under a path); `?room=` is the fallback for
 * the bare `/app/` page.
 */
export function parseRoute(url: URL): Route {
  const match = /\/(r|embed)\/([^/]+)\/?$/.exec(url.pathname);
  const mode = match?.[1] === "embed" ? "embed" : "room";
  const query = url.searchParams;
  let room = match ? safeDecode(match[2]) : query.get("room");
  if (room !== null && room.trim() === "") room = null;
  const flag = (name: string, fallback: boolean) => {
    const value = query.get(name);
    if (value === null) return fallback;
    return !["0", "false", "no", "off"].includes(value.toLowerCase());
  };
  return {
    mode,
    room,
    token: query.get("token") || null,
    autoJoin: flag("autoJoin", mode === "embed"),
    name: query.get("name")?.trim() || null,
    camera: flag("camera", true),
    microphone: flag("microphone", true),
    parentOrigin: normalizeOrigin(query.get("parentOrigin")),
    codec: parseCodec(query.get("codec")),
    resolution: parseResolution(query.get("resolution")),
  };
}

/** `https://example.com/path` → `https://example.com`; anything else but an http(s) origin → null. */
export function normalizeOrigin(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** `360p`…`2160p` → the 16:9 size with that many lines (even widths, as encoders want). */
function parseResolution(value: string | null): Route["resolution"] {
  const match = /^(\d{3,4})p$/i.exec(value ?? "");
  const height = Number(match?.[1]);
  if (!match || height < 144 || height > 2160) return null;
  return { width: Math.round((height * 16) / 9 / 2) * 2, height };
}

function parseCodec(value: string | null): Route["codec"] {
  const v = value?.toLowerCase();
  return v === "vp8" || v === "vp9" || v === "h264" || v === "av1" ? v : null;
}
