/* SPDX-License-Identifier: MIT */
/* A conference's bridge session: which bridge it is on, the Colibri2 conference there and its
 * members' endpoints (allocate, update, expire), and moving to another bridge.
 * Thread: the focus event-loop thread. The state lives in the FocusConference; Colibri2 IQs
 * about an endpoint are owned by &member->alloc_token (cancelled when it moves), expiries by
 * the conference.
 *
 * Failure paths:
 *  - no bridge that can take the conference: bridgeNotAvailable in the focus's presence; the
 *    members wait (IDLE) and are invited when a bridge comes up;
 *  - the bridge leaves the brewery, reports itself unhealthy or shutting down, or a
 *    conference-modify fails or times out (the bridge is then skipped for
 *    FOCUS_BRIDGE_FAILURE_MS): the conference moves, every invited member gets
 *    session-terminate (success, "moving") and a new session-initiate on the next bridge;
 *  - the bridge lost one endpoint (UNKNOWN_ENDPOINT), or dropped it by itself and said so
 *    (<endpoint-expired xmlns="urn:parley:bridge:0"/>: ICE or DTLS failed, consent lost, no
 *    media): only that member is re-invited, on the same bridge while it is healthy;
 *  - CONFERENCE_ALREADY_EXISTS or an endpoint conflict (a lost reply): retried, at most
 *    FOCUS_ALLOC_RETRIES times;
 *  - a refused session-initiate: the member's endpoint is expired and it stays FAILED
 *    (member.c). */
#include "focus/conference/conference-priv.h"

#include "common/colibri/bridge-news.h"
#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "focus/rooms/room-request.h"

#include <string.h>

#define BRIDGE_NOT_AVAILABLE "bridgeNotAvailable"

/* conference-modify @cm to bridge @to. */
static void send_colibri(FocusConference *conf, const char *to, const PaColibriConferenceModify *cm,
                         FocusIqCallback cb, gpointer data, gconstpointer owner)
{
    xmpp_ctx_t *ctx = focus_link_ctx(conf->mgr->link);
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", NULL);
    xmpp_stanza_set_from(iq, conf->mgr->occupant_jid);
    xmpp_stanza_set_to(iq, to);
    xmpp_stanza_t *body = pa_colibri_build_modify(ctx, cm);
    xmpp_stanza_add_child(iq, body);
    xmpp_stanza_release(body);
    focus_conf_send_iq(conf, iq, conf->mgr->s.colibri_timeout_ms, cb, data, owner);
}

static void modify_init(FocusConference *conf, PaColibriConferenceModify *cm)
{
    pa_colibri_modify_init(cm);
    cm->meeting_id = g_strdup(conf->meeting_id);
    cm->name = g_strdup(conf->room_jid);
}

/* The whole Colibri2 conference on @bridge expires (now, or once the bridge is back). */
static void expire_conference(FocusConference *conf, const char *bridge)
{
    focus_expiries_add(conf->mgr, bridge, conf->meeting_id, conf->room_jid, NULL);
}

/* ---- the bridge ---- */

static void set_no_bridge(FocusConference *conf, gboolean on)
{
    if (conf->no_bridge == on)
        return;
    conf->no_bridge = on;
    if (on)
        g_warning("no bridge available room=%s bridges=%u: telling participants "
                  "(bridgeNotAvailable), waiting for one",
                  conf->room_jid, focus_bridges_count(conf->mgr->bridges));
    else
        g_info("bridge available again room=%s", conf->room_jid);
    xmpp_stanza_t *el = NULL;
    if (on)
        el = pa_stanza_element(focus_link_ctx(conf->mgr->link), BRIDGE_NOT_AVAILABLE,
                               FOCUS_NS_FOCUS);
    focus_room_set_presence_extension(conf->room, BRIDGE_NOT_AVAILABLE, FOCUS_NS_FOCUS, el);
    if (el)
        xmpp_stanza_release(el);
}

gboolean focus_conf_ensure_bridge(FocusConference *conf)
{
    FocusBridges *br = conf->mgr->bridges;
    const FocusBridge *b = br ? focus_bridges_select(br, conf->bridge_jid, NULL) : NULL;
    if (!b) {
        set_no_bridge(conf, TRUE);
        return FALSE;
    }
    if (conf->bridge_jid && strcmp(conf->bridge_jid, b->jid) != 0)
        focus_conf_move(conf, "its bridge can no longer keep it"); /* members go IDLE */
    if (!conf->bridge_jid) {
        conf->bridge_jid = g_strdup(b->jid);
        g_free(conf->bridge_session_id);
        conf->bridge_session_id = g_uuid_string_random();
        g_free(conf->bridge_region);
        conf->bridge_region = g_strdup(b->stats.region);
        conf->created = FALSE;
        pa_jingle_sources_clear(&conf->feedback);
        pa_jingle_sources_init(&conf->feedback);
        g_info("conference on bridge room=%s bridge=%s session=%s stress=%.3f", conf->room_jid,
               conf->bridge_jid, conf->bridge_session_id, b->stats.stress);
    }
    set_no_bridge(conf, FALSE);
    return TRUE;
}

void focus_conf_move(FocusConference *conf, const char *why)
{
    g_autofree char *old = g_steal_pointer(&conf->bridge_jid);
    g_warning("moving conference room=%s from bridge=%s: %s", conf->room_jid, old ? old : "-", why);
    /* Free what it holds there: now if it is in the brewery, else if it comes back (it may
     * only have been away, and then still have it). */
    if (old && conf->created)
        expire_conference(conf, old);
    conf->created = FALSE;
    g_clear_pointer(&conf->bridge_session_id, g_free);
    g_clear_pointer(&conf->bridge_region, g_free);
    pa_jingle_sources_clear(&conf->feedback);
    pa_jingle_sources_init(&conf->feedback);
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++) {
        FocusMember *m = all->pdata[i];
        g_clear_pointer(&m->endpoint_bridge, g_free);
        if (m->state != FOCUS_MEMBER_ALLOCATING && m->state != FOCUS_MEMBER_INVITED &&
            m->state != FOCUS_MEMBER_ACTIVE)
            continue;
        focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
        focus_member_terminate(m, "success", "moving");
        focus_member_forget_session(m);
        focus_member_set_state(m, FOCUS_MEMBER_IDLE, "the conference moves");
        m->alloc_retries = 0;
    }
    focus_conf_evaluate(conf);
}

void focus_conf_session_failed(FocusConference *conf, gboolean bridge_failed, const char *why)
{
    FocusBridges *br = conf->mgr->bridges;
    if (bridge_failed && conf->bridge_jid && br && focus_bridges_lookup(br, conf->bridge_jid)) {
        /* Reported down: every conference on it moves, this one included. */
        g_autofree char *jid = g_strdup(conf->bridge_jid);
        focus_bridges_mark_failed(br, jid, FOCUS_BRIDGE_FAILURE_MS, why);
        if (g_strcmp0(conf->bridge_jid, jid) != 0)
            return;
    }
    focus_conf_move(conf, why);
}

void focus_conf_end_bridge_session(FocusConference *conf)
{
    if (conf->bridge_jid && conf->created)
        expire_conference(conf, conf->bridge_jid);
    g_clear_pointer(&conf->bridge_jid, g_free);
    conf->created = FALSE;
}

/* ---- endpoints ---- */

static guint endpoints_on(FocusConference *conf, const char *bridge)
{
    guint n = 0;
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++)
        n += g_strcmp0(((FocusMember *)all->pdata[i])->endpoint_bridge, bridge) == 0;
    return n;
}

void focus_conf_expire_endpoint(FocusMember *m)
{
    FocusConference *conf = m->conf;
    if (!m->endpoint_bridge)
        return;
    g_autofree char *bridge = g_steal_pointer(&m->endpoint_bridge);
    focus_expiries_add(conf->mgr, bridge, conf->meeting_id, conf->room_jid, m->nick);
    /* The bridge ends a conference with its last endpoint: the next one creates it again. */
    if (g_strcmp0(bridge, conf->bridge_jid) == 0 && endpoints_on(conf, bridge) == 0)
        conf->created = FALSE;
}

static void update_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    FocusMember *m = data;
    FocusConference *conf = m->conf;
    if (outcome == FOCUS_IQ_RESULT || outcome == FOCUS_IQ_DISCONNECTED)
        return;
    if (outcome == FOCUS_IQ_TIMEOUT) {
        focus_conf_session_failed(conf, TRUE, "an endpoint update timed out");
        return;
    }
    PaColibriError err = pa_colibri_error_parse(reply, NULL);
    const char *cond = pa_stanza_error_condition(reply);
    g_warning("endpoint update refused room=%s ep=%s bridge=%s: %s %s", conf->room_jid, m->nick,
              conf->bridge_jid ? conf->bridge_jid : "-", cond ? cond : "?",
              pa_colibri_error_reason(err) ? pa_colibri_error_reason(err) : "");
    if (err == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT) {
        g_clear_pointer(&m->endpoint_bridge, g_free);
        focus_member_reinvite(m, TRUE, "the bridge lost its endpoint");
    } else if (err == PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND) {
        focus_conf_session_failed(conf, FALSE, "the bridge lost the conference");
    } else if (g_strcmp0(cond, "bad-request") == 0) {
        /* What the client sent did not suit the bridge: that endpoint only. */
        focus_member_reinvite(m, TRUE, "the bridge refused its transport or sources");
    } else {
        focus_conf_session_failed(conf, TRUE, "an endpoint update failed");
    }
}

void focus_conf_update_endpoint(FocusMember *m, const PaTransport *transport, gboolean with_sources,
                                gint initial_last_n)
{
    FocusConference *conf = m->conf;
    if (!m->endpoint_bridge)
        return;
    PaColibriConferenceModify cm;
    modify_init(conf, &cm);
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(cm.endpoints, m->nick);
    ep->stats_id = g_strdup(m->stats_id);
    if (transport) {
        ep->has_transport = TRUE;
        ep->has_ice = TRUE;
        pa_transport_copy(&ep->ice, transport);
        /* Never echo a URL the client may have put there. */
        g_clear_pointer(&ep->ice.websocket_url, g_free);
    }
    if (with_sources) {
        ep->has_sources = TRUE;
        g_array_unref(ep->sources);
        ep->sources = focus_sources_to_colibri(&m->sources);
    }
    if (initial_last_n >= -1) {
        ep->has_initial_last_n = TRUE;
        ep->initial_last_n = initial_last_n;
    }
    send_colibri(conf, m->endpoint_bridge, &cm, update_done, m, &m->alloc_token);
    pa_colibri_modify_clear(&cm);
}

/* ---- allocation ---- */

static void alloc_retry(FocusMember *m, const char *why)
{
    FocusConference *conf = m->conf;
    if (m->alloc_retries++ >= FOCUS_ALLOC_RETRIES) {
        focus_conf_session_failed(conf, TRUE, why);
        return;
    }
    g_info("allocation retry room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    focus_member_set_state(m, FOCUS_MEMBER_IDLE, why);
    focus_conf_evaluate(conf); /* invites it again (and anyone a bridge change reset) */
}

static void alloc_refused(FocusMember *m, xmpp_stanza_t *reply)
{
    FocusConference *conf = m->conf;
    PaColibriError err = pa_colibri_error_parse(reply, NULL);
    const char *cond = pa_stanza_error_condition(reply);
    g_warning("allocation refused room=%s ep=%s bridge=%s: %s %s", conf->room_jid, m->nick,
              conf->bridge_jid ? conf->bridge_jid : "-", cond ? cond : "?",
              pa_colibri_error_reason(err) ? pa_colibri_error_reason(err) : "");
    if (err == PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS) {
        conf->created = TRUE;
        alloc_retry(m, "the conference existed already");
    } else if (g_strcmp0(cond, "conflict") == 0) {
        focus_conf_expire_endpoint(m);
        alloc_retry(m, "the endpoint existed already");
    } else if (err == PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND) {
        focus_conf_session_failed(conf, FALSE, "the bridge does not know the conference");
    } else {
        focus_conf_session_failed(conf, TRUE, "an allocation failed");
    }
}

static void alloc_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    FocusMember *m = data;
    FocusConference *conf = m->conf;
    if (m->state != FOCUS_MEMBER_ALLOCATING)
        return;
    if (outcome == FOCUS_IQ_DISCONNECTED) {
        /* Retried once the room is back. The request may or may not have reached the bridge:
         * the endpoint it may have made is expired first (focus_expiries_flush() sends that
         * before the next allocation). */
        focus_member_set_state(m, FOCUS_MEMBER_IDLE, "the connection dropped");
        focus_conf_expire_endpoint(m);
        if (m->alloc_had_create)
            conf->created = FALSE;
        return;
    }
    if (outcome == FOCUS_IQ_TIMEOUT) {
        focus_conf_session_failed(conf, TRUE, "an allocation timed out");
        return;
    }
    if (outcome == FOCUS_IQ_ERROR) {
        alloc_refused(m, reply);
        return;
    }
    PaColibriConferenceModified mod;
    g_autofree char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modified(reply, &mod, &why);
    const PaColibriEndpoint *ep = NULL;
    for (guint i = 0; st == PA_COLIBRI_OK && i < mod.endpoints->len; i++) {
        const PaColibriEndpoint *e = &g_array_index(mod.endpoints, PaColibriEndpoint, i);
        if (g_strcmp0(e->id, m->nick) == 0 && e->has_ice)
            ep = e;
    }
    if (!ep) {
        g_warning("allocation answer unusable room=%s ep=%s bridge=%s: %s", conf->room_jid, m->nick,
                  conf->bridge_jid, why ? why : "no transport for the endpoint");
        pa_colibri_modified_clear(&mod);
        focus_conf_session_failed(conf, TRUE, "an allocation answer had no transport");
        return;
    }
    if (mod.has_sources && mod.sources->len) {
        pa_jingle_sources_clear(&conf->feedback);
        pa_jingle_sources_init(&conf->feedback);
        focus_sources_from_colibri(mod.sources, "jvb", &conf->feedback);
    }
    g_info("endpoint allocated room=%s ep=%s bridge=%s ufrag=%s candidates=%u", conf->room_jid,
           m->nick, conf->bridge_jid, ep->ice.ufrag ? ep->ice.ufrag : "-", ep->ice.candidates->len);
    focus_member_offer(m, &ep->ice);
    pa_colibri_modified_clear(&mod);
}

void focus_conf_allocate(FocusMember *m)
{
    FocusConference *conf = m->conf;
    FocusConferences *mgr = conf->mgr;
    focus_member_set_state(m, FOCUS_MEMBER_ALLOCATING, "a bridge is there");
    m->invited_before = TRUE;
    PaColibriConferenceModify cm;
    modify_init(conf, &cm);
    cm.create = !conf->created;
    m->alloc_had_create = cm.create;
    conf->created = TRUE;
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(cm.endpoints, m->nick);
    ep->create = TRUE;
    ep->stats_id = g_strdup(m->stats_id);
    g_strfreev(ep->capabilities);
    ep->capabilities = g_new0(char *, 2);
    ep->capabilities[0] = g_strdup("source-names");
    focus_offer_colibri_media(ep->media, &m->features, &mgr->s.offer);
    ep->has_transport = TRUE;
    ep->ice_controlling = TRUE;
    if (!pa_jingle_sources_empty(&m->sources)) {
        ep->has_sources = TRUE;
        g_array_unref(ep->sources);
        ep->sources = focus_sources_to_colibri(&m->sources);
    }
    g_free(m->endpoint_bridge);
    m->endpoint_bridge = g_strdup(conf->bridge_jid);
    g_info("allocating endpoint room=%s ep=%s bridge=%s%s", conf->room_jid, m->nick,
           conf->bridge_jid, cm.create ? " (creating the conference)" : "");
    focus_expiries_flush(mgr, conf->bridge_jid, conf->meeting_id); /* they go first */
    send_colibri(conf, conf->bridge_jid, &cm, alloc_done, m, &m->alloc_token);
    pa_colibri_modify_clear(&cm);
}

/* ---- news from bridges ---- */

static FocusConference *conference_by_meeting(FocusConferences *mgr, const char *meeting_id)
{
    for (guint i = 0; i < mgr->all->len; i++) {
        FocusConference *conf = mgr->all->pdata[i];
        if (g_strcmp0(conf->meeting_id, meeting_id) == 0)
            return conf;
    }
    return NULL;
}

/* The bridge @b dropped @m's endpoint by itself: the bridge has forgotten it (nothing to
 * expire), and @m gets a new session at once (same bridge while it can keep the conference,
 * else the conference moves: focus_conf_ensure_bridge()). */
static void endpoint_dropped(FocusMember *m, const FocusBridge *b, const PaBridgeExpired *e)
{
    FocusConference *conf = m->conf;
    g_warning("bridge dropped an endpoint room=%s ep=%s bridge=%s reason=%s (%s) state=%s",
              conf->room_jid, m->nick, b->jid, pa_bridge_expired_reason_str(e->reason),
              e->text ? e->text : "no details", focus_member_state_str(m->state));
    if (e->conference_ended && g_strcmp0(conf->bridge_jid, b->jid) == 0)
        conf->created = FALSE;
    if (m->state != FOCUS_MEMBER_INVITED && m->state != FOCUS_MEMBER_ACTIVE)
        return; /* an allocation in flight decides by its own reply */
    g_clear_pointer(&m->endpoint_bridge, g_free);
    g_autofree char *why = g_strdup_printf("the bridge dropped its endpoint (%s%s%s)",
                                           pa_bridge_expired_reason_str(e->reason),
                                           e->text ? ": " : "", e->text ? e->text : "");
    focus_member_reinvite(m, TRUE, why);
}

void focus_conferences_handle_bridge_news(FocusConferences *mgr, xmpp_stanza_t *iq)
{
    FocusLink *link = mgr->link;
    const char *from = xmpp_stanza_get_from(iq);
    const FocusBridge *b = mgr->bridges && from ? focus_bridges_find(mgr->bridges, from) : NULL;
    if (!b) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING, "bridge news from %s refused: not a bridge",
                            from ? from : "?");
        focus_link_reply_error(link, iq, PA_ERR_AUTH, "forbidden",
                               "only bridges of this focus's brewery send this");
        return;
    }
    PaBridgeExpired e;
    g_autofree char *why = NULL;
    if (g_strcmp0(xmpp_stanza_get_type(iq), "set") != 0 || !pa_bridge_expired_parse(iq, &e, &why)) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING, "malformed bridge news from %s: %s", from,
                            why ? why : "not an IQ set");
        focus_link_reply_error(link, iq, PA_ERR_MODIFY, "bad-request",
                               why ? why : "an IQ set is expected");
        return;
    }
    FocusConference *conf = conference_by_meeting(mgr, e.meeting_id);
    FocusMember *m =
        conf ? focus_conf_member(conf, focus_room_participant(conf->room, e.endpoint)) : NULL;
    if (!m || g_strcmp0(m->endpoint_bridge, b->jid) != 0) {
        /* Old news: the participant left, moved, or was re-invited meanwhile. */
        g_info("bridge %s dropped endpoint %s of meeting %s: nothing of ours there any more",
               b->jid, e.endpoint, e.meeting_id);
        focus_link_reply_error(link, iq, PA_ERR_CANCEL, "item-not-found",
                               "no such endpoint of this focus on that bridge");
    } else {
        focus_link_reply_result(link, iq);
        endpoint_dropped(m, b, &e);
    }
    pa_bridge_expired_clear(&e);
}
