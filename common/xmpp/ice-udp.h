/* SPDX-License-Identifier: MIT */
/* PaTransport <-> <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1"> (XEP-0176), as Jingle
 * (focus <-> client) and Colibri2 (focus <-> bridge) carry it, with the Jitsi additions:
 *
 *   <transport xmlns=ice-udp ufrag pwd>
 *     <rtcp-mux/>
 *     <fingerprint xmlns="urn:xmpp:jingle:apps:dtls:0" hash="sha-256"
 * setup="actpass">AB:..</fingerprint> <candidate component foundation generation id ip network port
 * priority protocol type [rel-addr rel-port]/> <web-socket
 * xmlns="http://jitsi.org/protocol/colibri" url="wss://..."/>
 *   </transport>
 *
 * Pure: no I/O, no logging; stanzas are created in the caller's xmpp_ctx_t. Input from the
 * network is validated: a malformed transport is refused with a status and a reason, never
 * half-parsed into the caller's struct. */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "common/transport.h"

G_BEGIN_DECLS

#define PA_NS_ICE_UDP "urn:xmpp:jingle:transports:ice-udp:1"
#define PA_NS_DTLS "urn:xmpp:jingle:apps:dtls:0"
#define PA_NS_COLIBRI "http://jitsi.org/protocol/colibri"

typedef enum {
    PA_ICE_UDP_OK = 0,
    PA_ICE_UDP_NOT_TRANSPORT,   /* not <transport xmlns=ice-udp> */
    PA_ICE_UDP_BAD_ATTRIBUTE,   /* ufrag/pwd too long or with characters ICE does not allow */
    PA_ICE_UDP_BAD_CANDIDATE,   /* a candidate misses a field or has an invalid one */
    PA_ICE_UDP_BAD_FINGERPRINT, /* missing hash, not hex pairs, or an unknown setup value */
    PA_ICE_UDP_BAD_WEBSOCKET,   /* <web-socket> without a ws:// or wss:// url */
} PaIceUdpStatus;

const char *pa_ice_udp_status_str(PaIceUdpStatus st);

/* Parses @transport into @out, which must be initialised (pa_transport_init) and is replaced
 * on success. On failure @out is left untouched and, if @reason is not NULL, *@reason gets a
 * short explanation naming the offending element, e.g. "candidate 2: port '0' out of range"
 * (transfer full, g_free). Unknown child elements are ignored. The fingerprint is returned in
 * upper case. */
PaIceUdpStatus pa_ice_udp_parse(xmpp_stanza_t *transport, PaTransport *out, char **reason);

/* Parses one <candidate/> element. On failure *@reason as above. */
PaIceUdpStatus pa_ice_udp_parse_candidate(xmpp_stanza_t *candidate, PaIceCandidate *out,
                                          char **reason);

/* Builds the <transport/> element for @t (transfer full). Absent fields (NULL strings,
 * rtcp_mux FALSE, no candidates) are left out. */
xmpp_stanza_t *pa_ice_udp_build(xmpp_ctx_t *ctx, const PaTransport *t);

/* Adds a <candidate/> for @c to @transport. */
void pa_ice_udp_add_candidate(xmpp_stanza_t *transport, const PaIceCandidate *c);

G_END_DECLS
