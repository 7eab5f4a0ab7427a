// SPDX-License-Identifier: MIT
// Room names and identifiers. Room names are normalised as Jitsi Meet does
// (jitsi-wire-reference §6, getBackendSafeRoomName): decode, NFKC, lowercase, percent-encode,
// and lowercase the escapes too, so "/Team Sync", "/team%20sync" and "/TEAM%20SYNC" are the
// same room and the name is exactly what the XMPP server stores (nodeprep lowercases a JID
// localpart: "z%C3%BCrich" would come back from the server as "z%c3%bcrich").
//
// Tenants: "/acme/standup" is the room "standup" of the tenant "acme". Jitsi's Prosody module
// mod_muc_domain_mapper turns room@conference.acme.DOMAIN into [acme]room@conference.DOMAIN;
// Parley's client uses that mapped form directly, "[acme]standup@conference.DOMAIN", so no
// server plugin is needed and a Jitsi deployment's tenant rooms keep their JIDs. Brackets typed
// in a name are percent-encoded, so a plain name never looks like a tenant room.
//
// How hard a name is to guess is roomname.js's job (the parley-room-name/1 rule shared with
// the focus). Pure functions (randomness from crypto.getRandomValues).

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
  const enc = encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
    .replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  // Cut at the limit, but never inside an escape or a multi-byte character's escapes.
  let cut = enc.slice(0, MAX_ROOM_LENGTH);
  cut = cut.replace(/%[0-9a-f]?$/, '');
  const m = /(?:%[0-9a-f]{2})+$/.exec(cut);
  if (m && cut.length < enc.length) {
    // Drop a trailing run of escapes that is not a whole UTF-8 sequence.
    const bytes = m[0].match(/%[0-9a-f]{2}/g).map((x) => parseInt(x.slice(1), 16));
    let i = 0;
    let ok = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      const n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (i + n > bytes.length) break;
      i += n;
      ok = i;
    }
    cut = cut.slice(0, cut.length - (bytes.length - ok) * 3);
  }
  return cut;
}

/** { tenant, name } of a room localpart: "[acme]standup" -> { tenant: 'acme', name: 'standup' }. */
export function splitTenant(room) {
  const m = /^\[([^\]]+)\](.+)$/.exec(String(room ?? ''));
  return m ? { tenant: m[1], name: m[2] } : { tenant: null, name: String(room ?? '') };
}

/** The room localpart of "/room" or "/tenant/room" ('' for "/"). */
export function roomFromPath(pathname) {
  const segs = String(pathname ?? '').split('/').filter(Boolean);
  if (segs.length >= 2) {
    const tenant = normalizeRoomName(segs[0]);
    const name = normalizeRoomName(segs[1]);
    if (!name) return '';
    if (!tenant) return name;
    return `[${tenant}]${name}`.slice(0, MAX_ROOM_LENGTH).replace(/%[0-9a-f]?$/, '');
  }
  return normalizeRoomName(segs[0] ?? '');
}

/** The URL path of a room localpart: "standup" -> "/standup", "[acme]standup" -> "/acme/standup". */
export function roomPath(room) {
  const { tenant, name } = splitTenant(room);
  return tenant ? `/${tenant}/${name}` : `/${name}`;
}

/** Human-readable form of a room localpart (for titles): "[acme]caf%c3%a9" -> "acme/café". */
export function displayRoomName(room) {
  const { tenant, name } = splitTenant(room);
  const dec = (x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  };
  return tenant ? `${dec(tenant)}/${dec(name)}` : dec(name);
}

/**
 * A JID in the form used to compare JIDs: the localpart NFKC-normalised and lowercased (as
 * nodeprep does on the server), the domain lowercased, the resource as it is. Room JIDs must
 * be compared this way: the server may hand back another spelling of the room we asked for.
 */
export function canonicalJid(jid) {
  if (!jid) return jid;
  const s = String(jid);
  const slash = s.indexOf('/');
  const bare = slash >= 0 ? s.slice(0, slash) : s;
  const res = slash >= 0 ? s.slice(slash) : '';
  const at = bare.lastIndexOf('@');
  const local = at >= 0 ? bare.slice(0, at).normalize('NFKC').toLowerCase() : null;
  const domain = (at >= 0 ? bare.slice(at + 1) : bare).toLowerCase();
  return `${local !== null ? `${local}@` : ''}${domain}${res}`;
}

/** Whether two bare JIDs name the same entity (canonical comparison). */
export function sameBareJid(a, b) {
  if (!a || !b) return false;
  const bare = (j) => { const i = j.indexOf('/'); return i >= 0 ? j.slice(0, i) : j; };
  return canonicalJid(bare(a)) === canonicalJid(bare(b));
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
