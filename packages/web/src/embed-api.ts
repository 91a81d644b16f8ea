import { type EmbedCommand, type EmbedEvent, eventTargetOrigin, isAllowedOrigin, parseEmbedCommand } from "./embed-protocol.js";

/**
 * The postMessage bridge of /embed/<room>: commands in from the parent window
 * (same origin, or exactly `?parentOrigin=`), events out to the same origin.
 */
export class EmbedApi {
  readonly #ownOrigin: string;
  readonly #parentOrigin: string | null;
  readonly #onCommand: (command: EmbedCommand) => void;

  constructor(options: { parentOrigin: string | null; onCommand: (command: EmbedCommand) => void }) {
    this.#ownOrigin = location.origin;
    this.#parentOrigin = options.parentOrigin;
    this.#onCommand = options.onCommand;
    window.addEventListener("message", (event) => this.#receive(event));
  }

  post(event: EmbedEvent): void {
    try {
      window.parent.postMessage({ type: "relais:event", ...event }, eventTargetOrigin(this.#ownOrigin, this.#parentOrigin));
    } catch {
      // A parent on another origin than the target: the browser drops it, which is the intent.
    }
  }

  #receive(event: MessageEvent): void {
    if (event.source !== window.parent) return;
    if (!isAllowedOrigin(event.origin, this.#ownOrigin, this.#parentOrigin)) return;
    const command = parseEmbedCommand(event.data);
    if (command) this.#onCommand(command);
  }
}
