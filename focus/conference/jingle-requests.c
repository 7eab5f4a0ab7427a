/* SPDX-License-Identifier: MIT */
/* Jingle from participants: routing an IQ to its member and session, the checks of
 * focus_jingle_check(), and what each action does once let through (session-accept,
 * transport-info, source-add/-remove, session-terminate, session-info).
 * Thread: the focus event-loop thread. Every request gets exactly one reply. */
#include "focus/conference/conference-priv.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"

#include <string.h>

static void reply_result(FocusConferences *mgr, xmpp_stanza_t *iq)
{
    focus_link_reply_result(mgr->link, iq);
}

static void reply_error(FocusConferences *mgr, xmpp_stanza_t *iq, PaErrorType type,
                        const char *condition, const char *text)
{
    focus_link_reply_error(mgr->link, iq, type, condition, text);
}

static void reply_sources_error(FocusConferences *mgr, xmpp_stanza_t *iq, FocusMember *m,
                                const char *action, FocusSourcesStatus st, const char *why)
{
    focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING, "%s refused room=%s ep=%s: %s", action,
                        m->conf->room_jid, m->nick, why ? why : "?");
    if (st == FOCUS_SOURCES_LIMIT)
        reply_error(mgr, iq, PA_ERR_WAIT, "resource-constraint", why);
    else
        reply_error(mgr, iq, PA_ERR_MODIFY, "bad-request", why);
}

static gint initial_last_n(const PaJingle *j)
{
    const PaJingleContent *video = pa_jingle_find_content(j, "video");
    return video && video->has_initial_last_n ? video->initial_last_n : -2;
}

static void on_accept(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq, const PaJingle *j)
{
    FocusConference *conf = m->conf;
    FocusSsrcOwners *owners = focus_conf_ssrc_owners(conf, m);
    PaJingleSources accepted;
    pa_jingle_sources_init(&accepted);
    PaJingleSources none;
    pa_jingle_sources_init(&none);
    g_autofree char *why = NULL;
    FocusSourcesStatus st =
        focus_sources_validate_add(&none, &j->sources, m->nick, owners, &accepted, &why);
    g_hash_table_unref(owners);
    pa_jingle_sources_clear(&none);
    if (st != FOCUS_SOURCES_OK) {
        /* As Jicofo: a refused session-accept ends the session. */
        reply_sources_error(mgr, iq, m, "session-accept", st, why);
        pa_jingle_sources_clear(&accepted);
        focus_jingle_session_end(m->session);
        focus_member_end_session(m, FOCUS_MEMBER_FAILED, "its session-accept was refused");
        return;
    }
    reply_result(mgr, iq);
    focus_jingle_session_accepted(m->session);
    focus_member_set_state(m, FOCUS_MEMBER_ACTIVE, "it accepted the session");
    pa_jingle_sources_clear(&m->sources);
    m->sources = accepted;
    const PaTransport *t = pa_jingle_first_transport(j);
    g_info("session-accept room=%s ep=%s sid=%s sources=%u groups=%u transport=%s", conf->room_jid,
           m->nick, focus_jingle_session_sid(m->session), m->sources.sources->len,
           m->sources.groups->len, t ? (t->ufrag ? "credentials" : "candidates only") : "none");
    focus_conf_update_endpoint(m, t, TRUE, initial_last_n(j));
    focus_conf_sync_all(conf, m);
    focus_member_sync(m); /* changes that happened while it was pending */
}

static void on_transport_info(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                              const PaJingle *j)
{
    const PaTransport *t = pa_jingle_first_transport(j);
    if (!t) {
        reply_error(mgr, iq, PA_ERR_MODIFY, "bad-request", "missing transport");
        return;
    }
    reply_result(mgr, iq);
    g_debug("transport-info room=%s ep=%s candidates=%u", m->conf->room_jid, m->nick,
            t->candidates->len);
    focus_conf_update_endpoint(m, t, FALSE, -2);
}

static void on_source_add(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                          const PaJingle *j)
{
    FocusConference *conf = m->conf;
    FocusSsrcOwners *owners = focus_conf_ssrc_owners(conf, m);
    PaJingleSources accepted;
    pa_jingle_sources_init(&accepted);
    g_autofree char *why = NULL;
    FocusSourcesStatus st =
        focus_sources_validate_add(&m->sources, &j->sources, m->nick, owners, &accepted, &why);
    g_hash_table_unref(owners);
    if (st != FOCUS_SOURCES_OK) {
        reply_sources_error(mgr, iq, m, "source-add", st, why);
        pa_jingle_sources_clear(&accepted);
        return;
    }
    reply_result(mgr, iq);
    if (!pa_jingle_sources_empty(&accepted)) {
        g_info("source-add from room=%s ep=%s sources=%u groups=%u", conf->room_jid, m->nick,
               accepted.sources->len, accepted.groups->len);
        pa_jingle_sources_append(&m->sources, &accepted);
        focus_conf_update_endpoint(m, NULL, TRUE, -2);
        focus_conf_sync_all(conf, m);
    }
    pa_jingle_sources_clear(&accepted);
}

static void on_source_remove(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                             const PaJingle *j)
{
    FocusConference *conf = m->conf;
    PaJingleSources removed;
    pa_jingle_sources_init(&removed);
    g_autofree char *why = NULL;
    FocusSourcesStatus st =
        focus_sources_validate_remove(&m->sources, &j->sources, m->nick, &removed, &why);
    if (st != FOCUS_SOURCES_OK) {
        reply_sources_error(mgr, iq, m, "source-remove", st, why);
        pa_jingle_sources_clear(&removed);
        return;
    }
    reply_result(mgr, iq);
    if (!pa_jingle_sources_empty(&removed)) {
        g_info("source-remove from room=%s ep=%s sources=%u groups=%u", conf->room_jid, m->nick,
               removed.sources->len, removed.groups->len);
        focus_sources_subtract(&m->sources, &removed);
        focus_conf_update_endpoint(m, NULL, TRUE, -2);
        focus_conf_sync_all(conf, m);
    }
    pa_jingle_sources_clear(&removed);
}

static void on_terminate(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                         const PaJingle *j)
{
    if (j->bridge_session_id &&
        g_strcmp0(j->bridge_session_id, focus_jingle_session_bridge_session_id(m->session)) != 0) {
        reply_error(mgr, iq, PA_ERR_CANCEL, "item-not-found", "unknown bridge session");
        return;
    }
    focus_jingle_session_end(m->session);
    const char *reason = j->reason ? j->reason : "-";
    if (!j->bridge_session_restart) {
        reply_result(mgr, iq);
        g_autofree char *why =
            g_strdup_printf("session-terminate (%s%s%s)", reason, j->reason_text ? ": " : "",
                            j->reason_text ? j->reason_text : "");
        focus_member_end_session(m, FOCUS_MEMBER_ENDED, why);
        return;
    }
    if (focus_restart_limit_accept(&m->restarts, focus_link_now(mgr->link))) {
        reply_result(mgr, iq);
        focus_member_reinvite(m, FALSE, "the client asked for a restart");
        return;
    }
    /* Rate-limited: the session still ends, it just is not started again. */
    focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING, "restart request rate-limited room=%s ep=%s",
                        m->conf->room_jid, m->nick);
    focus_member_end_session(m, FOCUS_MEMBER_ENDED, "restart requested too often");
    reply_error(mgr, iq, PA_ERR_WAIT, "resource-constraint", "rate-limited");
}

static void on_session_info(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                            const PaJingle *j)
{
    reply_result(mgr, iq);
    if (!j->ice_state || g_ascii_strcasecmp(j->ice_state, "failed") != 0)
        return;
    if (j->bridge_session_id &&
        g_strcmp0(j->bridge_session_id, focus_jingle_session_bridge_session_id(m->session)) != 0) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_INFO,
                            "ICE failure for an old bridge session ignored room=%s ep=%s",
                            m->conf->room_jid, m->nick);
        return;
    }
    if (!focus_restart_limit_accept(&m->restarts, focus_link_now(mgr->link))) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING,
                            "ICE failure re-invite rate-limited room=%s ep=%s", m->conf->room_jid,
                            m->nick);
        return;
    }
    focus_member_reinvite(m, TRUE, "its ICE connection failed");
}

void focus_conf_jingle_dispatch(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                                const PaJingle *j)
{
    switch (j->action) {
    case PA_JINGLE_SESSION_ACCEPT:
        on_accept(mgr, m, iq, j);
        break;
    case PA_JINGLE_TRANSPORT_INFO:
        on_transport_info(mgr, m, iq, j);
        break;
    case PA_JINGLE_SOURCE_ADD:
        on_source_add(mgr, m, iq, j);
        break;
    case PA_JINGLE_SOURCE_REMOVE:
        on_source_remove(mgr, m, iq, j);
        break;
    case PA_JINGLE_SESSION_TERMINATE:
        on_terminate(mgr, m, iq, j);
        break;
    case PA_JINGLE_SESSION_INFO:
        on_session_info(mgr, m, iq, j);
        break;
    case PA_JINGLE_TRANSPORT_REJECT:
        reply_result(mgr, iq);
        break;
    default:
        reply_error(mgr, iq, PA_ERR_CANCEL, "feature-not-implemented", "unsupported action");
        break;
    }
}

/* ---- incoming Jingle ---- */

/* XEP-0166 §7.1: every <content/> has a name (it is how the two sides tell contents apart);
 * one without is malformed, whatever the action. */
static gboolean contents_named(const PaJingle *j, char **why)
{
    for (guint i = 0; j->contents && i < j->contents->len; i++) {
        const PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, i);
        if (!c->name || !*c->name) {
            *why = g_strdup_printf("content %u has no name", i + 1);
            return FALSE;
        }
    }
    return TRUE;
}

void focus_conferences_handle_jingle(FocusConferences *mgr, xmpp_stanza_t *iq)
{
    xmpp_ctx_t *ctx = focus_link_ctx(mgr->link);
    const char *from = xmpp_stanza_get_from(iq);
    PaJingle j;
    g_autofree char *why = NULL;
    PaJingleStatus st = pa_jingle_parse(iq, &j, &why);
    if (st == PA_JINGLE_OK && !contents_named(&j, &why))
        st = PA_JINGLE_MALFORMED;
    xmpp_stanza_t *reply = NULL;
    if (g_strcmp0(xmpp_stanza_get_type(iq), "set") != 0) {
        reply = pa_stanza_error_reply(ctx, iq, PA_ERR_MODIFY, "bad-request",
                                      "Jingle requests are IQ sets", NULL);
    } else if (st != PA_JINGLE_OK) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_WARNING, "malformed Jingle from %s: %s",
                            from ? from : "?", why ? why : "?");
        reply = pa_stanza_error_reply(ctx, iq, PA_ERR_MODIFY, "bad-request", why, NULL);
    }
    if (reply) {
        focus_link_send_owned(mgr->link, reply);
        pa_jingle_clear(&j);
        return;
    }
    g_autofree char *bare = from ? pa_jid_bare(from) : NULL;
    g_autofree char *nick = from ? pa_jid_resource(from) : NULL;
    FocusConference *conf = bare ? focus_conferences_lookup(mgr, bare) : NULL;
    FocusMember *m =
        conf && nick ? focus_conf_member(conf, focus_room_participant(conf->room, nick)) : NULL;
    FocusJingleRefusal refusal;
    if (!focus_jingle_check(m ? m->session : NULL, m ? (const char *const *)m->ended_sids : NULL,
                            from, &j, &refusal)) {
        focus_conf_log_peer(mgr, G_LOG_LEVEL_INFO, "Jingle %s from %s refused: %s (%s)",
                            j.action_name, from ? from : "?", refusal.condition,
                            refusal.text ? refusal.text : "");
        reply = focus_jingle_refusal_reply(ctx, iq, &refusal);
        focus_link_send_owned(mgr->link, reply);
        pa_jingle_clear(&j);
        return;
    }
    focus_conf_jingle_dispatch(mgr, m, iq, &j);
    pa_jingle_clear(&j);
}
