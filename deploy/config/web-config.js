// SPDX-License-Identifier: MIT
// Settings of Parley's web client, served as /config.js (nginx maps /config.js to this file).
// scripts/gen-nginx-config.sh writes one for your domain; see docs/production.md.
export default {
  // The XMPP domain (Prosody VirtualHost / ejabberd host) and the services on it.
  domain: 'meet.example.org',
  muc: 'conference.meet.example.org',
  focus: 'focus.meet.example.org',
  // Secure domain (docs/production.md, "Authenticated moderators"): guests log in
  // anonymously on this host, moderators with an account on `domain`. Leave it out when
  // everyone logs in anonymously on `domain`.
  // anonymousdomain: 'guest.meet.example.org',
  // XMPP over WebSocket first, BOSH as a fallback, both through nginx.
  websocket: '/xmpp-websocket',
  bosh: '/http-bind',
  // The bridges' colibri-ws URLs already point at this site (http.public_url), so no
  // re-basing onto the page's origin.
  proxyColibri: false,
  // ICE servers come from the XMPP server (XEP-0215: TURN credentials from coturn's shared
  // secret). Fixed ones can be added here: iceServers: [{ urls: 'stun:stun.example.org' }],
  // Only relay through TURN (for testing a TURN setup; also ?relay=1 in a meeting's URL):
  // iceTransportPolicy: 'relay',
};
