/** A user-facing explanation of an error code: a title and what to do about it. */
export interface ErrorText {
  title: string;
  hint: string;
}

const ASK_FOR_LINK = "Ask the person who invited you for a new link.";

const TEXTS: Record<string, ErrorText> = {
  TOKEN_MISSING: { title: "This link has no access token", hint: `Meeting links include a token. ${ASK_FOR_LINK}` },
  TOKEN_INVALID: { title: "This link's access token is not valid", hint: ASK_FOR_LINK },
  TOKEN_EXPIRED: { title: "This invitation has expired", hint: ASK_FOR_LINK },
  TOKEN_NOT_YET_VALID: { title: "This invitation is not valid yet", hint: "Try again at the scheduled time, or check your device clock." },
  TOKEN_WRONG_ROOM: { title: "This invitation is for a different room", hint: ASK_FOR_LINK },
  PERMISSION_DENIED: { title: "You are not allowed to do that", hint: "Your invitation does not include this permission." },
  ROOM_FULL: { title: "The room is full", hint: "Try again later." },
  ROOM_NOT_FOUND: { title: "This room does not exist", hint: "Check the link or ask the organiser." },
  DUPLICATE_IDENTITY: { title: "You joined from somewhere else", hint: "The same invitation is in use in another tab or device." },
  MEDIA_UNAVAILABLE: { title: "The server has no media capacity right now", hint: "Try again in a moment." },
  RATE_LIMITED: { title: "Too many attempts", hint: "Wait a moment and try again." },
  SIGNAL_UNREACHABLE: { title: "Can't reach the meeting server", hint: "Check your network connection and try again." },
  SIGNAL_TIMEOUT: { title: "The meeting server did not answer", hint: "Check your network connection and try again." },
  SIGNAL_CLOSED: { title: "The connection to the server closed", hint: "Try joining again." },
  UNSUPPORTED_BROWSER: { title: "This browser can't join calls", hint: "Use a current version of Firefox, Chrome, Edge or Safari." },
  NotAllowedError: {
    title: "Camera or microphone access was blocked",
    hint: "Allow access in your browser's site settings, or join without them.",
  },
  NotFoundError: { title: "No camera or microphone found", hint: "You can still join and listen." },
  NotReadableError: { title: "Your camera or microphone is in use", hint: "Close other apps using it, or pick another device." },
};

export function describeError(code: string): ErrorText {
  return TEXTS[code] ?? { title: "Something went wrong", hint: "Try again. If it keeps happening, tell the meeting organiser." };
}

/** Why a call ended, as a sentence. */
export function describeDisconnect(reason: string): string {
  switch (reason) {
    case "client_initiated":
      return "You left the meeting.";
    case "removed":
      return "You were removed from the meeting.";
    case "room_deleted":
      return "The meeting has ended.";
    case "duplicate_identity":
      return "You joined from another tab or device.";
    case "server_shutdown":
      return "The server is restarting.";
    case "auth_failed":
      return "Your access token is no longer accepted.";
    case "resume_failed":
    case "signal_timeout":
    case "transport_failure":
      return "The connection was lost.";
    default:
      return "You were disconnected.";
  }
}
