// SPDX-License-Identifier: MIT
// What we tell the focus we support (disco#info, XEP-0115 caps). The focus offers only what
// is listed: no SCTP data channel (the bridge channel is colibri-ws), no SSRC rewriting, no
// REMB (transport-cc instead), RTX yes, JSON-encoded sources yes. Pure data plus the caps
// hash (SHA-1 via WebCrypto; null where unavailable).

export const IDENTITY = { category: 'client', type: 'web', name: 'Parley' };
export const CAPS_NODE = 'https://parley.invalid/web';

export const FEATURES = [
  'http://jabber.org/protocol/disco#info',
  'urn:xmpp:jingle:1',
  'urn:xmpp:jingle:apps:rtp:1',
  'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video',
  'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:apps:dtls:0',
  'urn:ietf:rfc:5761',
  'urn:ietf:rfc:5888',
  'urn:ietf:rfc:4588',
  'http://jitsi.org/tcc',
  'http://jitsi.org/source-name',
  'http://jitsi.org/json-encoded-sources',
  'http://jitsi.org/receive-multiple-video-streams',
].sort();

/** XEP-0115 verification string for our identity and features. */
export function capsString() {
  let s = `${IDENTITY.category}/${IDENTITY.type}//${IDENTITY.name}<`;
  for (const f of FEATURES) s += `${f}<`;
  return s;
}

export async function capsFor() {
  try {
    const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(capsString()));
    const ver = btoa(String.fromCharCode(...new Uint8Array(digest)));
    return { node: CAPS_NODE, ver };
  } catch {
    return null;
  }
}
