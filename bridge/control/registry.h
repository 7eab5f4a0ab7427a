/* SPDX-License-Identifier: MIT */
/* The bridge's one registry of conferences and endpoints: what the focus allocated, the
 * transports exchanged, the sources and codecs each endpoint announced, its colibri-ws secret
 * and bridge channel. It is the authority on which conferences and endpoints exist, and it
 * gives each one a numeric handle (bridge/media/handles.h) that names it everywhere else: the
 * media plane takes only handles, its events come back with them, and the colibri-ws channel
 * keeps its per-endpoint state here (BridgeRegEndpoint.channel) rather than in a table of its
 * own. String ids are looked up only where they arrive from outside: a Colibri2 request
 * (colibri-handler.c) and a colibri-ws URL (channel.c) (the *_find calls).
 *
 * Thread: control thread only. The registry owns every conference and endpoint; a pointer
 * from a lookup stays valid until that object is removed. Removing an endpoint does not free
 * its channel: channel.c does that first (bridge_channels_endpoint_expired). */
#pragma once

#include <glib.h>

#include "bridge/media/handles.h"
#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _BridgePending BridgePending; /* colibri-handler.c: a reply being built */
typedef struct _BridgeChannel BridgeChannel; /* channel.c: one endpoint's colibri-ws */
typedef struct _BridgeRegConference BridgeRegConference;

typedef enum {
    BRIDGE_REG_EP_GATHERING, /* created, waiting for the media plane's candidates */
    BRIDGE_REG_EP_READY,     /* transport known, waiting for ICE/DTLS */
    BRIDGE_REG_EP_CONNECTED, /* media plane reported CONNECTED */
} BridgeRegEndpointState;

#define BRIDGE_WS_PASSWORD_LEN 24

typedef struct {
    BridgeHandle handle;
    char *id;
    BridgeRegConference *conference; /* the one it belongs to */
    char *stats_id;                  /* may be NULL */
    char ws_password[BRIDGE_WS_PASSWORD_LEN + 1];
    BridgeRegEndpointState state;
    gint64 created_us;

    PaTransport local;  /* the bridge's side, with websocket_url, once READY */
    PaTransport remote; /* the client's side as forwarded by the focus (merged) */
    GArray *media;      /* of PaMediaDesc: payload types and header extensions */
    GArray *sources;    /* of PaMediaSource: the endpoint's announced sources */
    char **capabilities;

    BridgePending *pending; /* the reply waiting for this endpoint's transport, or NULL */
    BridgeChannel *channel; /* its bridge channel state, NULL until a channel first opened */
} BridgeRegEndpoint;

struct _BridgeRegConference {
    BridgeHandle handle;
    char *id;                    /* colibri2 meeting-id */
    char *name;                  /* conference name (room JID), may be NULL */
    GHashTable *endpoints;       /* id -> BridgeRegEndpoint (owned) */
    guint32 feedback_audio_ssrc; /* jvb-a0 */
    guint32 feedback_video_ssrc; /* jvb-v0 */
    gint64 created_us;
    char *focus_jid;      /* the sender of its latest conference-modify: where news goes */
    char *owner;          /* the creating focus's own bare JID (or its bare sender JID) */
    GSource *empty_timer; /* emptied by the media plane: ends it unless an endpoint comes back
                           * (destroyed with the conference) */
};

typedef struct {
    GHashTable *by_id;             /* conference id -> BridgeRegConference (owned) */
    BridgeHandleTable conferences; /* handle -> BridgeRegConference (same objects) */
    BridgeHandleTable endpoints;   /* handle -> BridgeRegEndpoint (owned by their conference) */
} BridgeRegistry;

void bridge_registry_init(BridgeRegistry *r);
void bridge_registry_clear(BridgeRegistry *r);

/* By id, at the boundary: NULL if unknown or @id is NULL (transfer none). */
BridgeRegConference *bridge_reg_conference_find(BridgeRegistry *r, const char *id);
/* By handle: NULL if gone (transfer none). */
BridgeRegConference *bridge_reg_conference_get(BridgeRegistry *r, BridgeHandle handle);
/* Adds a conference that must not exist yet, with a new handle and random non-zero feedback
 * SSRCs (transfer none). */
BridgeRegConference *bridge_reg_conference_add(BridgeRegistry *r, const char *id, const char *name);
/* Removes and frees the conference and its endpoints (the caller has told the media plane
 * and the channels). */
void bridge_reg_conference_remove(BridgeRegistry *r, BridgeRegConference *c);

/* By id within @c, at the boundary: NULL if unknown, or @c or @id is NULL (transfer none). */
BridgeRegEndpoint *bridge_reg_endpoint_find(BridgeRegConference *c, const char *id);
BridgeRegEndpoint *bridge_reg_endpoint_get(BridgeRegistry *r, BridgeHandle handle);
/* Adds an endpoint that must not exist yet, with a new handle and a fresh colibri-ws secret
 * (transfer none). */
BridgeRegEndpoint *bridge_reg_endpoint_add(BridgeRegistry *r, BridgeRegConference *c,
                                           const char *id);
/* Removes and frees the endpoint (not its channel: see the top of this file). */
void bridge_reg_endpoint_remove(BridgeRegistry *r, BridgeRegEndpoint *ep);

guint bridge_registry_conferences(const BridgeRegistry *r);
guint bridge_registry_endpoints(const BridgeRegistry *r);
/* Endpoints in the largest conference. */
guint bridge_registry_largest(const BridgeRegistry *r);

/* Fills @out with @len random characters from [A-Za-z0-9] from the system CSPRNG and a
 * terminating NUL (@out holds @len + 1 bytes). */
void bridge_random_secret(char *out, gsize len);

G_END_DECLS
