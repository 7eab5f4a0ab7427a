/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. A FocusConference lives in its room's data slot and a
 * Member in its participant's session slot; both are freed with them. Their IQs and timers on
 * the link are owned by the member (disco, Jingle), by &member->alloc_token (Colibri2
 * requests about the member's endpoint, cancelled when it moves) or by the conference.
 *
 * Failure paths:
 *  - no bridge that can take the conference: bridgeNotAvailable in the focus's presence; the
 *    members wait (IDLE) and are invited when a bridge comes up;
 *  - the bridge leaves the brewery, reports itself unhealthy or shutting down, or a
 *    conference-modify fails or times out (the bridge is then skipped for
 *    FOCUS_BRIDGE_FAILURE_MS): the conference moves, every invited member gets
 *    session-terminate (success, "moving") and a new session-initiate on the next bridge;
 *  - the bridge lost one endpoint (UNKNOWN_ENDPOINT): only that member is re-invited;
 *  - CONFERENCE_ALREADY_EXISTS or an endpoint conflict (a lost reply): retried, at most
 *    FOCUS_ALLOC_RETRIES times;
 *  - a refused session-initiate: the member's endpoint is expired and it stays FAILED. */
#include "focus/conference/conference-priv.h"

#include "common/colibri/colibri.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/rooms/room-request.h"

#include <string.h>

#define BRIDGE_NOT_AVAILABLE "bridgeNotAvailable"

const char *focus_member_state_str(MemberState st)
{
    switch (st) {
    case MEMBER_IDLE:
        return "idle";
    case MEMBER_ALLOCATING:
        return "allocating";
    case MEMBER_INVITED:
        return "invited";
    case MEMBER_ACTIVE:
        return "active";
    case MEMBER_ENDED:
        return "ended";
    case MEMBER_FAILED:
        return "failed";
    }
    return "?";
}

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

FocusConferences *focus_conferences_new(FocusLink *link, const FocusConferenceSettings *settings)
{
    g_return_val_if_fail(link && settings && settings->occupant_jid, NULL);
    FocusConferences *mgr = g_new0(FocusConferences, 1);
    mgr->link = link;
    mgr->s = *settings;
    mgr->occupant_jid = g_strdup(settings->occupant_jid);
    mgr->s.occupant_jid = mgr->occupant_jid;
    mgr->all = g_ptr_array_new();
    mgr->peer_rl = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 20);
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
    g_free(mgr->occupant_jid);
    g_free(mgr);
}

void focus_conferences_set_bridges(FocusConferences *mgr, FocusBridges *bridges)
{
    mgr->bridges = bridges;
}

void focus_conferences_set_registry(FocusConferences *mgr, FocusRegistry *registry)
{
    mgr->registry = registry;
}

/* ---- members ---- */

static void member_free(gpointer data)
{
    Member *m = data;
    FocusLink *link = m->conf && m->conf->mgr ? m->conf->mgr->link : NULL;
    if (link) {
        focus_link_cancel_owner(link, m);
        focus_link_cancel_owner(link, &m->alloc_token);
    }
    focus_jingle_session_free(m->session);
    for (guint i = 0; m->ended_sids[i]; i++)
        g_free(m->ended_sids[i]);
    pa_jingle_sources_clear(&m->sources);
    g_free(m->nick);
    g_free(m->occupant_jid);
    g_free(m->stats_id);
    g_free(m->endpoint_bridge);
    g_free(m->initiate_sid);
    g_free(m);
}

static Member *member_of(FocusParticipant *p)
{
    return p && p->session && p->session_free == member_free ? p->session : NULL;
}

Member *focus_conf_member_of(FocusParticipant *p)
{
    return member_of(p);
}

void focus_member_forget_session(Member *m)
{
    if (!m->session)
        return;
    g_free(m->ended_sids[FOCUS_ENDED_SIDS_KEPT - 1]);
    memmove(&m->ended_sids[1], &m->ended_sids[0],
            (FOCUS_ENDED_SIDS_KEPT - 1) * sizeof m->ended_sids[0]);
    m->ended_sids[0] = g_strdup(m->session->sid);
    m->ended_sids[FOCUS_ENDED_SIDS_KEPT] = NULL;
    focus_jingle_session_free(m->session);
    m->session = NULL;
}

/* Members of @conf in join order (transfer container). */
static GPtrArray *members(FocusConference *conf)
{
    GPtrArray *out = g_ptr_array_new();
    g_autoptr(GPtrArray) all = focus_room_participants(conf->room);
    for (guint i = 0; i < all->len; i++) {
        Member *m = member_of(all->pdata[i]);
        if (m)
            g_ptr_array_add(out, m);
    }
    return out;
}

/* ---- conferences ---- */

static void conf_free(gpointer data)
{
    FocusConference *conf = data;
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

static FocusConference *conf_of(FocusRoom *room)
{
    return focus_room_get_data(room);
}

static FocusConference *conf_get(FocusConferences *mgr, FocusRoom *room)
{
    FocusConference *conf = focus_room_get_data(room);
    if (conf)
        return conf;
    conf = g_new0(FocusConference, 1);
    conf->mgr = mgr;
    conf->room = room;
    conf->room_jid = g_strdup(focus_room_jid(room));
    conf->meeting_id = g_uuid_string_random();
    pa_jingle_sources_init(&conf->feedback);
    focus_room_set_data(room, conf, conf_free);
    g_ptr_array_add(mgr->all, conf);
    g_info("conference room=%s meeting-id=%s", conf->room_jid, conf->meeting_id);
    return conf;
}

FocusConference *focus_conferences_lookup(FocusConferences *mgr, const char *room_jid)
{
    FocusRoom *room = mgr->registry ? focus_registry_lookup(mgr->registry, room_jid) : NULL;
    return room ? conf_of(room) : NULL;
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

static Member *member_by_nick(FocusConference *conf, const char *nick)
{
    return member_of(focus_room_participant(conf->room, nick));
}

const FocusJingleSession *focus_conference_session(FocusConference *conf, const char *nick)
{
    Member *m = member_by_nick(conf, nick);
    return m ? m->session : NULL;
}

const PaJingleSources *focus_conference_sources(FocusConference *conf, const char *nick)
{
    Member *m = member_by_nick(conf, nick);
    return m ? &m->sources : NULL;
}

/* ---- sending ---- */

void focus_conf_send(FocusConference *conf, xmpp_stanza_t *stanza)
{
    focus_link_send(conf->mgr->link, stanza);
    xmpp_stanza_release(stanza);
}

static void ignore_reply(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                         gpointer data)
{
    if (outcome == FOCUS_IQ_ERROR || outcome == FOCUS_IQ_TIMEOUT)
        g_debug("IQ to %s: %s %s", reply ? xmpp_stanza_get_from(reply) : "?",
                focus_iq_outcome_str(outcome),
                reply && pa_stanza_error_condition(reply) ? pa_stanza_error_condition(reply) : "");
}

/* Sends IQ @iq (transfer full) and calls @cb (NULL: ignore the reply). */
static void send_iq(FocusConference *conf, xmpp_stanza_t *iq, guint timeout_ms, FocusIqCallback cb,
                    gpointer data, gconstpointer owner)
{
    focus_link_send_iq(conf->mgr->link, iq, timeout_ms, cb ? cb : ignore_reply, data, owner);
    xmpp_stanza_release(iq);
}

/* conference-modify @m to bridge @to. */
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
    send_iq(conf, iq, conf->mgr->s.colibri_timeout_ms, cb, data, owner);
}

static void modify_init(FocusConference *conf, PaColibriConferenceModify *cm)
{
    pa_colibri_modify_init(cm);
    cm->meeting_id = g_strdup(conf->meeting_id);
    cm->name = g_strdup(conf->room_jid);
}

/* ---- the focus's presence ---- */

static void conf_set_no_bridge(FocusConference *conf, gboolean on)
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

/* ---- sources ---- */

void focus_conf_remote_sources(FocusConference *conf, Member *m, PaJingleSources *out)
{
    /* The bridge's sources first: lib-jitsi-meet puts them on its first m-lines. */
    pa_jingle_sources_append(out, &conf->feedback);
    g_autoptr(GPtrArray) all = members(conf);
    for (guint i = 0; i < all->len; i++) {
        Member *o = all->pdata[i];
        if (o != m)
            focus_sources_strip_simulcast(&o->sources, out);
    }
}

FocusSsrcOwners *focus_conf_ssrc_owners(FocusConference *conf, Member *except)
{
    FocusSsrcOwners *owners = g_hash_table_new(g_direct_hash, g_direct_equal);
    focus_sources_add_owners(owners, &conf->feedback, "the bridge");
    g_autoptr(GPtrArray) all = members(conf);
    for (guint i = 0; i < all->len; i++) {
        Member *o = all->pdata[i];
        if (o != except)
            focus_sources_add_owners(owners, &o->sources, o->nick);
    }
    return owners;
}

void focus_conf_sync_member(Member *m)
{
    if (!m->session || m->session->state != FOCUS_JINGLE_ACTIVE)
        return;
    FocusConference *conf = m->conf;
    PaJingleSources want, added, removed;
    pa_jingle_sources_init(&want);
    pa_jingle_sources_init(&added);
    pa_jingle_sources_init(&removed);
    focus_conf_remote_sources(conf, m, &want);
    focus_sources_diff(&m->session->signalled, &want, &added, &removed);
    xmpp_ctx_t *ctx = focus_link_ctx(conf->mgr->link);
    if (!pa_jingle_sources_empty(&removed)) {
        g_info("source-remove room=%s ep=%s sid=%s sources=%u groups=%u", conf->room_jid, m->nick,
               m->session->sid, removed.sources->len, removed.groups->len);
        send_iq(conf, focus_jingle_sources_iq(ctx, m->session, PA_JINGLE_SOURCE_REMOVE, &removed),
                conf->mgr->s.jingle_timeout_ms, NULL, NULL, m);
    }
    if (!pa_jingle_sources_empty(&added)) {
        g_info("source-add room=%s ep=%s sid=%s sources=%u groups=%u", conf->room_jid, m->nick,
               m->session->sid, added.sources->len, added.groups->len);
        send_iq(conf, focus_jingle_sources_iq(ctx, m->session, PA_JINGLE_SOURCE_ADD, &added),
                conf->mgr->s.jingle_timeout_ms, NULL, NULL, m);
    }
    pa_jingle_sources_copy(&m->session->signalled, &want);
    pa_jingle_sources_clear(&want);
    pa_jingle_sources_clear(&added);
    pa_jingle_sources_clear(&removed);
}

void focus_conf_sync_all(FocusConference *conf, Member *except)
{
    g_autoptr(GPtrArray) all = members(conf);
    for (guint i = 0; i < all->len; i++)
        if (all->pdata[i] != except)
            focus_conf_sync_member(all->pdata[i]);
}

/* ---- endpoints on the bridge ---- */

static guint endpoints_on(FocusConference *conf, const char *bridge)
{
    guint n = 0;
    g_autoptr(GPtrArray) all = members(conf);
    for (guint i = 0; i < all->len; i++)
        n += g_strcmp0(((Member *)all->pdata[i])->endpoint_bridge, bridge) == 0;
    return n;
}

void focus_conf_expire_endpoint(Member *m)
{
    FocusConference *conf = m->conf;
    if (!m->endpoint_bridge)
        return;
    g_autofree char *bridge = g_steal_pointer(&m->endpoint_bridge);
    PaColibriConferenceModify cm;
    modify_init(conf, &cm);
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(cm.endpoints, m->nick);
    ep->expire = TRUE;
    send_colibri(conf, bridge, &cm, NULL, NULL, conf);
    pa_colibri_modify_clear(&cm);
    /* The bridge ends a conference with its last endpoint: the next one creates it again. */
    if (g_strcmp0(bridge, conf->bridge_jid) == 0 && endpoints_on(conf, bridge) == 0)
        conf->created = FALSE;
}

static void update_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    Member *m = data;
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
        g_free(m->endpoint_bridge);
        m->endpoint_bridge = NULL;
        focus_conf_reinvite(m, TRUE, "the bridge lost its endpoint");
    } else if (err == PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND) {
        focus_conf_session_failed(conf, FALSE, "the bridge lost the conference");
    } else if (g_strcmp0(cond, "bad-request") == 0) {
        /* What the client sent did not suit the bridge: that endpoint only. */
        focus_conf_reinvite(m, TRUE, "the bridge refused its transport or sources");
    } else {
        focus_conf_session_failed(conf, TRUE, "an endpoint update failed");
    }
}

void focus_conf_update_endpoint(Member *m, const PaTransport *transport, gboolean with_sources,
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

/* ---- invitation ---- */

static void initiate_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                          gpointer data)
{
    Member *m = data;
    FocusConference *conf = m->conf;
    if (!m->session || g_strcmp0(m->session->sid, m->initiate_sid) != 0)
        return;
    switch (outcome) {
    case FOCUS_IQ_RESULT:
        g_debug("session-initiate acknowledged room=%s ep=%s sid=%s", conf->room_jid, m->nick,
                m->session->sid);
        return;
    case FOCUS_IQ_TIMEOUT:
        /* As Jicofo: a slow client may still accept; the session stays pending. */
        g_info("session-initiate not acknowledged in time room=%s ep=%s sid=%s", conf->room_jid,
               m->nick, m->session->sid);
        return;
    case FOCUS_IQ_DISCONNECTED:
        return;
    case FOCUS_IQ_ERROR:
        break;
    }
    const char *cond = pa_stanza_error_condition(reply);
    g_warning("session-initiate refused room=%s ep=%s sid=%s: %s", conf->room_jid, m->nick,
              m->session->sid, cond ? cond : "?");
    m->session->state = FOCUS_JINGLE_ENDED;
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    m->state = MEMBER_FAILED;
}

static void send_offer(Member *m, const PaTransport *transport)
{
    FocusConference *conf = m->conf;
    FocusConferences *mgr = conf->mgr;
    focus_member_forget_session(m);
    m->session =
        focus_jingle_session_new(mgr->occupant_jid, m->occupant_jid, m->features.json_sources,
                                 conf->bridge_session_id, conf->bridge_region);
    PaJingleSources remote;
    pa_jingle_sources_init(&remote);
    focus_conf_remote_sources(conf, m, &remote);
    PaJingle offer;
    pa_jingle_init(&offer);
    FocusOfferParams params = {
        .sid = m->session->sid,
        .initiator = mgr->occupant_jid,
        .transport = transport,
        .bridge_session_id = conf->bridge_session_id,
        .region = conf->bridge_region,
        .sources = &remote,
        .features = &m->features,
        .config = &mgr->s.offer,
    };
    focus_offer_build(&offer, &params);
    xmpp_stanza_t *iq = focus_jingle_initiate_iq(focus_link_ctx(mgr->link), m->session, &offer);
    pa_jingle_sources_copy(&m->session->signalled, &remote);
    g_free(m->initiate_sid);
    m->initiate_sid = g_strdup(m->session->sid);
    m->state = MEMBER_INVITED;
    m->alloc_retries = 0;
    g_info("session-initiate room=%s ep=%s sid=%s bridge=%s sources=%u (%s form) "
           "candidates=%u",
           conf->room_jid, m->nick, m->session->sid, conf->bridge_jid, remote.sources->len,
           m->features.json_sources ? "JSON" : "XML",
           transport->candidates ? transport->candidates->len : 0);
    send_iq(conf, iq, mgr->s.jingle_timeout_ms, initiate_done, m, m);
    pa_jingle_clear(&offer);
    pa_jingle_sources_clear(&remote);
}

static void alloc_retry(Member *m, const char *why)
{
    FocusConference *conf = m->conf;
    if (m->alloc_retries++ >= FOCUS_ALLOC_RETRIES) {
        focus_conf_session_failed(conf, TRUE, why);
        return;
    }
    g_info("allocation retry room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    m->state = MEMBER_IDLE;
    focus_conf_evaluate(conf); /* invites it again (and anyone a bridge change reset) */
}

static void alloc_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    Member *m = data;
    FocusConference *conf = m->conf;
    if (m->state != MEMBER_ALLOCATING)
        return;
    if (outcome == FOCUS_IQ_DISCONNECTED) {
        /* Retried once the room is back (the create may not have arrived). */
        m->state = MEMBER_IDLE;
        if (m->alloc_had_create)
            conf->created = FALSE;
        return;
    }
    if (outcome == FOCUS_IQ_TIMEOUT) {
        focus_conf_session_failed(conf, TRUE, "an allocation timed out");
        return;
    }
    if (outcome == FOCUS_IQ_ERROR) {
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
    send_offer(m, &ep->ice);
    pa_colibri_modified_clear(&mod);
}

/* The conference's bridge: the one it is on, or a new one. FALSE when there is none. */
static gboolean conf_ensure_bridge(FocusConference *conf)
{
    FocusBridges *br = conf->mgr->bridges;
    const FocusBridge *b = br ? focus_bridges_select(br, conf->bridge_jid, NULL) : NULL;
    if (!b) {
        conf_set_no_bridge(conf, TRUE);
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
    conf_set_no_bridge(conf, FALSE);
    return TRUE;
}

static void member_invite(Member *m)
{
    FocusConference *conf = m->conf;
    FocusConferences *mgr = conf->mgr;
    if (!conf_ensure_bridge(conf))
        return;
    m->state = MEMBER_ALLOCATING;
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
    send_colibri(conf, conf->bridge_jid, &cm, alloc_done, m, &m->alloc_token);
    pa_colibri_modify_clear(&cm);
}

static void disco_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                       gpointer data);

/* Features are asked for when the participant is about to be invited (a bridge is there and
 * the room is big enough), not on join: a participant who stays alone costs nothing. */
static void member_disco(Member *m)
{
    FocusConferences *mgr = m->conf->mgr;
    m->disco_pending = TRUE;
    send_iq(
        m->conf,
        focus_features_disco_request(focus_link_ctx(mgr->link), mgr->occupant_jid, m->occupant_jid),
        mgr->s.disco_timeout_ms, disco_done, m, m);
}

void focus_conf_evaluate(FocusConference *conf)
{
    if (!conf->mgr || focus_room_state(conf->room) != FOCUS_ROOM_READY)
        return;
    /* Moves and retries call back in here: run the loop once, again if asked. */
    if (conf->evaluating) {
        conf->reevaluate = TRUE;
        return;
    }
    conf->evaluating = TRUE;
    do {
        conf->reevaluate = FALSE;
        g_autoptr(GPtrArray) all = focus_room_participants(conf->room);
        guint present = 0;
        for (guint i = 0; i < all->len; i++)
            present += !((FocusParticipant *)all->pdata[i])->stale;
        /* A member invited before (moved, restarted) is invited again whatever the count. */
        gboolean enough = present >= conf->mgr->s.min_participants;
        for (guint i = 0; i < all->len; i++) {
            Member *m = member_of(all->pdata[i]);
            if (!m || m->state != MEMBER_IDLE || ((FocusParticipant *)all->pdata[i])->stale)
                continue;
            if (!enough && !m->invited_before)
                continue;
            if (m->features_known)
                member_invite(m);
            else if (!m->disco_pending && conf_ensure_bridge(conf))
                member_disco(m);
            if (conf->no_bridge)
                break; /* the others would not find one either */
        }
    } while (conf->reevaluate);
    conf->evaluating = FALSE;
}

/* ---- moving, re-inviting, ending ---- */

static void send_terminate(Member *m, const char *reason, const char *text)
{
    if (!m->session || m->session->state == FOCUS_JINGLE_ENDED)
        return;
    FocusConference *conf = m->conf;
    g_info("session-terminate room=%s ep=%s sid=%s reason=%s%s%s", conf->room_jid, m->nick,
           m->session->sid, reason, text ? " text=" : "", text ? text : "");
    send_iq(conf,
            focus_jingle_terminate_iq(focus_link_ctx(conf->mgr->link), m->session, reason, text),
            conf->mgr->s.jingle_timeout_ms, NULL, NULL, m);
    m->session->state = FOCUS_JINGLE_ENDED;
}

void focus_conf_reinvite(Member *m, gboolean terminate, const char *why)
{
    FocusConference *conf = m->conf;
    g_info("re-inviting room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    if (terminate)
        send_terminate(m, "success", "moving");
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    m->state = MEMBER_IDLE;
    m->alloc_retries = 0;
    focus_conf_evaluate(conf);
}

void focus_conf_end_session(Member *m, const char *why)
{
    FocusConference *conf = m->conf;
    g_info("session ended room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    m->state = MEMBER_ENDED;
    if (!pa_jingle_sources_empty(&m->sources)) {
        pa_jingle_sources_clear(&m->sources);
        pa_jingle_sources_init(&m->sources);
        focus_conf_sync_all(conf, m);
    }
}

void focus_conf_move(FocusConference *conf, const char *why)
{
    g_autofree char *old = g_steal_pointer(&conf->bridge_jid);
    g_warning("moving conference room=%s from bridge=%s: %s", conf->room_jid, old ? old : "-", why);
    FocusBridges *br = conf->mgr->bridges;
    if (old && conf->created && br && focus_bridges_lookup(br, old)) {
        /* Still in the brewery: free what the conference holds there. */
        PaColibriConferenceModify cm;
        modify_init(conf, &cm);
        cm.expire = TRUE;
        send_colibri(conf, old, &cm, NULL, NULL, conf);
        pa_colibri_modify_clear(&cm);
    }
    conf->created = FALSE;
    g_clear_pointer(&conf->bridge_session_id, g_free);
    g_clear_pointer(&conf->bridge_region, g_free);
    pa_jingle_sources_clear(&conf->feedback);
    pa_jingle_sources_init(&conf->feedback);
    g_autoptr(GPtrArray) all = members(conf);
    for (guint i = 0; i < all->len; i++) {
        Member *m = all->pdata[i];
        g_clear_pointer(&m->endpoint_bridge, g_free);
        if (m->state != MEMBER_ALLOCATING && m->state != MEMBER_INVITED &&
            m->state != MEMBER_ACTIVE)
            continue;
        focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
        send_terminate(m, "success", "moving");
        focus_member_forget_session(m);
        m->state = MEMBER_IDLE;
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

/* ---- room hooks ---- */

static void disco_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    Member *m = data;
    m->disco_pending = FALSE;
    if (outcome == FOCUS_IQ_DISCONNECTED)
        return; /* asked again once the room is back */
    if (outcome == FOCUS_IQ_RESULT)
        focus_features_from_disco(&m->features, reply);
    else
        focus_features_default(&m->features);
    m->features_known = TRUE;
    g_autofree char *f = focus_features_str(&m->features);
    g_info("participant features room=%s ep=%s (%s): %s", m->conf->room_jid, m->nick,
           outcome == FOCUS_IQ_RESULT ? "disco#info" : "assumed", f);
    focus_conf_evaluate(m->conf);
}

static void hook_joined(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    FocusConferences *mgr = data;
    FocusConference *conf = conf_get(mgr, room);
    if (p->session)
        return;
    Member *m = g_new0(Member, 1);
    m->conf = conf;
    m->nick = g_strdup(p->nick);
    m->occupant_jid = g_strdup_printf("%s/%s", conf->room_jid, p->nick);
    m->stats_id = g_strdup(p->stats_id);
    m->state = MEMBER_IDLE;
    pa_jingle_sources_init(&m->sources);
    focus_restart_limit_init(&m->restarts);
    p->session = m;
    p->session_free = member_free;
    focus_conf_evaluate(conf);
}

static void hook_left(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    Member *m = member_of(p);
    if (!m)
        return;
    FocusConference *conf = m->conf;
    focus_link_cancel_owner(conf->mgr->link, m);
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    if (m->session || m->endpoint_bridge || !pa_jingle_sources_empty(&m->sources))
        focus_conf_end_session(m, "left the room");
}

static void hook_ready(FocusRoom *room, gpointer data)
{
    focus_conf_evaluate(conf_get(data, room));
}

static void hook_gone(FocusRoom *room, gpointer data)
{
    FocusConference *conf = conf_of(room);
    if (!conf)
        return;
    if (conf->bridge_jid && conf->created) {
        PaColibriConferenceModify cm;
        modify_init(conf, &cm);
        cm.expire = TRUE;
        send_colibri(conf, conf->bridge_jid, &cm, NULL, NULL, conf);
        pa_colibri_modify_clear(&cm);
    }
    g_clear_pointer(&conf->bridge_jid, g_free);
    conf->created = FALSE;
}

void focus_conferences_room_hooks(FocusRoomHooks *hooks)
{
    memset(hooks, 0, sizeof *hooks);
    hooks->participant_joined = hook_joined;
    hooks->participant_left = hook_left;
    hooks->ready = hook_ready;
    hooks->gone = hook_gone;
}

/* ---- bridge events ---- */

static void on_bridge_up(FocusBridges *bridges, const FocusBridge *bridge, gpointer data)
{
    FocusConferences *mgr = data;
    g_autoptr(GPtrArray) snap = g_ptr_array_copy(mgr->all, NULL, NULL);
    for (guint i = 0; i < snap->len; i++) {
        FocusConference *conf = snap->pdata[i];
        if (!conf->bridge_jid)
            focus_conf_evaluate(conf);
    }
}

static void on_bridge_down(FocusBridges *bridges, const char *jid, const char *why, gpointer data)
{
    FocusConferences *mgr = data;
    g_autoptr(GPtrArray) snap = g_ptr_array_copy(mgr->all, NULL, NULL);
    for (guint i = 0; i < snap->len; i++) {
        FocusConference *conf = snap->pdata[i];
        if (g_strcmp0(conf->bridge_jid, jid) == 0) {
            g_autofree char *what = g_strdup_printf("bridge %s", why);
            focus_conf_move(conf, what);
        }
    }
}

void focus_conferences_bridge_events(FocusBridgesEvents *events)
{
    memset(events, 0, sizeof *events);
    events->bridge_up = on_bridge_up;
    events->bridge_down = on_bridge_down;
}
