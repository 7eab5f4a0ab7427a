/* SPDX-License-Identifier: MIT */
/* FocusBridges: the bridges the focus can allocate on, learnt from the brewery MUC
 * (focus.brewery, e.g. jvbbrewery@internal.auth.DOMAIN).
 *
 * The focus joins the brewery as an occupant (nick "focus", from <component>/focus): IQs to
 * an occupant JID are only routed from a sender that is itself an occupant, and every
 * conference-modify goes to a bridge's occupant JID (brewery/<nick>). Each occupant whose
 * real JID is on the bridge domain (auth.DOMAIN; the brewery shows real JIDs) is a bridge;
 * its presence carries its <stats> (bridge-select.h). Bridges appear, update and disappear
 * (unavailable presence).
 *
 * Events: bridge_up when a bridge that can take new conferences appears or becomes able to
 * (conferences waiting for a bridge try again); bridge_down when a bridge leaves, stops
 * being able to keep its conferences (unhealthy, shutting down) or is marked failed
 * (conferences on it move elsewhere). Events are called synchronously; the callee may call
 * back into FocusBridges but must not free it.
 *
 * Connection: on going offline the bridges are kept but marked stale; the join is redone
 * when online, and stale bridges that the brewery does not list again are dropped (down).
 * A refused join is retried with back-off (2 s doubling to 60 s); a nick conflict makes the
 * next attempt use "focus-<random>".
 *
 * Thread: the focus event-loop thread. Owns its bridges and its timers on the link. */
#pragma once

#include "focus/bridges/bridge-select.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusBridges FocusBridges;

typedef struct {
    char *jid;      /* brewery occupant JID (brewery/nick): where conference-modify goes */
    char *nick;     /* brewery nickname */
    char *real_jid; /* the bridge's own full JID */
    FocusBridgeStats stats;
    gint64 failed_until_us; /* 0, or "failed" until this link-clock time */
    gboolean stale;         /* not re-announced since the focus re-joined */
} FocusBridge;

#define FOCUS_BRIDGES_EVENTS_VERSION 1

typedef struct {
    guint version; /* FOCUS_BRIDGES_EVENTS_VERSION */
    void (*bridge_up)(FocusBridges *bridges, const FocusBridge *bridge, gpointer data);
    /* @jid (transfer none) may no longer be found. */
    void (*bridge_down)(FocusBridges *bridges, const char *jid, const char *why, gpointer data);
} FocusBridgesEvents;

/* Failed bridges are skipped for this long after an allocation failure or timeout. */
#define FOCUS_BRIDGE_FAILURE_MS 60000

/* @brewery: bare room JID; @bridge_domain: the domain bridges log in on (auth.DOMAIN);
 * @occupant_from: the focus's full JID (<component>/focus). Strings are copied. Nothing is
 * sent before focus_bridges_start(). */
FocusBridges *focus_bridges_new(FocusLink *link, const char *brewery, const char *bridge_domain,
                                const char *occupant_from);
/* Frees everything without sending (call focus_bridges_leave() first for a clean exit). */
void focus_bridges_free(FocusBridges *bridges);

/* Any number of listeners, called in the order added; @events (transfer none) must outlive
 * the bridges. */
void focus_bridges_add_listener(FocusBridges *bridges, const FocusBridgesEvents *events,
                                gpointer data);
/* Registers on @router: presence from the brewery. */
void focus_bridges_add_routes(FocusBridges *bridges, FocusRouter *router);

/* Joins the brewery now if online (else when focus_bridges_on_online() runs). */
void focus_bridges_start(FocusBridges *bridges);
void focus_bridges_on_online(FocusBridges *bridges);
void focus_bridges_on_offline(FocusBridges *bridges);
/* Sends the leave presence (shutdown). */
void focus_bridges_leave(FocusBridges *bridges);

/* Takes presence from the brewery (returns TRUE), or returns FALSE for any other presence. */
gboolean focus_bridges_handle_presence(FocusBridges *bridges, xmpp_stanza_t *presence);

/* TRUE once the focus's own presence in the brewery came back. */
gboolean focus_bridges_joined(FocusBridges *bridges);
const char *focus_bridges_brewery(FocusBridges *bridges);

/* Bridge by occupant JID (transfer none), or NULL. */
const FocusBridge *focus_bridges_lookup(FocusBridges *bridges, const char *jid);
/* Bridge by occupant JID or by its own full JID (what a stanza from it carries, whichever
 * way it came), or NULL (transfer none). */
const FocusBridge *focus_bridges_find(FocusBridges *bridges, const char *jid);
guint focus_bridges_count(FocusBridges *bridges);
/* Calls @fn for every bridge known (in no particular order); @fn must not change the set. */
void focus_bridges_foreach(FocusBridges *bridges,
                           void (*fn)(const FocusBridge *bridge, gpointer data), gpointer data);
/* TRUE when @bridge could take a new conference now (as focus_bridges_count_available()). */
gboolean focus_bridges_available(FocusBridges *bridges, const FocusBridge *bridge);
/* Bridges that could take a new conference now. */
guint focus_bridges_count_available(FocusBridges *bridges);

/* The bridge for a conference whose bridge is @current_jid (NULL: none yet); see
 * focus_bridge_select(). NULL when none qualifies (transfer none). */
const FocusBridge *focus_bridges_select(FocusBridges *bridges, const char *current_jid,
                                        const char *region);

/* An allocation on @jid failed or timed out: skip it for @ms and report it down. */
void focus_bridges_mark_failed(FocusBridges *bridges, const char *jid, guint ms, const char *why);

G_END_DECLS
