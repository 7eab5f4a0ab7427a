/* SPDX-License-Identifier: MIT */
#include "bridge/control/stats.h"

#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"

static void stat_str(xmpp_stanza_t *stats, const char *name, const char *value)
{
    xmpp_stanza_t *s = pa_stanza_add_child(stats, "stat", NULL);
    xmpp_stanza_set_attribute(s, "name", name);
    xmpp_stanza_set_attribute(s, "value", value ? value : "");
}

static void stat_uint(xmpp_stanza_t *stats, const char *name, guint64 v)
{
    char buf[24];
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
    stat_str(stats, name, buf);
}

static void stat_double(xmpp_stanza_t *stats, const char *name, double v, int decimals)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    char fmt[8];
    g_snprintf(fmt, sizeof fmt, "%%.%df", decimals);
    stat_str(stats, name, g_ascii_formatd(buf, sizeof buf, fmt, v)); /* '.' whatever the locale */
}

xmpp_stanza_t *bridge_brewery_stats_build(xmpp_ctx_t *ctx, const BridgeBreweryStats *s)
{
    xmpp_stanza_t *stats = pa_stanza_element(ctx, "stats", PA_NS_COLIBRI);
    stat_double(stats, "stress_level", s->stress_level, 4);
    stat_uint(stats, "conferences", s->conferences);
    stat_uint(stats, "participants", s->participants);
    stat_uint(stats, "endpoints", s->participants);
    stat_uint(stats, "largest_conference", s->largest_conference);
    stat_str(stats, "region", s->region);
    stat_str(stats, "version", s->version);
    stat_str(stats, "release", s->version);
    stat_str(stats, "relay_id", s->relay_id);
    stat_str(stats, "graceful_shutdown", s->graceful_shutdown ? "true" : "false");
    stat_str(stats, "shutting_down", "false");
    stat_str(stats, "healthy", s->healthy ? "true" : "false");
    stat_str(stats, "drain", s->drain ? "true" : "false");
    stat_double(stats, "packet_rate_download", s->packet_rate_download, 0);
    stat_double(stats, "packet_rate_upload", s->packet_rate_upload, 0);
    stat_double(stats, "bit_rate_download", s->bit_rate_download, 0);
    stat_double(stats, "bit_rate_upload", s->bit_rate_upload, 0);
    return stats;
}

double bridge_stress_level(double pps, guint endpoints, guint workers)
{
    double w = workers ? workers : 1;
    double by_packets = pps / (BRIDGE_PPS_PER_WORKER * w);
    double by_endpoints = endpoints / (BRIDGE_ENDPOINTS_PER_WORKER * w);
    double stress = MAX(by_packets, by_endpoints);
    return CLAMP(stress, 0.0, 1.0);
}
