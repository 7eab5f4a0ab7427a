/* SPDX-License-Identifier: MIT */
/* The control thread's view of conferences and endpoints: what the focus allocated, the
 * transports exchanged, the sources and codecs each endpoint announced, and the per-endpoint
 * colibri-ws secret. The media plane keeps its own per-worker state; this registry is the
 * authority on which ids exist.
 *
 * Thread: control thread only. The registry owns every conference and endpoint; pointers
 * returned by lookups stay valid until the object is removed. */
#pragma once

#include <glib.h>

#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _BridgePending BridgePending; /* a conference-modify reply being assembled */

typedef enum {
    BRIDGE_REG_EP_GATHERING, /* created, waiting for the media plane's candidates */
    BRIDGE_REG_EP_READY,     /* transport known, waiting for ICE/DTLS */
    BRIDGE_REG_EP_CONNECTED, /* media plane reported CONNECTED */
} BridgeRegEndpointState;

#define BRIDGE_WS_PASSWORD_LEN 24

typedef struct {
    char *id;
    char *conference_id;
    char *stats_id; /* may be NULL */
    char ws_password[BRIDGE_WS_PASSWORD_LEN + 1];
    BridgeRegEndpointState state;
    gint64 created_us;

    PaTransport local;  /* the bridge's side, with websocket_url, once READY */
    PaTransport remote; /* the client's side as forwarded by the focus (merged) */
    GArray *media;      /* of PaMediaDesc: payload types and header extensions */
    GArray *sources;    /* of PaMediaSource: the endpoint's announced sources */
    char **capabilities;

    BridgePending *pending; /* the reply waiting for this endpoint's transport, or NULL */
} BridgeRegEndpoint;

typedef struct {
    char *id;                    /* colibri2 meeting-id */
    char *name;                  /* conference name (room JID), may be NULL */
    GHashTable *endpoints;       /* id -> BridgeRegEndpoint (owned) */
    guint32 feedback_audio_ssrc; /* jvb-a0 */
    guint32 feedback_video_ssrc; /* jvb-v0 */
    gint64 created_us;
} BridgeRegConference;

typedef struct {
    GHashTable *conferences; /* id -> BridgeRegConference (owned) */
    guint n_endpoints;
} BridgeRegistry;

void bridge_registry_init(BridgeRegistry *r);
void bridge_registry_clear(BridgeRegistry *r);

/* NULL if unknown (transfer none). */
BridgeRegConference *bridge_reg_conference_lookup(BridgeRegistry *r, const char *id);
/* Adds a conference that must not exist yet, with random non-zero feedback SSRCs
 * (transfer none). */
BridgeRegConference *bridge_reg_conference_add(BridgeRegistry *r, const char *id, const char *name);
/* Removes and frees the conference and its endpoints (the caller has told the media plane). */
void bridge_reg_conference_remove(BridgeRegistry *r, const char *id);

BridgeRegEndpoint *bridge_reg_endpoint_lookup(BridgeRegConference *c, const char *id);
/* Adds an endpoint that must not exist yet, with a fresh colibri-ws secret (transfer none). */
BridgeRegEndpoint *bridge_reg_endpoint_add(BridgeRegistry *r, BridgeRegConference *c,
                                           const char *id);
void bridge_reg_endpoint_remove(BridgeRegistry *r, BridgeRegConference *c, const char *id);

guint bridge_registry_conferences(const BridgeRegistry *r);
guint bridge_registry_endpoints(const BridgeRegistry *r);
/* Endpoints in the largest conference. */
guint bridge_registry_largest(const BridgeRegistry *r);

/* Fills @out with @len random characters from [A-Za-z0-9] from the system CSPRNG and a
 * terminating NUL (@out holds @len + 1 bytes). */
void bridge_random_secret(char *out, gsize len);

G_END_DECLS
