// SPDX-License-Identifier: MIT
// Room-name strength: is a conference name easy to guess? The rule (parley-room-name/1) is
// written down in docs/security.md ("Room names") and implemented identically in C by
// focus/room-name.c; both are checked against tests/vectors/room-names.json. The focus sends its
// verdict in the conference reply (<property name="roomNameStrength" value="weak|strong"/>); a
// client that has it should show that one, and use this module before the reply arrives.
//
// Pure ES module: no DOM, no I/O, no state.

export const RULE = 'parley-room-name/1';
export const STRONG_SCORE = 3;
export const LONG = 200;
export const MIN_DISTINCT = 5;

// Code points assigned after Unicode 15.0 (15.1 to 17.0). GLib 2.74, which the focus uses,
// does not know them, so both sides keep them verbatim (no NFKC, no lowercase) and the verdict
// does not depend on the runtime's Unicode version. Same list as in focus/room-name.c.
const POST15 = [
  [0x088F, 0x088F], [0x0897, 0x0897], [0x0C5C, 0x0C5C], [0x0CDC, 0x0CDC], [0x1ACF, 0x1ADD],
  [0x1AE0, 0x1AEB], [0x1B4E, 0x1B4F], [0x1B7F, 0x1B7F], [0x1C89, 0x1C8A], [0x20C1, 0x20C1],
  [0x2427, 0x2429], [0x2B96, 0x2B96], [0x2FFC, 0x2FFF], [0x31E4, 0x31E5], [0x31EF, 0x31EF],
  [0xA7CB, 0xA7CF], [0xA7D2, 0xA7D2], [0xA7D4, 0xA7D4], [0xA7DA, 0xA7DC], [0xA7F1, 0xA7F1],
  [0xFBC3, 0xFBD2], [0xFD90, 0xFD91], [0xFDC8, 0xFDCE], [0x105C0, 0x105F3], [0x10940, 0x10959],
  [0x10D40, 0x10D65], [0x10D69, 0x10D85], [0x10D8E, 0x10D8F], [0x10EC2, 0x10EC7],
  [0x10ED0, 0x10ED8], [0x10EFA, 0x10EFC], [0x11380, 0x11389], [0x1138B, 0x1138B],
  [0x1138E, 0x1138E], [0x11390, 0x113B5], [0x113B7, 0x113C0], [0x113C2, 0x113C2],
  [0x113C5, 0x113C5], [0x113C7, 0x113CA], [0x113CC, 0x113D5], [0x113D7, 0x113D8],
  [0x113E1, 0x113E2], [0x116D0, 0x116E3], [0x11B60, 0x11B67], [0x11BC0, 0x11BE1],
  [0x11BF0, 0x11BF9], [0x11DB0, 0x11DDB], [0x11DE0, 0x11DE9], [0x11F5A, 0x11F5A],
  [0x13460, 0x143FA], [0x16100, 0x16139], [0x16D40, 0x16D79], [0x16EA0, 0x16EB8],
  [0x16EBB, 0x16ED3], [0x16FF2, 0x16FF6], [0x187F8, 0x187FF], [0x18CFF, 0x18CFF],
  [0x18D09, 0x18D1E], [0x18D80, 0x18DF2], [0x1CC00, 0x1CCFC], [0x1CD00, 0x1CEB3],
  [0x1CEBA, 0x1CED0], [0x1CEE0, 0x1CEF0], [0x1E5D0, 0x1E5FA], [0x1E5FF, 0x1E5FF],
  [0x1E6C0, 0x1E6DE], [0x1E6E0, 0x1E6F5], [0x1E6FE, 0x1E6FF], [0x1F6D8, 0x1F6D8],
  [0x1F777, 0x1F77A], [0x1F8B2, 0x1F8BB], [0x1F8C0, 0x1F8C1], [0x1F8D0, 0x1F8D8],
  [0x1FA54, 0x1FA57], [0x1FA89, 0x1FA8A], [0x1FA8E, 0x1FA8F], [0x1FABE, 0x1FABE],
  [0x1FAC6, 0x1FAC6], [0x1FAC8, 0x1FAC8], [0x1FACD, 0x1FACD], [0x1FADC, 0x1FADC],
  [0x1FADF, 0x1FADF], [0x1FAE9, 0x1FAEA], [0x1FAEF, 0x1FAEF], [0x1FBCB, 0x1FBEF],
  [0x1FBFA, 0x1FBFA], [0x2B73A, 0x2B73F], [0x2CEA2, 0x2CEAD], [0x2EBF0, 0x2EE5D],
  [0x323B0, 0x33479]
];

function isPost15(c) {
  let lo = 0;
  let hi = POST15.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c < POST15[mid][0]) hi = mid;
    else if (c > POST15[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Step 1: when every '%' starts a %XX escape and the bytes are UTF-8 without NUL, the decoded
// text; otherwise null (the name is taken literally). Not decodeURIComponent: it accepts %00.
function percentDecode(s) {
  if (!s.includes('%')) return null;
  const bytes = [];
  let i = 0;
  while (i < s.length) {
    const pct = s.indexOf('%', i);
    const end = pct < 0 ? s.length : pct;
    if (end > i) bytes.push(...utf8.encode(s.slice(i, end)));
    if (pct < 0) break;
    const hex = s.slice(pct + 1, pct + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
    const b = parseInt(hex, 16);
    if (b === 0) return null;
    bytes.push(b);
    i = pct + 3;
  }
  try {
    return strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}

// Step 2a: NFKC on the runs between post-15.0 code points, which are copied as they are.
function nfkcPinned(s) {
  let out = '';
  let run = '';
  for (const ch of s) {
    if (isPost15(ch.codePointAt(0))) {
      out += run.normalize('NFKC') + ch;
      run = '';
    } else {
      run += ch;
    }
  }
  return out + run.normalize('NFKC');
}

// Step 2b: lowercase one code point at a time (toLowerCase() on the whole string would apply
// final-sigma context, which GLib does not). U+0130 becomes "i" U+0307 on both sides.
function lowerPinned(s) {
  let out = '';
  for (const ch of s) out += isPost15(ch.codePointAt(0)) ? ch : ch.toLowerCase();
  return out;
}

/** Steps 1-2 of the rule: decoded (when possible), NFKC, lowercase. */
export function normalizeForStrength(name) {
  const s = String(name ?? '');
  const dec = percentDecode(s);
  return lowerPinned(nfkcPinned(dec ?? s));
}

// 8-4-4-4-12 lowercase hex, version 1-8, variant 8-b. The nil and max UUIDs do not count.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function scoreOf(n, classes) {
  if (n < 8) return 0;
  if (n < 12) return 1;
  if (classes <= 1) return 1;
  if (classes === 2 && n < 16) return 2;
  return 3;
}

/**
 * The full assessment of a room name (the room JID's local part as the client sends it):
 * { normalized, decoded, length, classes, distinct (counted up to MIN_DISTINCT), score, uuid,
 *   strength: 'weak' | 'strong' }.
 */
export function assessRoomName(name) {
  const s = String(name ?? '');
  const dec = percentDecode(s);
  const normalized = lowerPinned(nfkcPinned(dec ?? s));
  let length = 0;
  let letter = false;
  let digit = false;
  let other = false;
  const seen = new Set();
  for (const ch of normalized) {
    length++;
    if (seen.size < MIN_DISTINCT) seen.add(ch);
    if (ch >= 'a' && ch <= 'z') letter = true;
    else if (ch >= '0' && ch <= '9') digit = true;
    else other = true;
  }
  const classes = Number(letter) + Number(digit) + Number(other);
  const score = scoreOf(length, classes);
  const uuid = UUID.test(normalized);
  const distinct = seen.size;
  const strong = uuid || (distinct >= MIN_DISTINCT && (length >= LONG || score >= STRONG_SCORE));
  const strength = strong ? 'strong' : 'weak';
  return { normalized, decoded: dec !== null, length, classes, distinct, score, uuid, strength };
}

/** 'weak' or 'strong'. */
export function roomNameStrength(name) {
  return assessRoomName(name).strength;
}

/** True when a warning about a guessable room name is due. */
export function isWeakRoomName(name) {
  return roomNameStrength(name) === 'weak';
}
