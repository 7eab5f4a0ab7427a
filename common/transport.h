/* SPDX-License-Identifier: MIT */
/* The ICE-UDP + DTLS transport description that Jingle (focus <-> client) and Colibri2
 * (focus <-> bridge) both carry in <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1">.
 * Plain data, owned by whoever holds the struct; no I/O. XML mapping: common/xmpp/ice-udp.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    char foundation[33];
    guint component;  /* 1 with rtcp-mux */
    char protocol[8]; /* "udp" */
    guint32 priority;
    char ip[64];
    guint16 port;
    char type[8];      /* host, srflx, prflx, relay */
    char rel_addr[64]; /* "" when absent */
    guint16 rel_port;
    guint generation;
    guint network;
    char id[33]; /* opaque id; "" when absent */
} PaIceCandidate;

typedef struct {
    char *ufrag; /* NULL when absent (e.g. candidates-only transport-info) */
    char *pwd;
    GArray *candidates; /* of PaIceCandidate; never NULL after pa_transport_init */
    gboolean rtcp_mux;
    char *fingerprint_hash; /* "sha-256" */
    char *fingerprint;      /* "AB:CD:..." upper-case hex */
    char *setup;            /* "actpass", "active" or "passive" */
    char *websocket_url;    /* colibri-ws URL (bridge -> client), NULL when absent */
} PaTransport;

void pa_transport_init(PaTransport *t);
void pa_transport_clear(PaTransport *t);
void pa_transport_copy(PaTransport *dst, const PaTransport *src); /* dst must be initialised */

/* SDP-style "a=candidate" attribute values are not used on the wire here; candidates travel as
 * XML attributes. pa_ice_candidate_valid() checks the fields a peer sent: known protocol and
 * type, a parsable IP, port 1..65535, component 1..2. */
gboolean pa_ice_candidate_valid(const PaIceCandidate *c);

G_END_DECLS
