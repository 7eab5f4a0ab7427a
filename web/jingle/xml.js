// SPDX-License-Identifier: MIT
// Tiny XML helpers shared by the Jingle codec: reading DOM Elements (browser DOMParser,
// Strophe stanzas, or @xmldom/xmldom in node) and building plain element trees that can be
// serialized to a string or replayed into a Strophe.Builder. Pure functions, no state.

/** Element children of `el`, optionally filtered by local name and namespace URI. */
export function children(el, name, ns) {
  const out = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const local = n.localName || n.nodeName;
    if (name && local !== name) continue;
    if (ns && n.namespaceURI !== ns) continue;
    out.push(n);
  }
  return out;
}

/** First element child matching name (and namespace, when given), or null. */
export function child(el, name, ns) {
  if (!el) return null;
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const local = n.localName || n.nodeName;
    if (local === name && (!ns || n.namespaceURI === ns)) return n;
  }
  return null;
}

/** Attribute value or null when absent (xmldom returns '' for a missing attribute). */
export function attr(el, name) {
  if (!el || !el.hasAttribute || !el.hasAttribute(name)) return null;
  return el.getAttribute(name);
}

export function text(el) {
  return el ? (el.textContent ?? '') : '';
}

/** Parses an unsigned 32-bit integer attribute; null when missing or invalid. */
export function u32(value) {
  if (value === null || value === undefined || value === '') return null;
  const s = String(value).trim();
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

/** Parses a small non-negative integer; null when missing or invalid. */
export function int(value) {
  if (value === null || value === undefined || value === '') return null;
  const s = String(value).trim();
  if (!/^-?\d{1,15}$/.test(s)) return null;
  return Number(s);
}

// ---- building ------------------------------------------------------------------------

/**
 * A plain element node: { name, attrs, children, text }. Attributes whose value is null or
 * undefined are dropped, so callers can pass optional values directly.
 */
export function el(name, attrs = {}, kids = []) {
  const a = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) a[k] = String(v);
  }
  const node = { name, attrs: a, children: [], text: null };
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    if (typeof k === 'string') node.text = (node.text ?? '') + k;
    else node.children.push(k);
  }
  return node;
}

export function escapeXml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
  }[c]));
}

/** Serializes a tree built with el() to an XML string (attributes in insertion order). */
export function serialize(node) {
  let s = `<${node.name}`;
  for (const [k, v] of Object.entries(node.attrs)) s += ` ${k}="${escapeXml(v)}"`;
  if (!node.children.length && node.text === null) return s + '/>';
  s += '>';
  if (node.text !== null) s += escapeXml(node.text);
  for (const c of node.children) s += serialize(c);
  return s + `</${node.name}>`;
}

/** Replays a tree into a Strophe.Builder positioned where the tree should be appended. */
export function toBuilder(node, builder) {
  builder.c(node.name, node.attrs);
  if (node.text !== null) builder.t(node.text);
  for (const c of node.children) toBuilder(c, builder);
  builder.up();
  return builder;
}

/** Finds the first descendant (depth-first) of a built tree by name. */
export function findNode(node, name) {
  if (node.name === name) return node;
  for (const c of node.children) {
    const f = findNode(c, name);
    if (f) return f;
  }
  return null;
}
