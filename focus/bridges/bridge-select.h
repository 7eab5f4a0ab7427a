/* SPDX-License-Identifier: MIT */
/* Bridge selection and brewery statistics, pure: no I/O, no state, no logging.
 *
 * A bridge publishes its load in its brewery presence:
 *   <stats xmlns="http://jitsi.org/protocol/colibri"><stat name="stress_level" value="0.1"/>
 *     ... conferences, participants, region, version, relay_id, graceful_shutdown,
 *     shutting_down, drain, healthy ...</stats>
 * focus_bridge_stats_parse() reads it; focus_bridge_select() picks the bridge a conference
 * uses, as Jicofo's default (single-bridge) strategy does: a conference stays on its bridge
 * while that bridge can keep it; a conference without one goes to the least-loaded bridge
 * that takes new conferences (lowest stress, then fewest participants, then fewest
 * conferences, then id), preferring the participant's region when one is given. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_COLIBRI_STATS "http://jitsi.org/protocol/colibri"

/* Stress at or above this is "overloaded" (Jicofo's threshold): such a bridge is chosen for
 * a new conference only when no other one can take it. */
#define FOCUS_BRIDGE_OVERLOADED_STRESS 0.8

typedef struct {
    gboolean has_stats; /* a <stats> element was present */
    double stress;      /* stress_level; 0 when absent */
    guint conferences;
    guint participants;
    char *region;               /* NULL when absent or empty */
    char *version;              /* NULL when absent */
    char *relay_id;             /* NULL when absent */
    gboolean healthy;           /* "healthy"; TRUE when absent (older bridges do not say) */
    gboolean graceful_shutdown; /* takes no new conferences, keeps its own */
    gboolean shutting_down;     /* about to go: keeps nothing */
    gboolean drain;             /* takes no new conferences, keeps its own */
} FocusBridgeStats;

void focus_bridge_stats_init(FocusBridgeStats *s);
void focus_bridge_stats_clear(FocusBridgeStats *s);
/* Reads the <stats> child of @presence into @out (replaced; initialise it first). Unknown
 * stats are ignored; unparsable numbers count as absent. Returns has_stats. */
gboolean focus_bridge_stats_parse(xmpp_stanza_t *presence, FocusBridgeStats *out);

/* One bridge as selection sees it. */
typedef struct {
    const char *id; /* stable tie-break (the brewery occupant JID) */
    const FocusBridgeStats *stats;
    gboolean failed; /* an allocation on it failed or timed out recently */
} FocusBridgeCandidate;

/* A conference already on @b may stay: healthy, not shutting down, not failed. Draining and
 * graceful shutdown only stop new conferences. */
gboolean focus_bridge_can_keep(const FocusBridgeCandidate *b);
/* @b may take a new conference: it can keep one, and is neither draining nor in graceful
 * shutdown. */
gboolean focus_bridge_can_take_new(const FocusBridgeCandidate *b);

/* Index in @c of the bridge for a conference: @current (the conference's bridge, an index in
 * @c, or -1) when it can keep it; otherwise the best bridge that can take a new conference:
 * not overloaded before overloaded, then (when @region is not NULL) in @region before
 * elsewhere, then least loaded. -1 when no bridge qualifies. */
gint focus_bridge_select(const FocusBridgeCandidate *c, guint n, gint current, const char *region);

G_END_DECLS
