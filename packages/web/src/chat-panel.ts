import type { RemoteParticipant, Room } from "@relais/client";
import { h } from "./dom.js";

/** The data topic chat messages travel on; payloads are UTF-8 JSON `{ "text": string }`. */
export const CHAT_TOPIC = "chat";
/** Longest message the panel sends or shows, in characters. */
export const CHAT_MAX_LENGTH = 2000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Reads a chat payload; null unless it is JSON with a non-empty string `text`. */
export function decodeChatMessage(payload: Uint8Array): string | null {
  try {
    const value: unknown = JSON.parse(decoder.decode(payload));
    if (typeof value !== "object" || value === null) return null;
    const text = (value as { text?: unknown }).text;
    if (typeof text !== "string" || text.trim() === "") return null;
    return text.slice(0, CHAT_MAX_LENGTH);
  } catch {
    return null;
  }
}

export function encodeChatMessage(text: string): Uint8Array {
  return encoder.encode(JSON.stringify({ text }));
}

/**
 * The in-call chat: a list of messages and a form (Enter sends), built on
 * `publishData` / `dataReceived` with topic "chat". Text is only ever set with
 * textContent, never parsed as HTML.
 */
export class ChatPanel {
  readonly element: HTMLElement;
  readonly toggleButton: HTMLButtonElement;
  readonly #room: Room;
  readonly #list = h("ol", { id: "chat-messages", class: "chat-messages", "aria-label": "Messages", "aria-live": "polite" });
  readonly #input = h("input", {
    id: "chat-input",
    type: "text",
    autocomplete: "off",
    maxlength: CHAT_MAX_LENGTH,
    placeholder: "Message everyone",
  });
  readonly #error = h("p", { id: "chat-error", class: "chat-error", role: "alert", hidden: true });
  readonly #badge = h("span", { class: "chat-badge", hidden: true });
  #unread = 0;

  constructor(room: Room) {
    this.#room = room;
    const form = h("form", { class: "chat-form" }, [
      h("label", { for: "chat-input", class: "visually-hidden" }, ["Chat message"]),
      this.#input,
      h("button", { type: "submit", id: "chat-send", class: "primary" }, ["Send"]),
    ]);
    this.element = h("aside", { id: "chat", class: "chat", "aria-label": "Chat", hidden: true }, [
      h("h2", { class: "chat-title" }, ["Chat"]),
      this.#list,
      this.#error,
      form,
    ]);
    this.toggleButton = h(
      "button",
      { type: "button", id: "toggle-chat", class: "control", "aria-controls": "chat", "aria-expanded": "false" },
      [chatIcon(), h("span", {}, ["Chat"]), this.#badge],
    );
    this.toggleButton.addEventListener("click", () => this.setOpen(this.element.hidden));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#send();
    });
    room.on("dataReceived", (payload, participant, info) => {
      if (info.topic !== CHAT_TOPIC) return;
      const text = decodeChatMessage(payload);
      if (text !== null) this.#append(participant, text);
    });
  }

  setOpen(open: boolean): void {
    this.element.hidden = !open;
    this.toggleButton.setAttribute("aria-expanded", String(open));
    this.toggleButton.classList.toggle("active", open);
    if (open) {
      this.#unread = 0;
      this.#badge.hidden = true;
      this.#input.focus();
    }
  }

  async #send(): Promise<void> {
    const text = this.#input.value.trim();
    if (text === "") return;
    this.#error.hidden = true;
    try {
      await this.#room.localParticipant.publishData(encodeChatMessage(text), { topic: CHAT_TOPIC, reliable: true });
      this.#input.value = "";
      this.#append(undefined, text, true);
    } catch (error) {
      this.#error.textContent = `Message not sent: ${(error as Error).message}`;
      this.#error.hidden = false;
    }
  }

  #append(participant: RemoteParticipant | undefined, text: string, local = false): void {
    const name = local ? "You" : participant?.name || participant?.identity || "Someone";
    const item = h("li", { class: local ? "chat-message local" : "chat-message" });
    if (participant) item.dataset.senderIdentity = participant.identity;
    const sender = h("span", { class: "chat-sender" });
    sender.textContent = name;
    const body = h("span", { class: "chat-text" });
    body.textContent = text;
    item.append(sender, body);
    this.#list.append(item);
    item.scrollIntoView?.({ block: "end" });
    if (!local && this.element.hidden) {
      this.#unread++;
      this.#badge.textContent = String(this.#unread);
      this.#badge.hidden = false;
    }
  }
}

function chatIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({
    class: "icon",
    viewBox: "0 0 24 24",
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "1.8",
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
    "aria-hidden": "true",
  }))
    svg.setAttribute(k, v);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A1.5 1.5 0 0 1 4 14.5z");
  svg.append(path);
  return svg;
}
