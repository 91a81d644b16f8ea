type AttributeValue = string | number | boolean | null | undefined;
type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (`false`/`null` skip, `true` is a bare attribute) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, AttributeValue> = {},
  children: Child[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** Shows or hides an element through the `hidden` attribute. */
export function setShown(element: HTMLElement, shown: boolean): void {
  element.hidden = !shown;
}
