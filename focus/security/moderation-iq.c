/* SPDX-License-Identifier: MIT */
/* Pure: no state (see moderation-iq.h). */
#include "focus/security/moderation-iq.h"

#include "common/jingle/jingle.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"

#include <stdarg.h>
#include <string.h>

const char *focus_mute_media_str(FocusMuteMedia media)
{
    switch (media) {
    case FOCUS_MUTE_AUDIO:
        return "audio";
    case FOCUS_MUTE_VIDEO:
        return "video";
    case FOCUS_MUTE_DESKTOP:
        return "desktop";
    }
    return "?";
}

const char *focus_mute_media_ns(FocusMuteMedia media)
{
    switch (media) {
    case FOCUS_MUTE_AUDIO:
        return FOCUS_NS_MUTE_AUDIO;
    case FOCUS_MUTE_VIDEO:
        return FOCUS_NS_MUTE_VIDEO;
    case FOCUS_MUTE_DESKTOP:
        return FOCUS_NS_MUTE_DESKTOP;
    }
    return FOCUS_NS_MUTE_AUDIO;
}

void focus_mute_request_clear(FocusMuteRequest *req)
{
    g_free(req->room);
    g_free(req->actor);
    g_free(req->actor_nick);
    g_free(req->target_nick);
    memset(req, 0, sizeof *req);
}

void focus_end_request_clear(FocusEndRequest *req)
{
    g_free(req->room);
    g_free(req->from);
    memset(req, 0, sizeof *req);
}

static void set_why(char **why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void set_why(char **why, const char *fmt, ...)
{
    if (!why)
        return;
    va_list ap;
    va_start(ap, fmt);
    *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* A value quoted in an error text: at most @max bytes, cut at a character boundary, and only
 * characters XML allows (an ill-formed reply would cost the focus its stream) (transfer
 * full). */
static char *quote(const char *s, gsize max)
{
    g_autofree char *safe = pa_jingle_safe_text(s ? s : "");
    gsize n = strlen(safe);
    if (n <= max)
        return g_steal_pointer(&safe);
    const char *end = safe + max;
    while (end > safe && ((guchar)*end & 0xC0) == 0x80)
        end--;
    return g_strdup_printf("%.*s...", (int)(end - safe), safe);
}

/* First child element named @name in namespace @ns (NULL: one of the mute namespaces), and
 * its namespace (transfer none). */
static xmpp_stanza_t *payload_of(xmpp_stanza_t *iq, const char *name, const char *ns,
                                 FocusMuteMedia *media)
{
    static const FocusMuteMedia all[] = {FOCUS_MUTE_AUDIO, FOCUS_MUTE_VIDEO, FOCUS_MUTE_DESKTOP};
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(iq); c; c = xmpp_stanza_get_next(c)) {
        const char *cns = xmpp_stanza_is_tag(c) ? xmpp_stanza_get_ns(c) : NULL;
        if (!cns || g_strcmp0(xmpp_stanza_get_name(c), name) != 0)
            continue;
        if (ns) {
            if (strcmp(cns, ns) == 0)
                return c;
            continue;
        }
        for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
            if (strcmp(cns, focus_mute_media_ns(all[i])) == 0) {
                *media = all[i];
                return c;
            }
        }
    }
    return NULL;
}

/* xs:boolean, surrounding whitespace allowed (it is element text). */
static gboolean parse_bool_text(xmpp_stanza_t *el, gboolean *out)
{
    char *raw = xmpp_stanza_get_text(el);
    g_autofree char *t = g_strdup(raw ? raw : "");
    if (raw)
        xmpp_free(xmpp_stanza_get_context(el), raw);
    g_strstrip(t);
    if (strcmp(t, "true") == 0 || strcmp(t, "1") == 0)
        *out = TRUE;
    else if (strcmp(t, "false") == 0 || strcmp(t, "0") == 0)
        *out = FALSE;
    else
        return FALSE;
    return TRUE;
}

static gboolean is_set(xmpp_stanza_t *iq)
{
    return g_strcmp0(xmpp_stanza_get_type(iq), "set") == 0;
}

/* @jid as an occupant JID: its canonical room (transfer full) and nick (transfer full), or
 * FALSE when it is not one (no local part, no resource, does not parse). */
static gboolean occupant_parts(const char *jid, char **room, char **nick)
{
    *room = *nick = NULL;
    PaJid j;
    if (pa_jid_parse(jid, &j) != PA_JID_OK)
        return FALSE;
    gboolean ok = j.local && j.resource;
    if (ok) {
        g_autofree char *bare = g_strdup_printf("%s@%s", j.local, j.domain);
        *room = focus_muc_room_key(bare);
        *nick = g_strdup(j.resource);
        ok = *room != NULL;
    }
    pa_jid_clear(&j);
    if (!ok) {
        g_clear_pointer(room, g_free);
        g_clear_pointer(nick, g_free);
    }
    return ok;
}

static gboolean on_domain(const char *room_key, const char *muc_domain)
{
    const char *at = room_key ? strrchr(room_key, '@') : NULL;
    return at && muc_domain && g_ascii_strcasecmp(at + 1, muc_domain) == 0;
}

FocusModerationStatus focus_moderation_parse_mute(xmpp_stanza_t *iq, const char *muc_domain,
                                                  FocusMuteRequest *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why)
        *why = NULL;
    FocusMuteMedia media = FOCUS_MUTE_AUDIO;
    xmpp_stanza_t *el = payload_of(iq, "mute", NULL, &media);
    if (!el) {
        set_why(why, "no <mute/> in a mute namespace");
        return FOCUS_MODERATION_NOT_OURS;
    }
    if (!is_set(iq)) {
        set_why(why, "a mute request is an IQ of type set");
        return FOCUS_MODERATION_BAD_TYPE;
    }
    const char *jid = xmpp_stanza_get_attribute(el, "jid");
    if (!jid || !*jid) {
        set_why(why, "the jid attribute (whom to mute) is missing");
        return FOCUS_MODERATION_BAD_VALUE;
    }
    PaJid check;
    if (pa_jid_parse(jid, &check) != PA_JID_OK) {
        g_autofree char *q = quote(jid, 64);
        set_why(why, "the jid '%s' is not a JID", q);
        return FOCUS_MODERATION_BAD_VALUE;
    }
    pa_jid_clear(&check);
    gboolean mute;
    if (!parse_bool_text(el, &mute)) {
        set_why(why, "the text of <mute/> must be true or false");
        return FOCUS_MODERATION_BAD_VALUE;
    }

    /* The sender: the MUC stamps its occupant JID (room@MUC/nick). */
    const char *from = xmpp_stanza_get_from(iq);
    char *room = NULL, *nick = NULL;
    if (!occupant_parts(from, &room, &nick) || !on_domain(room, muc_domain)) {
        g_free(room);
        g_free(nick);
        set_why(why, "send mute requests to the focus in the conference room");
        return FOCUS_MODERATION_NOT_OCCUPANT;
    }
    out->media = media;
    out->mute = mute;
    out->room = room;
    out->actor_nick = nick;
    out->actor = g_strdup(from);

    char *troom = NULL, *tnick = NULL;
    if (occupant_parts(jid, &troom, &tnick) && strcmp(troom, out->room) == 0)
        out->target_nick = g_steal_pointer(&tnick);
    g_free(troom);
    g_free(tnick);
    return FOCUS_MODERATION_OK;
}

FocusModerationStatus focus_moderation_parse_end(xmpp_stanza_t *iq, const char *muc_domain,
                                                 FocusEndRequest *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why)
        *why = NULL;
    xmpp_stanza_t *el = payload_of(iq, "end-conference", FOCUS_NS_END_CONFERENCE, NULL);
    if (!el) {
        set_why(why, "no <end-conference/> in %s", FOCUS_NS_END_CONFERENCE);
        return FOCUS_MODERATION_NOT_OURS;
    }
    if (!is_set(iq)) {
        set_why(why, "<end-conference/> is an IQ of type set");
        return FOCUS_MODERATION_BAD_TYPE;
    }
    PaJid from;
    if (pa_jid_parse(xmpp_stanza_get_from(iq), &from) != PA_JID_OK) {
        set_why(why, "the sender's address is missing or bad");
        return FOCUS_MODERATION_BAD_VALUE;
    }
    gboolean full = from.resource != NULL;
    pa_jid_clear(&from);
    if (!full) {
        set_why(why, "requests come from a full JID");
        return FOCUS_MODERATION_BAD_VALUE;
    }
    const char *room = xmpp_stanza_get_attribute(el, "room");
    if (!room || !*room) {
        set_why(why, "the room attribute is missing");
        return FOCUS_MODERATION_BAD_VALUE;
    }
    PaRoomStatus rs = pa_room_jid_check(room, muc_domain);
    if (rs == PA_ROOM_WRONG_DOMAIN) {
        set_why(why, "this focus only serves rooms on %s", muc_domain);
        return FOCUS_MODERATION_WRONG_DOMAIN;
    }
    char *key = rs == PA_ROOM_OK ? focus_muc_room_key(room) : NULL;
    if (!key) {
        g_autofree char *q = quote(room, 64);
        set_why(why, "invalid room '%s': %s", q,
                rs != PA_ROOM_OK ? pa_room_status_str(rs) : "not a room JID");
        return FOCUS_MODERATION_BAD_ROOM;
    }
    out->room = key;
    out->from = g_strdup(xmpp_stanza_get_from(iq));
    return FOCUS_MODERATION_OK;
}

xmpp_stanza_t *focus_moderation_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                            FocusModerationStatus status, const char *why)
{
    PaErrorType type = PA_ERR_MODIFY;
    const char *cond = "bad-request";
    switch (status) {
    case FOCUS_MODERATION_BAD_ROOM:
        cond = "jid-malformed";
        break;
    case FOCUS_MODERATION_WRONG_DOMAIN:
        type = PA_ERR_CANCEL;
        cond = "not-allowed";
        break;
    case FOCUS_MODERATION_NOT_OCCUPANT:
        type = PA_ERR_CANCEL;
        cond = "item-not-found";
        break;
    case FOCUS_MODERATION_OK:
    case FOCUS_MODERATION_NOT_OURS:
    case FOCUS_MODERATION_BAD_TYPE:
    case FOCUS_MODERATION_BAD_VALUE:
        break;
    }
    return pa_stanza_error_reply(ctx, iq, type, cond, why, NULL);
}

xmpp_stanza_t *focus_moderation_mute_stanza(xmpp_ctx_t *ctx, const char *from, const char *to,
                                            FocusMuteMedia media, gboolean mute, const char *actor)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", NULL);
    xmpp_stanza_set_from(iq, from);
    xmpp_stanza_set_to(iq, to);
    xmpp_stanza_t *el = pa_stanza_add_child(iq, "mute", focus_mute_media_ns(media));
    if (actor)
        xmpp_stanza_set_attribute(el, "actor", actor);
    pa_stanza_add_text(el, mute ? "true" : "false");
    return iq;
}
