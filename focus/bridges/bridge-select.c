/* SPDX-License-Identifier: MIT */
#include "focus/bridges/bridge-select.h"

#include "common/xmpp/stanza.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void focus_bridge_stats_init(FocusBridgeStats *s)
{
    memset(s, 0, sizeof *s);
    s->healthy = TRUE;
}

void focus_bridge_stats_clear(FocusBridgeStats *s)
{
    g_free(s->region);
    g_free(s->version);
    g_free(s->relay_id);
    focus_bridge_stats_init(s);
}

static gboolean parse_double(const char *v, double *out)
{
    if (!v || !*v)
        return FALSE;
    char *end = NULL;
    errno = 0;
    double d = g_ascii_strtod(v, &end);
    if (errno || *end || !isfinite(d) || d < 0)
        return FALSE;
    *out = d;
    return TRUE;
}

static gboolean parse_count(const char *v, guint *out)
{
    double d;
    if (!parse_double(v, &d) || d > G_MAXUINT)
        return FALSE;
    *out = (guint)d;
    return TRUE;
}

static gboolean parse_flag(const char *v)
{
    return v && (g_ascii_strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

static void set_text(char **dst, const char *v)
{
    g_free(*dst);
    /* Printable and short, or nothing: these end up in logs. */
    *dst = v && *v && strlen(v) <= 128 && g_utf8_validate(v, -1, NULL) ? g_strdup(v) : NULL;
    for (char *p = *dst; p && *p; p++)
        if ((guchar)*p < 0x20)
            *p = '?';
}

gboolean focus_bridge_stats_parse(xmpp_stanza_t *presence, FocusBridgeStats *out)
{
    focus_bridge_stats_clear(out);
    xmpp_stanza_t *stats = pa_stanza_child(presence, "stats", FOCUS_NS_COLIBRI_STATS);
    if (!stats)
        return FALSE;
    out->has_stats = TRUE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(stats); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "stat") != 0)
            continue;
        const char *name = xmpp_stanza_get_attribute(c, "name");
        const char *value = xmpp_stanza_get_attribute(c, "value");
        if (!name || !value)
            continue;
        if (strcmp(name, "stress_level") == 0) {
            double d;
            if (parse_double(value, &d))
                out->stress = d;
        } else if (strcmp(name, "conferences") == 0) {
            parse_count(value, &out->conferences);
        } else if (strcmp(name, "participants") == 0) {
            parse_count(value, &out->participants);
        } else if (strcmp(name, "region") == 0) {
            set_text(&out->region, value);
        } else if (strcmp(name, "version") == 0) {
            set_text(&out->version, value);
        } else if (strcmp(name, "relay_id") == 0) {
            set_text(&out->relay_id, value);
        } else if (strcmp(name, "healthy") == 0) {
            out->healthy = parse_flag(value);
        } else if (strcmp(name, "graceful_shutdown") == 0) {
            out->graceful_shutdown = parse_flag(value);
        } else if (strcmp(name, "shutting_down") == 0) {
            out->shutting_down = parse_flag(value);
        } else if (strcmp(name, "drain") == 0) {
            out->drain = parse_flag(value);
        }
    }
    return TRUE;
}

gboolean focus_bridge_can_keep(const FocusBridgeCandidate *b)
{
    return b->stats && b->stats->healthy && !b->stats->shutting_down && !b->failed;
}

gboolean focus_bridge_can_take_new(const FocusBridgeCandidate *b)
{
    return focus_bridge_can_keep(b) && !b->stats->drain && !b->stats->graceful_shutdown;
}

/* <0 when @a should be chosen before @b. */
static int compare(const FocusBridgeCandidate *a, const FocusBridgeCandidate *b, const char *region)
{
    gboolean ao = a->stats->stress >= FOCUS_BRIDGE_OVERLOADED_STRESS;
    gboolean bo = b->stats->stress >= FOCUS_BRIDGE_OVERLOADED_STRESS;
    if (ao != bo)
        return ao ? 1 : -1;
    if (region) {
        gboolean ar = g_strcmp0(a->stats->region, region) == 0;
        gboolean br = g_strcmp0(b->stats->region, region) == 0;
        if (ar != br)
            return ar ? -1 : 1;
    }
    if (a->stats->stress != b->stats->stress)
        return a->stats->stress < b->stats->stress ? -1 : 1;
    if (a->stats->participants != b->stats->participants)
        return a->stats->participants < b->stats->participants ? -1 : 1;
    if (a->stats->conferences != b->stats->conferences)
        return a->stats->conferences < b->stats->conferences ? -1 : 1;
    return g_strcmp0(a->id, b->id);
}

gint focus_bridge_select(const FocusBridgeCandidate *c, guint n, gint current, const char *region)
{
    if (current >= 0 && (guint)current < n && focus_bridge_can_keep(&c[current]))
        return current;
    gint best = -1;
    for (guint i = 0; i < n; i++) {
        if (!focus_bridge_can_take_new(&c[i]))
            continue;
        if (best < 0 || compare(&c[i], &c[best], region) < 0)
            best = (gint)i;
    }
    return best;
}
