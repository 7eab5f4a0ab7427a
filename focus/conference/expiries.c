/* SPDX-License-Identifier: MIT */
/* What bridges still hold that the focus no longer wants: every Colibri2 expiry (one endpoint,
 * or a whole conference) goes through here and is kept until a bridge has answered it. One
 * that cannot be delivered (the bridge is not in the brewery: it or the focus was away, the
 * MUC answered for it, the IQ timed out, the connection dropped) waits, and is sent again when
 * that bridge is seen in the brewery again, before anything new is allocated there. So the
 * endpoints of participants who left during an outage, and conferences moved off a bridge that
 * was away, are freed once the bridge is back instead of lingering until their media times
 * out.
 *
 * Thread: the focus event-loop thread. The manager owns the records (mgr->expiries); their
 * IQs on the link are owned by the manager, so the records outlive the conferences that made
 * them (a room that ended during an outage still gets its conference expired). */
#include "focus/conference/conference-priv.h"

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"

/* A record waits this long for its bridge to come back; then the bridge is taken to have
 * restarted (which frees everything anyway) or to be gone for good. */
#define EXPIRY_TTL_US (10 * 60 * G_USEC_PER_SEC)
/* More waiting than this and the oldest are forgotten (a bounded memory for a bridge that
 * never comes back while rooms keep ending). */
#define EXPIRY_MAX 10000

struct _FocusExpiry {
    FocusConferences *mgr;
    char *bridge;     /* brewery occupant JID */
    char *meeting_id; /* Colibri2 conference */
    char *name;       /* its name (room JID), for the request and logs */
    char *endpoint;   /* NULL: the whole conference */
    gint64 since_us;
    gboolean in_flight;
};

static void expiry_free(gpointer data)
{
    FocusExpiry *e = data;
    g_free(e->bridge);
    g_free(e->meeting_id);
    g_free(e->name);
    g_free(e->endpoint);
    g_free(e);
}

static void forget(FocusExpiry *e)
{
    g_ptr_array_remove_fast(e->mgr->expiries, e); /* frees it */
}

static void expiry_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    FocusExpiry *e = data;
    e->in_flight = FALSE;
    /* An error with a Colibri2 reason comes from the bridge itself (CONFERENCE_NOT_FOUND: it
     * has nothing of ours): done. One without comes from the MUC, which answers for an
     * occupant that is not there: the bridge never saw it. */
    if (outcome == FOCUS_IQ_RESULT ||
        (outcome == FOCUS_IQ_ERROR &&
         pa_colibri_error_parse(reply, NULL) != PA_COLIBRI_ERROR_UNSPECIFIED)) {
        forget(e);
        return;
    }
    g_info("expiry not delivered meeting=%s%s%s bridge=%s (%s%s%s): sent again when the bridge is "
           "back",
           e->meeting_id, e->endpoint ? " ep=" : "", e->endpoint ? e->endpoint : "", e->bridge,
           focus_iq_outcome_str(outcome), reply ? " " : "",
           reply && pa_stanza_error_condition(reply) ? pa_stanza_error_condition(reply) : "");
}

static void send_expiry(FocusExpiry *e)
{
    FocusConferences *mgr = e->mgr;
    PaColibriConferenceModify cm;
    pa_colibri_modify_init(&cm);
    cm.meeting_id = g_strdup(e->meeting_id);
    cm.name = g_strdup(e->name);
    if (e->endpoint)
        pa_colibri_endpoints_add(cm.endpoints, e->endpoint)->expire = TRUE;
    else
        cm.expire = TRUE;
    xmpp_ctx_t *ctx = focus_link_ctx(mgr->link);
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", NULL);
    xmpp_stanza_set_from(iq, mgr->occupant_jid);
    xmpp_stanza_set_to(iq, e->bridge);
    xmpp_stanza_t *body = pa_colibri_build_modify(ctx, &cm);
    xmpp_stanza_add_child(iq, body);
    xmpp_stanza_release(body);
    pa_colibri_modify_clear(&cm);
    e->in_flight = TRUE;
    focus_link_send_iq(mgr->link, iq, mgr->s.colibri_timeout_ms, expiry_done, e, mgr);
    xmpp_stanza_release(iq);
}

static gboolean reachable(FocusConferences *mgr, const char *bridge)
{
    return focus_link_online(mgr->link) && mgr->bridges && focus_bridges_joined(mgr->bridges) &&
           focus_bridges_lookup(mgr->bridges, bridge);
}

void focus_expiries_add(FocusConferences *mgr, const char *bridge, const char *meeting_id,
                        const char *name, const char *endpoint)
{
    g_return_if_fail(bridge && meeting_id);
    if (mgr->expiries->len >= EXPIRY_MAX) {
        g_warning("%u expiries wait for bridges that do not come back: forgetting the oldest",
                  mgr->expiries->len);
        FocusExpiry *oldest = NULL;
        for (guint i = 0; i < mgr->expiries->len; i++) {
            FocusExpiry *e = mgr->expiries->pdata[i];
            if (!e->in_flight && (!oldest || e->since_us < oldest->since_us))
                oldest = e;
        }
        if (oldest)
            forget(oldest);
    }
    FocusExpiry *e = g_new0(FocusExpiry, 1);
    e->mgr = mgr;
    e->bridge = g_strdup(bridge);
    e->meeting_id = g_strdup(meeting_id);
    e->name = g_strdup(name);
    e->endpoint = g_strdup(endpoint);
    e->since_us = focus_link_now(mgr->link);
    g_ptr_array_add(mgr->expiries, e);
    if (reachable(mgr, bridge))
        send_expiry(e);
    else
        g_info("expiry meeting=%s%s%s waits for bridge=%s to be back", meeting_id,
               endpoint ? " ep=" : "", endpoint ? endpoint : "", bridge);
}

void focus_expiries_bridge_up(FocusConferences *mgr, const char *bridge)
{
    gint64 now = focus_link_now(mgr->link);
    g_autoptr(GPtrArray) due = g_ptr_array_new();
    g_autoptr(GPtrArray) stale = g_ptr_array_new();
    for (guint i = 0; i < mgr->expiries->len; i++) {
        FocusExpiry *e = mgr->expiries->pdata[i];
        if (e->in_flight)
            continue;
        if (now - e->since_us > EXPIRY_TTL_US)
            g_ptr_array_add(stale, e);
        else if (g_strcmp0(e->bridge, bridge) == 0)
            g_ptr_array_add(due, e);
    }
    for (guint i = 0; i < stale->len; i++)
        forget(stale->pdata[i]);
    if (due->len)
        g_info("bridge=%s is back: sending %u expiries it could not get before", bridge, due->len);
    for (guint i = 0; i < due->len; i++)
        send_expiry(due->pdata[i]);
}

void focus_expiries_flush(FocusConferences *mgr, const char *bridge, const char *meeting_id)
{
    g_autoptr(GPtrArray) due = g_ptr_array_new();
    for (guint i = 0; i < mgr->expiries->len; i++) {
        FocusExpiry *e = mgr->expiries->pdata[i];
        if (!e->in_flight && g_strcmp0(e->bridge, bridge) == 0 &&
            g_strcmp0(e->meeting_id, meeting_id) == 0)
            g_ptr_array_add(due, e);
    }
    for (guint i = 0; i < due->len; i++)
        send_expiry(due->pdata[i]);
}

guint focus_expiries_waiting(FocusConferences *mgr)
{
    guint n = 0;
    for (guint i = 0; i < mgr->expiries->len; i++)
        n += !((FocusExpiry *)mgr->expiries->pdata[i])->in_flight;
    return n;
}

void focus_expiries_init(FocusConferences *mgr)
{
    mgr->expiries = g_ptr_array_new_with_free_func(expiry_free);
}

void focus_expiries_clear(FocusConferences *mgr)
{
    focus_link_cancel_owner(mgr->link, mgr);
    g_clear_pointer(&mgr->expiries, g_ptr_array_unref);
}
