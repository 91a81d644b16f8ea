import { h } from "./dom.js";
import { describeError } from "./error-messages.js";
import { icon } from "./icons.js";

/** An inline error panel: title, what to do, and the stable code to quote to support. */
export class AlertBox {
  readonly element = h("div", { class: "alert", role: "alert", hidden: true });

  show(code: string, detail?: string): void {
    const text = describeError(code);
    this.element.replaceChildren(
      icon("alert", "icon alert-icon"),
      h("div", {}, [
        h("strong", {}, [text.title]),
        h("p", {}, [detail ? `${text.hint} ${detail}` : text.hint]),
        h("code", { "data-error-code": code }, [code]),
      ]),
    );
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
