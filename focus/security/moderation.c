/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. The FocusModeration owns its counters and the forwarded
 * mute IQs on the link (owner = the moderation). A room with end requests waiting carries an
 * EndWait (the state of this module's room listener, attached by the first request): the
 * room owns it and the request copies in it. */
#include "focus/security/moderation.h"

#include "common/log.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/rooms/room.h"
#include "focus/security/moderation-iq.h"

#include <string.h>

struct _FocusModeration {
    FocusLink *link;
    FocusRegistry *reg;
    char *muc_domain;
    char *occupant_jid;
    guint iq_timeout_ms;
    FocusModerationCounts counts;
    PaRateLimit peer_log; /* refused requests: what peers send */
};

/* End requests waiting for their room to be destroyed. */
typedef struct {
    FocusModeration *mod;
    GPtrArray *iqs; /* xmpp_stanza_t* copies */
} EndWait;

FocusModeration *focus_moderation_new(FocusLink *link, FocusRegistry *registry,
                                      const char *muc_domain, const char *occupant_jid,
                                      guint iq_timeout_ms)
{
    g_return_val_if_fail(link && registry && muc_domain && occupant_jid, NULL);
    FocusModeration *mod = g_new0(FocusModeration, 1);
    mod->link = link;
    mod->reg = registry;
    mod->muc_domain = g_strdup(muc_domain);
    mod->occupant_jid = g_strdup(occupant_jid);
    mod->iq_timeout_ms = iq_timeout_ms ? iq_timeout_ms : 15000;
    mod->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 20);
    return mod;
}

void focus_moderation_free(FocusModeration *mod)
{
    if (!mod)
        return;
    focus_link_cancel_owner(mod->link, mod);
    g_free(mod->muc_domain);
    g_free(mod->occupant_jid);
    g_free(mod);
}

void focus_moderation_counts(FocusModeration *mod, FocusModerationCounts *out)
{
    *out = mod->counts;
}

/* ---- helpers ---- */

static gboolean has_moderator_rights(const FocusParticipant *p)
{
    return p && !p->stale &&
           (p->role == FOCUS_MUC_ROLE_MODERATOR || p->affiliation == FOCUS_MUC_AFFILIATION_OWNER ||
            p->affiliation == FOCUS_MUC_AFFILIATION_ADMIN);
}

/* A present participant of @room by nick, or NULL. */
static FocusParticipant *present(FocusRoom *room, const char *nick)
{
    FocusParticipant *p = nick ? focus_room_participant(room, nick) : NULL;
    return p && !p->stale ? p : NULL;
}

/* The present participant of @room whose real JID is @jid (full), or NULL. */
static FocusParticipant *by_real_jid(FocusRoom *room, const char *jid)
{
    g_autoptr(GPtrArray) all = focus_room_participants(room);
    for (guint i = 0; i < all->len; i++) {
        FocusParticipant *p = all->pdata[i];
        if (!p->stale && p->real_jid && pa_jid_equal(p->real_jid, jid))
            return p;
    }
    return NULL;
}

static const char *from_of(xmpp_stanza_t *iq)
{
    const char *from = xmpp_stanza_get_from(iq);
    return from ? from : "?";
}

/* Refuses request @iq (@what: "mute", "end-conference") with @type/@condition and @text, with
 * a rate-limited log line (the request is a peer's). */
static void refuse(FocusModeration *mod, xmpp_stanza_t *iq, const char *what, PaErrorType type,
                   const char *condition, const char *text)
{
    mod->counts.refused++;
    pa_log_peer(&mod->peer_log, focus_link_now(mod->link), G_LOG_LEVEL_INFO,
                "moderation: %s from %s refused: %s (%s)", what, from_of(iq), condition, text);
    focus_link_reply_error(mod->link, iq, type, condition, text);
}

static void refuse_parse(FocusModeration *mod, xmpp_stanza_t *iq, FocusModerationStatus st,
                         const char *why)
{
    mod->counts.refused++;
    pa_log_peer(&mod->peer_log, focus_link_now(mod->link), G_LOG_LEVEL_INFO,
                "moderation: bad request from %s: %s", from_of(iq), why ? why : "?");
    focus_link_send_owned(mod->link,
                          focus_moderation_error_reply(focus_link_ctx(mod->link), iq, st, why));
}

/* ---- remote mute ---- */

static void forwarded_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                           gpointer data)
{
    if (outcome == FOCUS_IQ_RESULT || outcome == FOCUS_IQ_DISCONNECTED)
        return;
    /* The participant's client decides; its refusal is its business (and visible in the
     * presence it sends, or not). */
    const char *cond = reply ? pa_stanza_error_condition(reply) : NULL;
    g_debug("moderation: forwarded mute to %s: %s%s%s",
            reply && xmpp_stanza_get_from(reply) ? xmpp_stanza_get_from(reply) : "?",
            focus_iq_outcome_str(outcome), cond ? " " : "", cond ? cond : "");
}

void focus_moderation_handle_mute(FocusModeration *mod, xmpp_stanza_t *iq)
{
    FocusMuteRequest r;
    g_autofree char *why = NULL;
    FocusModerationStatus st = focus_moderation_parse_mute(iq, mod->muc_domain, &r, &why);
    if (st != FOCUS_MODERATION_OK) {
        refuse_parse(mod, iq, st, why);
        return;
    }
    FocusRoom *room = focus_registry_lookup(mod->reg, r.room);
    gboolean self = r.target_nick && strcmp(r.target_nick, r.actor_nick) == 0;
    FocusParticipant *target = NULL;
    if (!room || focus_room_state(room) != FOCUS_ROOM_READY) {
        refuse(mod, iq, "mute", PA_ERR_CANCEL, "item-not-found", "no conference in that room");
    } else if (!self && !has_moderator_rights(present(room, r.actor_nick))) {
        refuse(mod, iq, "mute", PA_ERR_AUTH, "forbidden", "only moderators can mute others");
    } else if (!(target = present(room, r.target_nick))) {
        refuse(mod, iq, "mute", PA_ERR_CANCEL, "item-not-found", "no such participant in the room");
    } else if (!r.mute && !self) {
        /* As Jicofo: not even a moderator unmutes someone else; they unmute themselves. */
        refuse(mod, iq, "mute", PA_ERR_CANCEL, "not-allowed",
               "nobody can unmute someone else: they unmute themselves");
    } else if (self) {
        mod->counts.self_mutes++;
        focus_link_reply_result(mod->link, iq);
    } else {
        mod->counts.mutes_forwarded++;
        focus_link_reply_result(mod->link, iq);
        g_info("moderation: mute room=%s media=%s ep=%s by=%s", r.room,
               focus_mute_media_str(r.media), target->nick, r.actor_nick);
        g_autofree char *to = g_strdup_printf("%s/%s", focus_room_jid(room), target->nick);
        xmpp_stanza_t *fwd = focus_moderation_mute_stanza(
            focus_link_ctx(mod->link), mod->occupant_jid, to, r.media, TRUE, r.actor);
        focus_link_send_iq(mod->link, fwd, mod->iq_timeout_ms, forwarded_done, mod, mod);
        xmpp_stanza_release(fwd);
    }
    focus_mute_request_clear(&r);
}

/* ---- ending the meeting ---- */

static void end_wait_free(gpointer data)
{
    EndWait *w = data;
    g_ptr_array_unref(w->iqs);
    g_free(w);
}

static void stanza_release(gpointer data)
{
    xmpp_stanza_release(data);
}

/* The room is over: every end request waiting for it gets its answer. */
static void end_room_gone(FocusRoom *room, gpointer state)
{
    EndWait *w = state;
    FocusModeration *mod = w->mod;
    gboolean ok = focus_room_destroyed(room);
    for (guint i = 0; i < w->iqs->len; i++) {
        xmpp_stanza_t *iq = w->iqs->pdata[i];
        if (ok) {
            focus_link_reply_result(mod->link, iq);
        } else {
            mod->counts.refused++;
            focus_link_reply_error(mod->link, iq, PA_ERR_WAIT, "internal-server-error",
                                   "the MUC service did not destroy the room");
        }
    }
    g_ptr_array_set_size(w->iqs, 0);
    if (ok)
        g_info("moderation: meeting ended for everyone room=%s", focus_room_jid(room));
    else
        g_warning("moderation: ending the meeting failed room=%s", focus_room_jid(room));
}

static const FocusRoomEvents end_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .gone = end_room_gone,
};

void focus_moderation_handle_end(FocusModeration *mod, xmpp_stanza_t *iq)
{
    FocusEndRequest r;
    g_autofree char *why = NULL;
    FocusModerationStatus st = focus_moderation_parse_end(iq, mod->muc_domain, &r, &why);
    if (st != FOCUS_MODERATION_OK) {
        refuse_parse(mod, iq, st, why);
        return;
    }
    FocusRoom *room = focus_registry_lookup(mod->reg, r.room);
    FocusRoomState rs = room ? focus_room_state(room) : FOCUS_ROOM_GONE;
    FocusParticipant *p = NULL;
    if (rs == FOCUS_ROOM_GONE) {
        refuse(mod, iq, "end-conference", PA_ERR_CANCEL, "item-not-found",
               "no conference in that room");
    } else if (rs == FOCUS_ROOM_JOINING || rs == FOCUS_ROOM_CONFIGURING) {
        refuse(mod, iq, "end-conference", PA_ERR_WAIT, "unexpected-request",
               "the conference room is being set up again; try in a moment");
    } else if (!has_moderator_rights(p = by_real_jid(room, r.from))) {
        refuse(mod, iq, "end-conference", PA_ERR_AUTH, "forbidden",
               "only a moderator in the room can end it");
    } else {
        EndWait *w = FOCUS_ROOM_STATE(room, &end_events, EndWait);
        if (!w) {
            w = g_new0(EndWait, 1);
            w->mod = mod;
            w->iqs = g_ptr_array_new_with_free_func(stanza_release);
            focus_room_add_listener(room, &end_events, w, end_wait_free);
        }
        g_ptr_array_add(w->iqs, xmpp_stanza_clone(iq));
        if (rs == FOCUS_ROOM_READY) {
            mod->counts.ends++;
            g_info("moderation: ending the meeting for everyone room=%s by=%s (%s)", r.room,
                   p->nick, r.from);
        }
        focus_room_end(room, FOCUS_END_CONFERENCE_REASON);
    }
    focus_end_request_clear(&r);
}

/* ---- routes ---- */

static void on_mute(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_moderation_handle_mute(data, iq);
}

static void on_end(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_moderation_handle_end(data, iq);
}

void focus_moderation_add_routes(FocusModeration *mod, FocusRouter *router)
{
    focus_router_add_iq(router, FOCUS_NS_MUTE_AUDIO, "mute", TRUE, on_mute, mod);
    focus_router_add_iq(router, FOCUS_NS_MUTE_VIDEO, "mute", TRUE, on_mute, mod);
    focus_router_add_iq(router, FOCUS_NS_MUTE_DESKTOP, "mute", TRUE, on_mute, mod);
    focus_router_add_iq(router, FOCUS_NS_END_CONFERENCE, "end-conference", TRUE, on_end, mod);
}
