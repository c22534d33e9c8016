/**
 * A small DOM builder. Every string becomes a text node or an attribute value: nothing here (or
 * anywhere in the playground) parses HTML, so text from a scenario or a link can never become
 * markup or script.
 */

/** A child: a node, text (numbers too), or nothing. */
export type Child = Node | string | number | null | undefined | false;

/** Properties of an element made by {@link h}. */
export interface Props {
  /** `class` attribute. */
  readonly class?: string;
  /** `id` attribute. */
  readonly id?: string;
  /** `title` attribute (tooltip). */
  readonly title?: string;
  /** Other attributes (`aria-*`, `role`, `type`, `for`, `data-*`...). Values are set as text. */
  readonly attrs?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Event listeners. */
  readonly on?: { readonly [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

/** Make an element with properties and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class !== undefined) el.className = props.class;
  if (props.id !== undefined) el.id = props.id;
  if (props.title !== undefined) el.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [type, fn] of Object.entries(props.on ?? {})) el.addEventListener(type, fn as EventListener);
  append(el, children);
  return el;
}

/** Append children (text as text nodes). */
export function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replace every child of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Format a number as hex with a `0x` prefix. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
