/**
 * The room's connection state: one enum and one transition function.
 *
 *   disconnected ──connect──▶ connecting ──joined──▶ connected
 *        ▲                        │                   │   ▲
 *        │◀──────── fail ─────────┘          socketLost   resumed
 *        │                                            ▼   │
 *        └──────────────── fail / disconnect ───── reconnecting
 *
 * `disconnect` leads to `disconnected` from every state. A Room never leaves
 * `disconnected` once it was connected: `Room.connect` builds a new Room.
 */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting";

export type ConnectionEvent = "connect" | "joined" | "socketLost" | "resumed" | "fail" | "disconnect";

const TRANSITIONS: Record<ConnectionState, Partial<Record<ConnectionEvent, ConnectionState>>> = {
  disconnected: { connect: "connecting", disconnect: "disconnected" },
  connecting: { joined: "connected", fail: "disconnected", disconnect: "disconnected" },
  connected: { socketLost: "reconnecting", fail: "disconnected", disconnect: "disconnected" },
  reconnecting: { resumed: "connected", socketLost: "reconnecting", fail: "disconnected", disconnect: "disconnected" },
};

/** The state after `event`, or `null` when `event` is not allowed in `state`. */
export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState | null {
  return TRANSITIONS[state][event] ?? null;
}

/** Holds the current state; `apply` reports whether it changed so the owner can emit once. */
export class ConnectionStateMachine {
  #state: ConnectionState = "disconnected";

  get state(): ConnectionState {
    return this.#state;
  }

  /** Applies `event`; returns the new state if it changed, `null` if it stayed or the event was not allowed. */
  apply(event: ConnectionEvent): ConnectionState | null {
    const next = nextConnectionState(this.#state, event);
    if (next === null || next === this.#state) return null;
    this.#state = next;
    return next;
  }
}
