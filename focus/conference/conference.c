/* SPDX-License-Identifier: MIT */
/* The conferences manager: one FocusConference per room (the state of the manager's room
 * listener), its members by participant, the scheduled evaluation that invites them, and the
 * news from the brewery. Thread: the focus event-loop thread. A FocusConference is owned by
 * its room (freed with it) and owns its members; its timers and IQs on the link are owned by
 * the conference (evaluation, Colibri2 expiries), a member (disco, Jingle) or
 * &member->alloc_token (Colibri2 requests about the member's endpoint). */
#include "focus/conference/conference-priv.h"

#include "common/colibri/bridge-news.h"
#include "common/jingle/jingle.h"
#include "common/xmpp/stanza.h"

#include <string.h>

static const FocusRoomEvents room_events;

void focus_conference_settings_init(FocusConferenceSettings *s, const char *occupant_jid,
                                    guint min_participants)
{
    memset(s, 0, sizeof *s);
    s->occupant_jid = occupant_jid;
    s->min_participants = min_participants ? min_participants : 1;
    s->colibri_timeout_ms = 15000;
    s->jingle_timeout_ms = 15000;
    s->disco_timeout_ms = 5000;
    focus_offer_config_default(&s->offer);
}

/* ---- conferences ---- */

static void conf_free(gpointer data)
{
    FocusConference *conf = data;
    /* Members first: they cancel their own IQs and timers on the link. */
    g_hash_table_destroy(conf->members);
    if (conf->mgr) {
        focus_link_cancel_owner(conf->mgr->link, conf);
        g_ptr_array_remove_fast(conf->mgr->all, conf);
    }
    g_free(conf->room_jid);
    g_free(conf->meeting_id);
    g_free(conf->bridge_jid);
    g_free(conf->bridge_session_id);
    g_free(conf->bridge_region);
    pa_jingle_sources_clear(&conf->feedback);
    g_free(conf);
}

static void room_added(FocusRegistry *reg, FocusRoom *room, gpointer data)
{
    FocusConferences *mgr = data;
    FocusConference *conf = g_new0(FocusConference, 1);
    conf->mgr = mgr;
    conf->room = room;
    conf->room_jid = g_strdup(focus_room_jid(room));
    conf->meeting_id = g_uuid_string_random();
    conf->members = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, focus_member_free);
    pa_jingle_sources_init(&conf->feedback);
    g_ptr_array_add(mgr->all, conf);
    focus_room_add_listener(room, &room_events, conf, conf_free);
    g_info("conference room=%s meeting-id=%s", conf->room_jid, conf->meeting_id);
}

static const FocusRegistryEvents registry_events = {
    .version = FOCUS_REGISTRY_EVENTS_VERSION,
    .room_added = room_added,
};

FocusMember *focus_conf_member(FocusConference *conf, FocusParticipant *p)
{
    return p ? g_hash_table_lookup(conf->members, p) : NULL;
}

GPtrArray *focus_conf_members(FocusConference *conf)
{
    GPtrArray *out = g_ptr_array_new();
    g_autoptr(GPtrArray) all = focus_room_participants(conf->room);
    for (guint i = 0; i < all->len; i++) {
        FocusMember *m = focus_conf_member(conf, all->pdata[i]);
        if (m)
            g_ptr_array_add(out, m);
    }
    return out;
}

/* ---- evaluation ---- */

/* One pass: every IDLE member that should be invited is (its features first). */
static void evaluate_now(FocusLink *link, gpointer data)
{
    FocusConference *conf = data;
    conf->evaluate_timer = 0;
    if (focus_room_state(conf->room) != FOCUS_ROOM_READY)
        return;
    g_autoptr(GPtrArray) all = focus_room_participants(conf->room);
    guint present = 0;
    for (guint i = 0; i < all->len; i++)
        present += !((FocusParticipant *)all->pdata[i])->stale;
    /* A member invited before (moved, restarted) is invited again whatever the count. */
    gboolean enough = present >= conf->mgr->s.min_participants;
    for (guint i = 0; i < all->len; i++) {
        FocusParticipant *p = all->pdata[i];
        FocusMember *m = focus_conf_member(conf, p);
        if (!m || m->state != FOCUS_MEMBER_IDLE || p->stale)
            continue;
        if (!enough && !m->invited_before)
            continue;
        if (m->features_known) {
            if (focus_conf_ensure_bridge(conf))
                focus_conf_allocate(m);
        } else if (!m->disco_pending && focus_conf_ensure_bridge(conf)) {
            if (focus_member_features_from_caps(m, p))
                focus_conf_allocate(m);
            else
                focus_member_disco(m, p);
        }
        if (conf->no_bridge)
            break; /* the others would not find one either */
    }
}

void focus_conf_evaluate(FocusConference *conf)
{
    if (!conf->mgr || conf->evaluate_timer)
        return;
    conf->evaluate_timer = focus_link_timer_add(conf->mgr->link, 0, evaluate_now, conf, conf);
}

/* ---- room events ---- */

static void on_joined(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    FocusConference *conf = state;
    if (focus_conf_member(conf, p))
        return;
    g_hash_table_insert(conf->members, p, focus_member_new(conf, p));
    focus_conf_evaluate(conf);
}

static void on_left(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    FocusConference *conf = state;
    FocusMember *m = focus_conf_member(conf, p);
    if (!m)
        return;
    focus_link_cancel_owner(conf->mgr->link, m);
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    if (m->session || m->endpoint_bridge || !pa_jingle_sources_empty(&m->sources))
        focus_member_end_session(m, FOCUS_MEMBER_ENDED, "left the room");
    g_hash_table_remove(conf->members, p);
}

static void on_ready(FocusRoom *room, gpointer state)
{
    focus_conf_evaluate(state);
}

static void on_gone(FocusRoom *room, gpointer state)
{
    focus_conf_end_bridge_session(state);
}

/* The room is being destroyed: the media ends for everyone at once. One expire of the Colibri2
 * conference frees every endpoint on the bridge; nobody is sent source-remove or
 * session-terminate (they are all leaving, and the room will not deliver them). */
static void on_destroying(FocusRoom *room, gpointer state)
{
    FocusConference *conf = state;
    if (!conf->mgr)
        return;
    FocusLink *link = conf->mgr->link;
    conf->evaluate_timer = focus_link_timer_cancel(link, conf->evaluate_timer);
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++) {
        FocusMember *m = all->pdata[i];
        focus_link_cancel_owner(link, m);
        focus_link_cancel_owner(link, &m->alloc_token);
        m->disco_pending = FALSE;
        focus_member_forget_session(m);
        g_clear_pointer(&m->endpoint_bridge, g_free);
        pa_jingle_sources_clear(&m->sources);
        pa_jingle_sources_init(&m->sources);
        focus_member_set_state(m, FOCUS_MEMBER_ENDED, "the conference ended");
    }
    focus_conf_end_bridge_session(conf);
}

static const FocusRoomEvents room_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .ready = on_ready,
    .gone = on_gone,
    .participant_joined = on_joined,
    .participant_left = on_left,
    .destroying = on_destroying,
};

/* ---- bridge events ---- */

static void on_bridge_up(FocusBridges *bridges, const FocusBridge *bridge, gpointer data)
{
    FocusConferences *mgr = data;
    /* What it still holds of ours goes first: a conference re-created there must not meet
     * its old self. */
    focus_expiries_bridge_up(mgr, bridge->jid);
    for (guint i = 0; i < mgr->all->len; i++) {
        FocusConference *conf = mgr->all->pdata[i];
        if (!conf->bridge_jid)
            focus_conf_evaluate(conf);
    }
}

static void on_bridge_down(FocusBridges *bridges, const char *jid, const char *why, gpointer data)
{
    FocusConferences *mgr = data;
    /* Moving sends, and may not free a conference, but keep the walk off the live list. */
    g_autoptr(GPtrArray) snap = g_ptr_array_copy(mgr->all, NULL, NULL);
    for (guint i = 0; i < snap->len; i++) {
        FocusConference *conf = snap->pdata[i];
        if (g_strcmp0(conf->bridge_jid, jid) == 0) {
            g_autofree char *what = g_strdup_printf("bridge %s", why);
            focus_conf_move(conf, what);
        }
    }
}

static const FocusBridgesEvents bridges_events = {
    .version = FOCUS_BRIDGES_EVENTS_VERSION,
    .bridge_up = on_bridge_up,
    .bridge_down = on_bridge_down,
};

/* ---- the manager ---- */

FocusConferences *focus_conferences_new(FocusLink *link, const FocusConferenceSettings *settings,
                                        FocusRegistry *registry, FocusBridges *bridges)
{
    g_return_val_if_fail(link && settings && settings->occupant_jid && registry, NULL);
    FocusConferences *mgr = g_new0(FocusConferences, 1);
    mgr->link = link;
    mgr->s = *settings;
    mgr->occupant_jid = g_strdup(settings->occupant_jid);
    mgr->s.occupant_jid = mgr->occupant_jid;
    mgr->registry = registry;
    mgr->bridges = bridges;
    mgr->all = g_ptr_array_new();
    mgr->caps_features = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    mgr->peer_rl = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 20);
    focus_expiries_init(mgr);
    focus_registry_add_listener(registry, &registry_events, mgr);
    if (bridges)
        focus_bridges_add_listener(bridges, &bridges_events, mgr);
    return mgr;
}

void focus_conferences_free(FocusConferences *mgr)
{
    if (!mgr)
        return;
    /* Conferences belong to rooms: free the registry first. Any left are detached. */
    for (guint i = 0; i < mgr->all->len; i++)
        ((FocusConference *)mgr->all->pdata[i])->mgr = NULL;
    g_ptr_array_free(mgr->all, TRUE);
    focus_expiries_clear(mgr);
    g_hash_table_unref(mgr->caps_features);
    g_free(mgr->occupant_jid);
    g_free(mgr);
}

static void on_jingle(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_conferences_handle_jingle(data, iq);
}

static void on_bridge_news(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_conferences_handle_bridge_news(data, iq);
}

void focus_conferences_add_routes(FocusConferences *mgr, FocusRouter *router)
{
    focus_router_add_iq(router, PA_NS_JINGLE, "jingle", FALSE, on_jingle, mgr);
    focus_router_add_iq(router, PA_NS_PARLEY_BRIDGE, PA_BRIDGE_EXPIRED, FALSE, on_bridge_news, mgr);
}

/* ---- sending, logging ---- */

static void ignore_reply(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                         gpointer data)
{
    if (outcome == FOCUS_IQ_ERROR || outcome == FOCUS_IQ_TIMEOUT)
        g_debug("IQ to %s: %s %s", reply ? xmpp_stanza_get_from(reply) : "?",
                focus_iq_outcome_str(outcome),
                reply && pa_stanza_error_condition(reply) ? pa_stanza_error_condition(reply) : "");
}

void focus_conf_send_iq(FocusConference *conf, xmpp_stanza_t *iq, guint timeout_ms,
                        FocusIqCallback cb, gpointer data, gconstpointer owner)
{
    focus_link_send_iq(conf->mgr->link, iq, timeout_ms, cb ? cb : ignore_reply, data, owner);
    xmpp_stanza_release(iq);
}

void focus_conf_log_peer(FocusConferences *mgr, GLogLevelFlags level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_log_peerv(&mgr->peer_rl, focus_link_now(mgr->link), level, fmt, ap);
    va_end(ap);
}

/* ---- introspection ---- */

FocusConference *focus_conferences_lookup(FocusConferences *mgr, const char *room_jid)
{
    FocusRoom *room = focus_registry_lookup(mgr->registry, room_jid);
    return room ? FOCUS_ROOM_STATE(room, &room_events, FocusConference) : NULL;
}

const char *focus_conference_meeting_id(FocusConference *conf)
{
    return conf->meeting_id;
}

const char *focus_conference_bridge(FocusConference *conf)
{
    return conf->bridge_jid;
}

const char *focus_conference_bridge_session_id(FocusConference *conf)
{
    return conf->bridge_session_id;
}

static FocusMember *member_by_nick(FocusConference *conf, const char *nick)
{
    return focus_conf_member(conf, focus_room_participant(conf->room, nick));
}

const FocusJingleSession *focus_conference_session(FocusConference *conf, const char *nick)
{
    FocusMember *m = member_by_nick(conf, nick);
    return m ? m->session : NULL;
}

const PaJingleSources *focus_conference_sources(FocusConference *conf, const char *nick)
{
    FocusMember *m = member_by_nick(conf, nick);
    return m ? &m->sources : NULL;
}

void focus_conferences_stats(FocusConferences *mgr, FocusConferencesStats *out)
{
    memset(out, 0, sizeof *out);
    out->reinvites = mgr->reinvites;
    out->caps_hits = mgr->caps_hits;
    out->caps_misses = mgr->caps_misses;
    for (guint i = 0; i < mgr->all->len; i++) {
        FocusConference *conf = mgr->all->pdata[i];
        if (conf->bridge_jid)
            out->on_bridge++;
        GHashTableIter it;
        gpointer v;
        g_hash_table_iter_init(&it, conf->members);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            FocusMember *m = v;
            if (!m->session)
                continue;
            FocusJingleState st = focus_jingle_session_state(m->session);
            if (st == FOCUS_JINGLE_PENDING)
                out->sessions_pending++;
            else if (st == FOCUS_JINGLE_ACTIVE)
                out->sessions_active++;
        }
    }
}
