// SPDX-License-Identifier: MIT
// ICE servers from the XMPP server (XEP-0215 external service discovery): STUN and TURN with
// short-lived credentials the server makes from its TURN server's shared secret (Prosody's
// mod_external_services, ejabberd's mod_stun_disco; docs/production.md, "TURN"). Asked once
// per connection, before the media session starts; urn:xmpp:extdisco:2 first, :1 if the
// server does not know :2. A server without the feature simply gives no ICE servers.
// Also the client's relay-only switch: `?relay=1` in the page URL, or iceTransportPolicy:
// 'relay' in config.js, makes the browser use TURN relays only.
// Main thread; no state. The parsing is pure (node unit tests run it).

const NS_V2 = 'urn:xmpp:extdisco:2';
const NS_V1 = 'urn:xmpp:extdisco:1';

/** An RTCIceServer URL for one <service/>, or null for one a browser cannot use. */
export function serviceUrl({ type, host, port, transport }) {
  if (!host || !['stun', 'turn', 'turns'].includes(type)) return null;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // IPv6 literal
  const p = port ? `:${port}` : '';
  if (type === 'stun') return transport && transport !== 'udp' ? null : `stun:${h}${p}`;
  const t = transport === 'tcp' || type === 'turns' ? 'tcp' : 'udp';
  return `${type}:${h}${p}?transport=${t}`;
}

/**
 * RTCIceServer[] from a <services/> element (extdisco :1 or :2): one entry per usable service,
 * with username/credential for restricted ones.
 */
export function iceServersFrom(services) {
  const out = [];
  if (!services) return out;
  for (let n = services.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1 || n.localName !== 'service') continue;
    const attr = (k) => n.getAttribute(k) || null;
    const url = serviceUrl({ type: attr('type'), host: attr('host'), port: attr('port'), transport: attr('transport') });
    if (!url) continue;
    const server = { urls: url };
    if (attr('username') !== null) server.username = attr('username');
    if (attr('password') !== null) server.credential = attr('password');
    if (url.startsWith('turn') && (server.username === undefined || server.credential === undefined)) continue;
    out.push(server);
  }
  return out;
}

/**
 * Asks @domain (the server we are logged in to) for its ICE servers. Resolves [] when it has
 * none, does not support the protocol, or does not answer.
 * @param {import('./connection.js').XmppConnection} xmpp
 */
export async function fetchIceServers(xmpp, domain, { timeoutMs = 5000, log = () => {} } = {}) {
  for (const ns of [NS_V2, NS_V1]) {
    try {
      const res = await xmpp.sendIQ(xmpp.$iq({ type: 'get', to: domain }).c('services', { xmlns: ns }), timeoutMs);
      const services = res.getElementsByTagNameNS(ns, 'services')[0];
      const list = iceServersFrom(services);
      log(`ice servers from ${domain} (${ns}): ${list.map((s) => s.urls).join(' ') || 'none'}`);
      return list;
    } catch (e) {
      log(`ice servers from ${domain} (${ns}): ${e.condition ?? e.message}`);
      if (e.condition === 'timeout' || e.condition === 'not-connected') return [];
    }
  }
  return [];
}

/** 'relay' when the page URL says ?relay=1 or the config asks for it, else 'all'. */
export function iceTransportPolicy(cfg = {}, search = globalThis.location?.search ?? '') {
  const v = new URLSearchParams(search).get('relay');
  if (v === '1' || v === 'true') return 'relay';
  if (v === '0' || v === 'false') return 'all';
  return cfg.iceTransportPolicy === 'relay' ? 'relay' : 'all';
}
