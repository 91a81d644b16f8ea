/**
 * One catalogue of stable error codes. Clients switch on `code`; operators grep it.
 * `status` is the HTTP status used when the error crosses the REST API; signaling
 * sends the same `code` in an `error` message or a `response` with `error`.
 */
export const ErrorCatalogue = {
  UNAUTHORIZED: { status: 401, message: "Valid API credentials are required (HTTP Basic key:secret or an admin token)." },
  NOT_FOUND: { status: 404, message: "No such resource." },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Send the request body as application/json." },
  TOKEN_MISSING: { status: 401, message: "An access token is required." },
  TOKEN_INVALID: { status: 401, message: "The access token is malformed or its signature is invalid." },
  TOKEN_EXPIRED: { status: 401, message: "The access token has expired." },
  TOKEN_NOT_YET_VALID: { status: 401, message: "The access token is not valid yet (nbf)." },
  TOKEN_WRONG_ROOM: { status: 403, message: "The access token does not grant access to this room." },
  PERMISSION_DENIED: { status: 403, message: "The access token does not grant this action." },
  ROOM_FULL: { status: 403, message: "The room has reached its maximum number of participants." },
  ROOM_NOT_FOUND: { status: 404, message: "No such room." },
  ROOM_ALREADY_EXISTS: { status: 409, message: "A room with this name exists." },
  INVALID_ARGUMENT: { status: 400, message: "An argument is not valid." },
  PARTICIPANT_NOT_FOUND: { status: 404, message: "No such participant." },
  TRACK_NOT_FOUND: { status: 404, message: "No such track." },
  DUPLICATE_IDENTITY: { status: 409, message: "Another session joined with the same identity." },
  INVALID_MESSAGE: { status: 400, message: "The message is not valid JSON or does not match the protocol." },
  UNKNOWN_MESSAGE_TYPE: { status: 400, message: "The message type is unknown." },
  NOT_JOINED: { status: 409, message: "Join the room before sending this message." },
  ALREADY_JOINED: { status: 409, message: "This session has already joined." },
  SDP_INVALID: { status: 400, message: "The session description could not be parsed or negotiated." },
  CODEC_UNSUPPORTED: { status: 400, message: "None of the offered codecs is supported." },
  RESUME_FAILED: { status: 410, message: "The session to resume no longer exists; join again." },
  MEDIA_UNAVAILABLE: { status: 503, message: "No media worker is available." },
  RATE_LIMITED: { status: 429, message: "Too many requests." },
  INTERNAL: { status: 500, message: "Internal error." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCatalogue;

export const ERROR_CODES = Object.keys(ErrorCatalogue) as ErrorCode[];

/** The error shape shared by REST bodies and signaling messages. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function errorBody(code: ErrorCode, details?: Record<string, unknown>, message?: string): ErrorBody {
  const body: ErrorBody = { code, message: message ?? ErrorCatalogue[code].message };
  if (details) body.details = details;
  return body;
}
