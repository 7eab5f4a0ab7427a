// SPDX-License-Identifier: MIT
// Test helpers: load XML fixtures with @xmldom/xmldom (node has no DOMParser).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';

export const here = dirname(fileURLToPath(import.meta.url));

export function fixtureText(name) {
  return readFileSync(join(here, 'fixtures', name), 'utf8');
}

export function parseXml(text) {
  return new DOMParser().parseFromString(text, 'text/xml').documentElement;
}

/** The <jingle> element of an IQ fixture. */
export function jingleOf(name) {
  const iq = parseXml(fixtureText(name));
  for (let n = iq.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && n.localName === 'jingle') return n;
  }
  throw new Error(`${name}: no jingle element`);
}

/** Lines of an SDP starting with a prefix. */
export function sdpLines(sdp, prefix) {
  return sdp.split('\r\n').filter((l) => l.startsWith(prefix));
}

/** Splits an SDP into its m-sections (each an array of lines, m= line first). */
export function sections(sdp) {
  const out = [];
  for (const l of sdp.split('\r\n')) {
    if (l.startsWith('m=')) out.push([l]);
    else if (out.length && l) out[out.length - 1].push(l);
  }
  return out;
}
