/** A small SVG builder: like {@link h} of dom.ts, every string is set as text or an attribute value. */

/** The SVG namespace. */
export const SVG_NS = "http://www.w3.org/2000/svg";

/** Make an SVG element with attributes and children (strings become text nodes). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Readonly<Record<string, string | number | undefined>> = {}, ...children: (Node | string | undefined)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, String(value));
  for (const c of children) if (c !== undefined) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}
