/** A few lines that make DOM building readable without a framework. */

type Child = Node | string | null | undefined | false;

export type Attributes = Record<string, string | number | boolean | undefined | EventListener>;

/** `el('button', { class: 'play', onclick: ... }, 'Play')`. Attributes starting with `on` are listeners. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  for (const child of children)
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

/** Replaces a node's children. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A number for people: 4 significant digits, no exponent for ordinary sizes. */
export function format(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

/** A table from a header row and rows of cells. */
export function table(
  caption: string,
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): HTMLTableElement {
  return el(
    'table',
    {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...header.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el('tr', {}, ...row.map((cell) => el('td', {}, typeof cell === 'number' ? format(cell) : cell))),
      ),
    ),
  );
}

/** A collapsed text alternative: a table (or anything) under a summary line. */
export function alternative(label: string, content: Node): HTMLDetailsElement {
  return el('details', { class: 'alternative' }, el('summary', {}, label), content);
}
