/* SPDX-License-Identifier: MIT */
/* A conference member: one participant's invitation (its state machine), its Jingle session
 * from offer to end, and the sources it is told about.
 * Thread: the focus event-loop thread. A member is owned by its conference; its disco and
 * Jingle IQs on the link are owned by the member, its Colibri2 requests by &m->alloc_token.
 *
 *   IDLE -> ALLOCATING       invited: endpoint create sent (bridge-session.c)
 *   ALLOCATING -> IDLE       retried, the connection dropped, or the conference moved
 *   ALLOCATING -> INVITED    endpoint allocated: session-initiate sent
 *   INVITED -> ACTIVE        session-accept taken
 *   INVITED, ACTIVE -> IDLE  re-invited (restart, ICE failure, lost endpoint) or moved
 *   INVITED, ACTIVE -> FAILED  session-initiate or session-accept refused
 *   any -> ENDED             the client ended its session, or it left the room
 */
#include "focus/conference/conference-priv.h"

#include "common/xmpp/stanza.h"
#include "focus/xmpp/caps.h"

#include <string.h>

#define N_STATES (FOCUS_MEMBER_FAILED + 1)

/* allowed[from][to] */
static const gboolean allowed[N_STATES][N_STATES] = {
    [FOCUS_MEMBER_IDLE] = {[FOCUS_MEMBER_ALLOCATING] = TRUE, [FOCUS_MEMBER_ENDED] = TRUE},
    [FOCUS_MEMBER_ALLOCATING] =
        {[FOCUS_MEMBER_IDLE] = TRUE, [FOCUS_MEMBER_INVITED] = TRUE, [FOCUS_MEMBER_ENDED] = TRUE},
    [FOCUS_MEMBER_INVITED] = {[FOCUS_MEMBER_IDLE] = TRUE,
                              [FOCUS_MEMBER_ACTIVE] = TRUE,
                              [FOCUS_MEMBER_ENDED] = TRUE,
                              [FOCUS_MEMBER_FAILED] = TRUE},
    [FOCUS_MEMBER_ACTIVE] =
        {[FOCUS_MEMBER_IDLE] = TRUE, [FOCUS_MEMBER_ENDED] = TRUE, [FOCUS_MEMBER_FAILED] = TRUE},
    [FOCUS_MEMBER_ENDED] = {FALSE},
    [FOCUS_MEMBER_FAILED] = {[FOCUS_MEMBER_ENDED] = TRUE},
};

const char *focus_member_state_str(FocusMemberState st)
{
    switch (st) {
    case FOCUS_MEMBER_IDLE:
        return "idle";
    case FOCUS_MEMBER_ALLOCATING:
        return "allocating";
    case FOCUS_MEMBER_INVITED:
        return "invited";
    case FOCUS_MEMBER_ACTIVE:
        return "active";
    case FOCUS_MEMBER_ENDED:
        return "ended";
    case FOCUS_MEMBER_FAILED:
        return "failed";
    }
    return "?";
}

void focus_member_set_state(FocusMember *m, FocusMemberState to, const char *why)
{
    FocusMemberState from = m->state;
    if (from == to)
        return;
    if ((guint)from >= N_STATES || (guint)to >= N_STATES || !allowed[from][to]) {
        g_critical("member room=%s ep=%s: no transition %s -> %s (%s)", m->conf->room_jid, m->nick,
                   focus_member_state_str(from), focus_member_state_str(to), why);
        return;
    }
    m->state = to;
    g_info("member room=%s ep=%s: %s -> %s (%s)", m->conf->room_jid, m->nick,
           focus_member_state_str(from), focus_member_state_str(to), why);
}

/* ---- lifecycle ---- */

FocusMember *focus_member_new(FocusConference *conf, FocusParticipant *p)
{
    FocusMember *m = g_new0(FocusMember, 1);
    m->conf = conf;
    m->nick = g_strdup(p->nick);
    m->occupant_jid = g_strdup_printf("%s/%s", conf->room_jid, p->nick);
    m->stats_id = g_strdup(p->stats_id);
    m->state = FOCUS_MEMBER_IDLE;
    pa_jingle_sources_init(&m->sources);
    focus_restart_limit_init(&m->restarts);
    return m;
}

void focus_member_free(gpointer data)
{
    FocusMember *m = data;
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
    g_free(m->disco_caps);
    g_free(m->endpoint_bridge);
    g_free(m->initiate_sid);
    g_free(m);
}

void focus_member_forget_session(FocusMember *m)
{
    if (!m->session)
        return;
    g_free(m->ended_sids[FOCUS_ENDED_SIDS_KEPT - 1]);
    memmove(&m->ended_sids[1], &m->ended_sids[0],
            (FOCUS_ENDED_SIDS_KEPT - 1) * sizeof m->ended_sids[0]);
    m->ended_sids[0] = g_strdup(focus_jingle_session_sid(m->session));
    m->ended_sids[FOCUS_ENDED_SIDS_KEPT] = NULL;
    focus_jingle_session_free(m->session);
    m->session = NULL;
}

/* ---- features ---- */

/* The cache key of @p's caps, "node#ver" (a ver is base64: no '#'), or NULL (transfer full). */
static char *caps_key(const FocusParticipant *p)
{
    return p->caps_node && p->caps_ver ? g_strdup_printf("%s#%s", p->caps_node, p->caps_ver) : NULL;
}

/* Keeps @f for the caps the member advertised when @reply's own hash is that ver. */
static void caps_learn(FocusMember *m, xmpp_stanza_t *reply, const FocusFeatures *f)
{
    GHashTable *cache = m->conf->mgr->caps_features;
    if (!m->disco_caps || g_hash_table_contains(cache, m->disco_caps) ||
        g_hash_table_size(cache) >= FOCUS_CAPS_CACHE_MAX)
        return;
    const char *advertised = strrchr(m->disco_caps, '#') + 1;
    g_autofree char *ver = focus_caps_ver(reply);
    if (g_strcmp0(ver, advertised) != 0) {
        focus_conf_log_peer(m->conf->mgr, G_LOG_LEVEL_INFO,
                            "caps room=%s ep=%s: advertised ver %s, its disco#info hashes to %s "
                            "(not cached)",
                            m->conf->room_jid, m->nick, advertised, ver ? ver : "(unverifiable)");
        return;
    }
    g_hash_table_insert(cache, g_strdup(m->disco_caps), g_memdup2(f, sizeof *f));
}

gboolean focus_member_features_from_caps(FocusMember *m, const FocusParticipant *p)
{
    FocusConferences *mgr = m->conf->mgr;
    g_autofree char *key = caps_key(p);
    const FocusFeatures *f = key ? g_hash_table_lookup(mgr->caps_features, key) : NULL;
    if (!f)
        return FALSE;
    m->features = *f;
    m->features_known = TRUE;
    mgr->caps_hits++;
    g_autofree char *s = focus_features_str(&m->features);
    g_info("participant features room=%s ep=%s (caps %s): %s", m->conf->room_jid, m->nick, key, s);
    return TRUE;
}

static void disco_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    FocusMember *m = data;
    m->disco_pending = FALSE;
    if (outcome == FOCUS_IQ_DISCONNECTED)
        return; /* asked again once the room is back */
    if (outcome == FOCUS_IQ_RESULT) {
        focus_features_from_disco(&m->features, reply);
        caps_learn(m, reply, &m->features);
    } else {
        focus_features_default(&m->features);
    }
    m->features_known = TRUE;
    g_autofree char *f = focus_features_str(&m->features);
    g_info("participant features room=%s ep=%s (%s): %s", m->conf->room_jid, m->nick,
           outcome == FOCUS_IQ_RESULT ? "disco#info" : "assumed", f);
    focus_conf_evaluate(m->conf);
}

/* Features are asked for when the participant is about to be invited (a bridge is there and
 * the room is big enough), not on join: a participant who stays alone costs nothing. A client
 * whose presence advertised caps the focus verified before is not asked at all
 * (focus_member_features_from_caps): the joining participant's own disco#info round trip,
 * answered by a browser busy setting up its call, was the largest wait before its invitation
 * (130 ms and more). The caps the participant advertised are kept with the question, and the
 * answer fills the cache when its hash is that ver (caps_learn). */
void focus_member_disco(FocusMember *m, const FocusParticipant *p)
{
    FocusConferences *mgr = m->conf->mgr;
    m->disco_pending = TRUE;
    mgr->caps_misses++;
    g_free(m->disco_caps);
    m->disco_caps = caps_key(p);
    focus_conf_send_iq(
        m->conf,
        focus_features_disco_request(focus_link_ctx(mgr->link), mgr->occupant_jid, m->occupant_jid),
        mgr->s.disco_timeout_ms, disco_done, m, m);
}

/* ---- the offer ---- */

static void initiate_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                          gpointer data)
{
    FocusMember *m = data;
    FocusConference *conf = m->conf;
    if (!m->session || g_strcmp0(focus_jingle_session_sid(m->session), m->initiate_sid) != 0)
        return;
    const char *sid = focus_jingle_session_sid(m->session);
    switch (outcome) {
    case FOCUS_IQ_RESULT:
        g_debug("session-initiate acknowledged room=%s ep=%s sid=%s", conf->room_jid, m->nick, sid);
        return;
    case FOCUS_IQ_TIMEOUT:
        /* As Jicofo: a slow client may still accept; the session stays pending. */
        g_info("session-initiate not acknowledged in time room=%s ep=%s sid=%s", conf->room_jid,
               m->nick, sid);
        return;
    case FOCUS_IQ_DISCONNECTED:
        return;
    case FOCUS_IQ_ERROR:
        break;
    }
    const char *cond = pa_stanza_error_condition(reply);
    g_warning("session-initiate refused room=%s ep=%s sid=%s: %s", conf->room_jid, m->nick, sid,
              cond ? cond : "?");
    focus_jingle_session_end(m->session);
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    focus_member_set_state(m, FOCUS_MEMBER_FAILED, "its client refused the session-initiate");
}

void focus_member_offer(FocusMember *m, const PaTransport *transport)
{
    FocusConference *conf = m->conf;
    FocusConferences *mgr = conf->mgr;
    focus_member_forget_session(m);
    m->session =
        focus_jingle_session_new(mgr->occupant_jid, m->occupant_jid, m->features.json_sources,
                                 conf->bridge_session_id, conf->bridge_region);
    const char *sid = focus_jingle_session_sid(m->session);
    PaJingleSources remote;
    pa_jingle_sources_init(&remote);
    focus_member_remote_sources(m, &remote);
    PaJingle offer;
    pa_jingle_init(&offer);
    FocusOfferParams params = {
        .sid = sid,
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
    focus_jingle_session_set_signalled(m->session, &remote);
    g_free(m->initiate_sid);
    m->initiate_sid = g_strdup(sid);
    focus_member_set_state(m, FOCUS_MEMBER_INVITED, "its endpoint is allocated");
    m->alloc_retries = 0;
    g_info("session-initiate room=%s ep=%s sid=%s bridge=%s sources=%u (%s form) "
           "candidates=%u",
           conf->room_jid, m->nick, sid, conf->bridge_jid, remote.sources->len,
           m->features.json_sources ? "JSON" : "XML",
           transport->candidates ? transport->candidates->len : 0);
    focus_conf_send_iq(conf, iq, mgr->s.jingle_timeout_ms, initiate_done, m, m);
    pa_jingle_clear(&offer);
    pa_jingle_sources_clear(&remote);
}

/* ---- re-inviting, ending ---- */

void focus_member_terminate(FocusMember *m, const char *reason, const char *text)
{
    if (!m->session || focus_jingle_session_state(m->session) == FOCUS_JINGLE_ENDED)
        return;
    FocusConference *conf = m->conf;
    g_info("session-terminate room=%s ep=%s sid=%s reason=%s%s%s", conf->room_jid, m->nick,
           focus_jingle_session_sid(m->session), reason, text ? " text=" : "", text ? text : "");
    focus_conf_send_iq(
        conf, focus_jingle_terminate_iq(focus_link_ctx(conf->mgr->link), m->session, reason, text),
        conf->mgr->s.jingle_timeout_ms, NULL, NULL, m);
    focus_jingle_session_end(m->session);
}

void focus_member_reinvite(FocusMember *m, gboolean terminate, const char *why)
{
    FocusConference *conf = m->conf;
    g_info("re-inviting room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    conf->mgr->reinvites++;
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    if (terminate)
        focus_member_terminate(m, "success", "moving");
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    focus_member_set_state(m, FOCUS_MEMBER_IDLE, why);
    m->alloc_retries = 0;
    focus_conf_evaluate(conf);
}

void focus_member_end_session(FocusMember *m, FocusMemberState to, const char *why)
{
    FocusConference *conf = m->conf;
    g_info("session ended room=%s ep=%s: %s", conf->room_jid, m->nick, why);
    focus_link_cancel_owner(conf->mgr->link, &m->alloc_token);
    focus_member_forget_session(m);
    focus_conf_expire_endpoint(m);
    focus_member_set_state(m, to, why);
    if (!pa_jingle_sources_empty(&m->sources)) {
        pa_jingle_sources_clear(&m->sources);
        pa_jingle_sources_init(&m->sources);
        focus_conf_sync_all(conf, m);
    }
}

/* ---- sources ---- */

void focus_member_remote_sources(FocusMember *m, PaJingleSources *out)
{
    FocusConference *conf = m->conf;
    /* The bridge's sources first: lib-jitsi-meet puts them on its first m-lines. */
    pa_jingle_sources_append(out, &conf->feedback);
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++) {
        FocusMember *o = all->pdata[i];
        if (o != m)
            focus_sources_strip_simulcast(&o->sources, out);
    }
}

FocusSsrcOwners *focus_conf_ssrc_owners(FocusConference *conf, FocusMember *except)
{
    FocusSsrcOwners *owners = g_hash_table_new(g_direct_hash, g_direct_equal);
    focus_sources_add_owners(owners, &conf->feedback, "the bridge");
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++) {
        FocusMember *o = all->pdata[i];
        if (o != except)
            focus_sources_add_owners(owners, &o->sources, o->nick);
    }
    return owners;
}

/* source-remove or source-add @sources to @m. */
static void send_sources(FocusMember *m, PaJingleAction action, const PaJingleSources *sources)
{
    FocusConference *conf = m->conf;
    g_info("%s room=%s ep=%s sid=%s sources=%u groups=%u",
           action == PA_JINGLE_SOURCE_ADD ? "source-add" : "source-remove", conf->room_jid, m->nick,
           focus_jingle_session_sid(m->session), sources->sources->len, sources->groups->len);
    xmpp_ctx_t *ctx = focus_link_ctx(conf->mgr->link);
    focus_conf_send_iq(conf, focus_jingle_sources_iq(ctx, m->session, action, sources),
                       conf->mgr->s.jingle_timeout_ms, NULL, NULL, m);
}

void focus_member_sync(FocusMember *m)
{
    if (!m->session || focus_jingle_session_state(m->session) != FOCUS_JINGLE_ACTIVE)
        return;
    PaJingleSources want, added, removed;
    pa_jingle_sources_init(&want);
    pa_jingle_sources_init(&added);
    pa_jingle_sources_init(&removed);
    focus_member_remote_sources(m, &want);
    focus_sources_diff(focus_jingle_session_signalled(m->session), &want, &added, &removed);
    if (!pa_jingle_sources_empty(&removed))
        send_sources(m, PA_JINGLE_SOURCE_REMOVE, &removed);
    if (!pa_jingle_sources_empty(&added))
        send_sources(m, PA_JINGLE_SOURCE_ADD, &added);
    focus_jingle_session_set_signalled(m->session, &want);
    pa_jingle_sources_clear(&want);
    pa_jingle_sources_clear(&added);
    pa_jingle_sources_clear(&removed);
}

void focus_conf_sync_all(FocusConference *conf, FocusMember *except)
{
    g_autoptr(GPtrArray) all = focus_conf_members(conf);
    for (guint i = 0; i < all->len; i++)
        if (all->pdata[i] != except)
            focus_member_sync(all->pdata[i]);
}
