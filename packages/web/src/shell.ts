import { h } from "./dom.js";
import { describeError } from "./error-messages.js";
import { icon } from "./icons.js";

/** The header of the pre-call pages. */
export function topbar(room: string | null): HTMLElement {
  return h("header", { class: "topbar" }, [
    h("div", { class: "brand" }, [icon("logo", "icon logo"), h("span", {}, ["Relais"])]),
    room ? h("div", { class: "room-title" }, [h("span", { class: "muted" }, ["Room"]), h("strong", {}, [room])]) : null,
  ]);
}

/** A full-page message for a problem that blocks joining (bad link, server unreachable…). */
export function messageScreen(options: {
  code?: string;
  title?: string;
  hint?: string;
  action?: { label: string; run: () => void };
}): HTMLElement {
  const text = options.code ? describeError(options.code) : { title: options.title ?? "", hint: options.hint ?? "" };
  const button = options.action ? h("button", { type: "button", class: "primary" }, [options.action.label]) : null;
  if (button && options.action) button.addEventListener("click", options.action.run);
  return h("main", { class: "message-screen", id: "message" }, [
    h("div", { class: "message-card", role: options.code ? "alert" : "status" }, [
      options.code ? icon("alert", "icon big alert-icon") : null,
      h("h1", {}, [options.title ?? text.title]),
      h("p", {}, [options.hint ?? text.hint]),
      options.code ? h("code", { "data-error-code": options.code }, [options.code]) : null,
      button,
    ]),
  ]);
}
