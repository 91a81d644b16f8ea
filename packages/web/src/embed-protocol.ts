/**
 * The postMessage contract between an embedding page and /embed/<room>.
 * See docs/embed.md. Pure: validation and origin rules only.
 */

/** Commands the parent page may send. */
export type EmbedCommand =
  | { type: "relais:join" }
  | { type: "relais:leave" }
  | { type: "relais:mute" }
  | { type: "relais:unmute" }
  /** `enabled` omitted toggles the camera. */
  | { type: "relais:camera"; enabled?: boolean };

/** Events the embed posts to the parent page as `{ type: "relais:event", event, ...fields }`. */
export type EmbedEvent =
  | { event: "joined"; room: string; identity: string; name: string }
  | { event: "participantJoined"; identity: string; name: string }
  | { event: "participantLeft"; identity: string }
  | { event: "left"; reason: string }
  | { event: "error"; code: string; message: string };

export type EmbedEventMessage = { type: "relais:event" } & EmbedEvent;

/** Returns the command in `data`, or null for anything else (other apps share the message channel). */
export function parseEmbedCommand(data: unknown): EmbedCommand | null {
  if (typeof data !== "object" || data === null) return null;
  const { type } = data as { type?: unknown };
  switch (type) {
    case "relais:join":
    case "relais:leave":
    case "relais:mute":
    case "relais:unmute":
      return { type };
    case "relais:camera": {
      const { enabled } = data as { enabled?: unknown };
      return typeof enabled === "boolean" ? { type, enabled } : { type };
    }
    default:
      return null;
  }
}

/**
 * Incoming messages are accepted from the page's own origin and, if given,
 * from the exact `parentOrigin`; never from anywhere ("*" is not supported).
 */
export function isAllowedOrigin(origin: string, ownOrigin: string, parentOrigin: string | null): boolean {
  if (origin === "null" || origin === "") return false;
  return origin === ownOrigin || (parentOrigin !== null && origin === parentOrigin);
}

/** Where outgoing events go: the configured parent origin, else only a same-origin parent receives them. */
export function eventTargetOrigin(ownOrigin: string, parentOrigin: string | null): string {
  return parentOrigin ?? ownOrigin;
}
