// SPDX-License-Identifier: MIT
// XML namespaces of the Jitsi Jingle dialect (see design/jitsi-wire-reference.md §2).
// Pure constants: no state, no DOM.

export const NS = Object.freeze({
  CLIENT: 'jabber:client',
  JINGLE: 'urn:xmpp:jingle:1',
  JINGLE_ERRORS: 'urn:xmpp:jingle:errors:1',
  RTP: 'urn:xmpp:jingle:apps:rtp:1',
  RTCP_FB: 'urn:xmpp:jingle:apps:rtp:rtcp-fb:0',
  HDREXT: 'urn:xmpp:jingle:apps:rtp:rtp-hdrext:0',
  SSMA: 'urn:xmpp:jingle:apps:rtp:ssma:0',
  GROUPING: 'urn:xmpp:jingle:apps:grouping:0',
  ICE_UDP: 'urn:xmpp:jingle:transports:ice-udp:1',
  DTLS: 'urn:xmpp:jingle:apps:dtls:0',
  SCTP: 'urn:xmpp:jingle:transports:dtls-sctp:1',
  COLIBRI: 'http://jitsi.org/protocol/colibri',
  COLIBRI2: 'jitsi:colibri2',
  FOCUS: 'http://jitsi.org/protocol/focus',
  JITMEET: 'http://jitsi.org/jitmeet',
  START_MUTED: 'http://jitsi.org/jitmeet/start-muted',
  STANZAS: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  MUC: 'http://jabber.org/protocol/muc',
  MUC_USER: 'http://jabber.org/protocol/muc#user',
  NICK: 'http://jabber.org/protocol/nick',
  CAPS: 'http://jabber.org/protocol/caps',
  DISCO_INFO: 'http://jabber.org/protocol/disco#info',
});
