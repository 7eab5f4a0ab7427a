/* SPDX-License-Identifier: MIT */
/* The stats a bridge publishes in its brewery presence, and how its load ("stress") is
 * computed. Pure: values in, a libstrophe element out. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct {
    double stress_level; /* 0..1; the focus avoids bridges at >= 0.8 */
    guint conferences;
    guint participants; /* endpoints of all conferences */
    guint largest_conference;
    const char *region;
    const char *version;
    const char *relay_id; /* the bridge id */
    gboolean graceful_shutdown;
    gboolean healthy;
    gboolean drain;
    double packet_rate_download; /* packets/s received */
    double packet_rate_upload;   /* packets/s sent */
    double bit_rate_download;    /* kbit/s received */
    double bit_rate_upload;      /* kbit/s sent */
} BridgeBreweryStats;

/* <stats xmlns="http://jitsi.org/protocol/colibri"><stat name value/>...</stats>
 * (transfer full). Names follow Jitsi Videobridge's (stress_level, conferences, participants,
 * endpoints, region, version, relay_id, graceful_shutdown, healthy, drain, ...). */
xmpp_stanza_t *bridge_brewery_stats_build(xmpp_ctx_t *ctx, const BridgeBreweryStats *s);

/* Load in 0..1: the larger of the packet rate against what @workers threads forward
 * comfortably (BRIDGE_PPS_PER_WORKER each) and the endpoint count against
 * BRIDGE_ENDPOINTS_PER_WORKER each. */
#define BRIDGE_PPS_PER_WORKER 100000.0
#define BRIDGE_ENDPOINTS_PER_WORKER 200.0
double bridge_stress_level(double packets_per_second, guint endpoints, guint workers);

G_END_DECLS
