/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread (see jingle-session.h). */
#include "focus/conference/jingle-session.h"

#include "common/xmpp/jid.h"

#include <string.h>

struct _FocusJingleSession {
    char *sid;
    FocusJingleState state;
    char *local_jid;
    char *peer_jid;
    gboolean json_sources;
    char *bridge_session_id;
    char *bridge_region;
    PaJingleSources signalled;
};

const char *focus_jingle_state_str(FocusJingleState state)
{
    switch (state) {
    case FOCUS_JINGLE_PENDING:
        return "pending";
    case FOCUS_JINGLE_ACTIVE:
        return "active";
    case FOCUS_JINGLE_ENDED:
        return "ended";
    }
    return "?";
}

/* 13 characters of [0-9a-z], as Jicofo's session ids look. */
static char *new_sid(void)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char sid[14];
    for (guint i = 0; i < 13; i++)
        sid[i] = alphabet[g_random_int_range(0, (gint32)(sizeof alphabet - 1))];
    sid[13] = '\0';
    return g_strdup(sid);
}

FocusJingleSession *focus_jingle_session_new(const char *local_jid, const char *peer_jid,
                                             gboolean json_sources, const char *bridge_session_id,
                                             const char *bridge_region)
{
    FocusJingleSession *s = g_new0(FocusJingleSession, 1);
    s->sid = new_sid();
    s->state = FOCUS_JINGLE_PENDING;
    s->local_jid = g_strdup(local_jid);
    s->peer_jid = g_strdup(peer_jid);
    s->json_sources = json_sources;
    s->bridge_session_id = g_strdup(bridge_session_id);
    s->bridge_region = g_strdup(bridge_region);
    pa_jingle_sources_init(&s->signalled);
    return s;
}

void focus_jingle_session_free(FocusJingleSession *s)
{
    if (!s)
        return;
    g_free(s->sid);
    g_free(s->local_jid);
    g_free(s->peer_jid);
    g_free(s->bridge_session_id);
    g_free(s->bridge_region);
    pa_jingle_sources_clear(&s->signalled);
    g_free(s);
}

const char *focus_jingle_session_sid(const FocusJingleSession *s)
{
    return s->sid;
}

FocusJingleState focus_jingle_session_state(const FocusJingleSession *s)
{
    return s->state;
}

const char *focus_jingle_session_peer(const FocusJingleSession *s)
{
    return s->peer_jid;
}

const char *focus_jingle_session_bridge_session_id(const FocusJingleSession *s)
{
    return s->bridge_session_id;
}

gboolean focus_jingle_session_json_sources(const FocusJingleSession *s)
{
    return s->json_sources;
}

gboolean focus_jingle_session_accepted(FocusJingleSession *s)
{
    if (s->state != FOCUS_JINGLE_PENDING)
        return FALSE;
    s->state = FOCUS_JINGLE_ACTIVE;
    return TRUE;
}

void focus_jingle_session_end(FocusJingleSession *s)
{
    s->state = FOCUS_JINGLE_ENDED;
}

const PaJingleSources *focus_jingle_session_signalled(const FocusJingleSession *s)
{
    return &s->signalled;
}

void focus_jingle_session_set_signalled(FocusJingleSession *s, const PaJingleSources *sources)
{
    pa_jingle_sources_copy(&s->signalled, sources);
}

static gboolean refuse(FocusJingleRefusal *r, PaErrorType type, const char *condition,
                       gboolean jingle, PaJingleErrorCondition jcond, const char *text)
{
    r->type = type;
    r->condition = condition;
    r->has_jingle_error = jingle;
    r->jingle_error = jcond;
    r->text = text;
    return FALSE;
}

static gboolean action_taken(PaJingleAction a)
{
    switch (a) {
    case PA_JINGLE_SESSION_ACCEPT:
    case PA_JINGLE_SESSION_INFO:
    case PA_JINGLE_SESSION_TERMINATE:
    case PA_JINGLE_TRANSPORT_INFO:
    case PA_JINGLE_TRANSPORT_REJECT:
    case PA_JINGLE_SOURCE_ADD:
    case PA_JINGLE_SOURCE_REMOVE:
        return TRUE;
    default:
        return FALSE;
    }
}

gboolean focus_jingle_check(const FocusJingleSession *s, const char *const *ended_sids,
                            const char *from, const PaJingle *j, FocusJingleRefusal *refusal)
{
    if (j->action == PA_JINGLE_SESSION_INITIATE)
        return refuse(refusal, PA_ERR_CANCEL, "feature-not-implemented", FALSE, 0,
                      "the focus does not accept sessions; it offers them");
    gboolean same_sid = s && g_strcmp0(s->sid, j->sid) == 0;
    if (!same_sid) {
        for (const char *const *e = ended_sids; e && *e; e++)
            if (g_strcmp0(*e, j->sid) == 0)
                return refuse(refusal, PA_ERR_CANCEL, "gone", FALSE, 0, "session ended");
        return refuse(refusal, PA_ERR_CANCEL, "item-not-found", TRUE,
                      PA_JINGLE_ERROR_UNKNOWN_SESSION, "no such session");
    }
    if (!from || !pa_jid_equal(from, s->peer_jid))
        return refuse(refusal, PA_ERR_CANCEL, "item-not-found", TRUE,
                      PA_JINGLE_ERROR_UNKNOWN_SESSION, "no such session with this peer");
    if (s->state == FOCUS_JINGLE_ENDED)
        return refuse(refusal, PA_ERR_CANCEL, "gone", FALSE, 0, "session ended");
    if (!action_taken(j->action))
        return refuse(refusal, PA_ERR_CANCEL, "feature-not-implemented", FALSE, 0,
                      "unsupported action");
    if (j->action == PA_JINGLE_SESSION_ACCEPT && s->state == FOCUS_JINGLE_ACTIVE)
        return refuse(refusal, PA_ERR_CANCEL, "unexpected-request", TRUE,
                      PA_JINGLE_ERROR_OUT_OF_ORDER, "session already accepted");
    return TRUE;
}

xmpp_stanza_t *focus_jingle_refusal_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request,
                                          const FocusJingleRefusal *r)
{
    xmpp_stanza_t *app =
        r->has_jingle_error ? pa_jingle_error_condition(ctx, r->jingle_error) : NULL;
    return pa_stanza_error_reply(ctx, request, r->type, r->condition, r->text, app);
}

static PaJingle *session_jingle(const FocusJingleSession *s, PaJingleAction action, PaJingle *j)
{
    pa_jingle_init(j);
    j->action = action;
    j->sid = g_strdup(s->sid);
    j->initiator = g_strdup(s->local_jid);
    j->json_sources = s->json_sources;
    return j;
}

xmpp_stanza_t *focus_jingle_initiate_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                        const PaJingle *offer)
{
    return pa_jingle_build_iq(ctx, offer, s->local_jid, s->peer_jid, NULL);
}

xmpp_stanza_t *focus_jingle_sources_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                       PaJingleAction action, const PaJingleSources *sources)
{
    PaJingle j;
    session_jingle(s, action, &j);
    pa_jingle_sources_copy(&j.sources, sources);
    xmpp_stanza_t *iq = pa_jingle_build_iq(ctx, &j, s->local_jid, s->peer_jid, NULL);
    pa_jingle_clear(&j);
    return iq;
}

xmpp_stanza_t *focus_jingle_terminate_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                         const char *reason, const char *text)
{
    PaJingle j;
    session_jingle(s, PA_JINGLE_SESSION_TERMINATE, &j);
    j.json_sources = FALSE;
    j.has_reason = TRUE;
    j.reason = g_strdup(reason);
    j.reason_text = g_strdup(text);
    xmpp_stanza_t *iq = pa_jingle_build_iq(ctx, &j, s->local_jid, s->peer_jid, NULL);
    pa_jingle_clear(&j);
    return iq;
}

void focus_restart_limit_init(FocusRestartLimit *l)
{
    memset(l, 0, sizeof *l);
    l->min_interval_us = 5 * G_USEC_PER_SEC;
    l->interval_us = 60 * G_USEC_PER_SEC;
    l->max_requests = 5;
}

gboolean focus_restart_limit_accept(FocusRestartLimit *l, gint64 now_us)
{
    /* Forget requests older than the interval. */
    guint keep = 0;
    for (guint i = 0; i < l->n; i++)
        if (now_us - l->stamps[i] < l->interval_us)
            l->stamps[keep++] = l->stamps[i];
    l->n = keep;
    if (l->n && now_us - l->stamps[l->n - 1] < l->min_interval_us)
        return FALSE;
    guint max = MIN(l->max_requests, G_N_ELEMENTS(l->stamps));
    if (l->n >= max)
        return FALSE;
    l->stamps[l->n++] = now_us;
    return TRUE;
}
