// SPDX-License-Identifier: MIT
// Room names and identifiers. Room names are normalised as Jitsi Meet does
// (jitsi-wire-reference §6): decode, NFKC, lowercase, then percent-encode, so "/Team Sync"
// and "/team%20sync" are the same room; the result is a valid JID localpart. How hard a name
// is to guess is roomname.js's job (the parley-room-name/1 rule shared with the focus).
// Pure functions (randomness from crypto.getRandomValues).

const MAX_ROOM_LENGTH = 200;

/** Backend-safe room name, or '' when nothing usable is left. */
export function normalizeRoomName(raw) {
  let s = String(raw ?? '');
  try {
    s = decodeURIComponent(s);
  } catch { /* keep it as typed */ }
  s = s.normalize('NFKC').toLowerCase().trim();
  // encodeURIComponent leaves ' ( ) * ! ~ alone; a JID localpart forbids ' (and the others
  // read badly in a room JID), so encode them too.
  const enc = encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return enc.slice(0, MAX_ROOM_LENGTH);
}

/** The room name from a location pathname ("/<room>"); '' for "/". */
export function roomFromPath(pathname) {
  const seg = String(pathname ?? '').split('/').filter(Boolean)[0] ?? '';
  return normalizeRoomName(seg);
}

/** Human-readable form of a normalised room name (for titles). */
export function displayRoomName(name) {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export function randomHex(bytes) {
  const a = new Uint8Array(bytes);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Our MUC nickname, which is our endpoint id everywhere: 8 hex characters. */
export function newEndpointId() {
  return randomHex(4);
}

const ADJ = ['quiet', 'bright', 'brave', 'calm', 'clever', 'gentle', 'happy', 'lucky', 'merry',
  'nimble', 'proud', 'swift', 'wise', 'bold', 'kind', 'warm', 'cool', 'fresh', 'golden', 'silver'];
const NOUN = ['otter', 'falcon', 'maple', 'river', 'harbor', 'meadow', 'comet', 'lantern',
  'willow', 'canyon', 'island', 'summit', 'orchard', 'breeze', 'glacier', 'pebble', 'forest', 'aurora'];

/** A pleasant, hard-to-guess room name, e.g. "calm-otters-meet-4821". */
export function randomRoomName() {
  const a = new Uint32Array(3);
  crypto.getRandomValues(a);
  return `${ADJ[a[0] % ADJ.length]}-${NOUN[a[1] % NOUN.length]}-${(a[2] % 9000) + 1000}`;
}
