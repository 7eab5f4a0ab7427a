/* SPDX-License-Identifier: MIT */
/* Pure: no state (see muc.h). */
#include "focus/xmpp/muc.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/caps.h"

#include <stdlib.h>
#include <string.h>

const char *focus_muc_role_str(FocusMucRole role)
{
    switch (role) {
    case FOCUS_MUC_ROLE_NONE:
        return "none";
    case FOCUS_MUC_ROLE_VISITOR:
        return "visitor";
    case FOCUS_MUC_ROLE_PARTICIPANT:
        return "participant";
    case FOCUS_MUC_ROLE_MODERATOR:
        return "moderator";
    }
    return "none";
}

const char *focus_muc_affiliation_str(FocusMucAffiliation affiliation)
{
    switch (affiliation) {
    case FOCUS_MUC_AFFILIATION_NONE:
        return "none";
    case FOCUS_MUC_AFFILIATION_OUTCAST:
        return "outcast";
    case FOCUS_MUC_AFFILIATION_MEMBER:
        return "member";
    case FOCUS_MUC_AFFILIATION_ADMIN:
        return "admin";
    case FOCUS_MUC_AFFILIATION_OWNER:
        return "owner";
    }
    return "none";
}

static FocusMucRole parse_role(const char *s)
{
    if (!s)
        return FOCUS_MUC_ROLE_NONE;
    if (strcmp(s, "moderator") == 0)
        return FOCUS_MUC_ROLE_MODERATOR;
    if (strcmp(s, "participant") == 0)
        return FOCUS_MUC_ROLE_PARTICIPANT;
    if (strcmp(s, "visitor") == 0)
        return FOCUS_MUC_ROLE_VISITOR;
    return FOCUS_MUC_ROLE_NONE;
}

static FocusMucAffiliation parse_affiliation(const char *s)
{
    if (!s)
        return FOCUS_MUC_AFFILIATION_NONE;
    if (strcmp(s, "owner") == 0)
        return FOCUS_MUC_AFFILIATION_OWNER;
    if (strcmp(s, "admin") == 0)
        return FOCUS_MUC_AFFILIATION_ADMIN;
    if (strcmp(s, "member") == 0)
        return FOCUS_MUC_AFFILIATION_MEMBER;
    if (strcmp(s, "outcast") == 0)
        return FOCUS_MUC_AFFILIATION_OUTCAST;
    return FOCUS_MUC_AFFILIATION_NONE;
}

char *focus_stanza_child_text(xmpp_stanza_t *parent, const char *name, const char *ns)
{
    xmpp_stanza_t *c = pa_stanza_child(parent, name, ns);
    if (!c)
        return NULL;
    char *t = xmpp_stanza_get_text(c);
    if (!t)
        return NULL;
    char *r = g_strdup(t);
    xmpp_free(xmpp_stanza_get_context(parent), t);
    return r;
}

static char *dup_nonempty(const char *s)
{
    return s && *s ? g_strdup(s) : NULL;
}

void focus_muc_presence_clear(FocusMucPresence *p)
{
    g_free(p->room);
    g_free(p->nick);
    g_free(p->error_condition);
    g_free(p->error_text);
    g_free(p->real_jid);
    g_free(p->new_nick);
    g_free(p->display_name);
    g_free(p->stats_id);
    g_free(p->caps_node);
    g_free(p->caps_ver);
    g_free(p->destroy_reason);
    memset(p, 0, sizeof *p);
}

gboolean focus_muc_presence_has_status(const FocusMucPresence *p, guint code)
{
    for (guint i = 0; i < p->n_status; i++)
        if (p->status[i] == code)
            return TRUE;
    return FALSE;
}

static void parse_muc_user(xmpp_stanza_t *x, FocusMucPresence *out)
{
    /* XEP-0045 presence carries one <item> and at most one <destroy>: the first counts,
     * repeats from a misbehaving peer are ignored. */
    gboolean seen_item = FALSE, seen_destroy = FALSE;
    out->has_muc_user = TRUE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(x); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        const char *name = xmpp_stanza_get_name(c);
        if (strcmp(name, "status") == 0) {
            const char *code = xmpp_stanza_get_attribute(c, "code");
            char *end = NULL;
            long v = code ? strtol(code, &end, 10) : -1;
            if (code && *code && end && !*end && v >= 100 && v <= 999 &&
                out->n_status < FOCUS_MUC_MAX_STATUS)
                out->status[out->n_status++] = (guint16)v;
        } else if (strcmp(name, "item") == 0 && !seen_item) {
            seen_item = TRUE;
            out->role = parse_role(xmpp_stanza_get_attribute(c, "role"));
            out->affiliation = parse_affiliation(xmpp_stanza_get_attribute(c, "affiliation"));
            const char *jid = xmpp_stanza_get_attribute(c, "jid");
            PaJid parsed;
            if (jid && pa_jid_parse(jid, &parsed) == PA_JID_OK) {
                out->real_jid = g_strdup(jid);
                pa_jid_clear(&parsed);
            }
            out->new_nick = dup_nonempty(xmpp_stanza_get_attribute(c, "nick"));
        } else if (strcmp(name, "destroy") == 0 && !seen_destroy) {
            seen_destroy = TRUE;
            out->destroyed = TRUE;
            out->destroy_reason = focus_stanza_child_text(c, "reason", NULL);
        }
    }
}

FocusMucPresenceStatus focus_muc_presence_parse(xmpp_stanza_t *presence, FocusMucPresence *out)
{
    memset(out, 0, sizeof *out);
    const char *type = xmpp_stanza_get_type(presence);
    if (type && strcmp(type, "unavailable") != 0 && strcmp(type, "error") != 0)
        return FOCUS_MUC_PRESENCE_BAD_TYPE;

    PaJid from;
    if (pa_jid_parse(xmpp_stanza_get_from(presence), &from) != PA_JID_OK)
        return FOCUS_MUC_PRESENCE_BAD_FROM;
    if (!from.resource) {
        pa_jid_clear(&from);
        return FOCUS_MUC_PRESENCE_NO_NICK;
    }
    out->room =
        from.local ? g_strdup_printf("%s@%s", from.local, from.domain) : g_strdup(from.domain);
    out->nick = g_strdup(from.resource);
    pa_jid_clear(&from);

    out->is_error = type && strcmp(type, "error") == 0;
    out->available = !type;
    if (out->is_error) {
        const char *cond = pa_stanza_error_condition(presence);
        out->error_condition = cond ? g_strdup(cond) : NULL;
        xmpp_stanza_t *err = pa_stanza_child(presence, "error", NULL);
        out->error_text = focus_stanza_child_text(err, "text", PA_NS_STANZAS);
        return FOCUS_MUC_PRESENCE_OK;
    }

    xmpp_stanza_t *x = pa_stanza_child(presence, "x", FOCUS_NS_MUC_USER);
    if (x)
        parse_muc_user(x, out);
    out->display_name = focus_stanza_child_text(presence, "nick", FOCUS_NS_NICK);
    out->stats_id = focus_stanza_child_text(presence, "stats-id", NULL);
    xmpp_stanza_t *caps = pa_stanza_child(presence, "c", FOCUS_NS_CAPS);
    const char *node = caps ? xmpp_stanza_get_attribute(caps, "node") : NULL;
    const char *ver = caps ? xmpp_stanza_get_attribute(caps, "ver") : NULL;
    if (node && *node && ver && *ver &&
        g_strcmp0(xmpp_stanza_get_attribute(caps, "hash"), "sha-1") == 0) {
        out->caps_node = g_strdup(node);
        out->caps_ver = g_strdup(ver);
    }
    return FOCUS_MUC_PRESENCE_OK;
}

/* ---- builders ---- */

static xmpp_stanza_t *presence_to(xmpp_ctx_t *ctx, const char *from, const char *room,
                                  const char *nick)
{
    xmpp_stanza_t *p = xmpp_presence_new(ctx);
    g_autofree char *to = g_strdup_printf("%s/%s", room, nick);
    xmpp_stanza_set_from(p, from);
    xmpp_stanza_set_to(p, to);
    return p;
}

xmpp_stanza_t *focus_muc_join_presence(xmpp_ctx_t *ctx, const char *from, const char *room,
                                       const char *nick)
{
    xmpp_stanza_t *p = presence_to(ctx, from, room, nick);
    pa_stanza_add_child(p, "x", FOCUS_NS_MUC);
    return p;
}

xmpp_stanza_t *focus_muc_leave_presence(xmpp_ctx_t *ctx, const char *from, const char *room,
                                        const char *nick)
{
    xmpp_stanza_t *p = presence_to(ctx, from, room, nick);
    xmpp_stanza_set_type(p, "unavailable");
    return p;
}

static xmpp_stanza_t *iq_set(xmpp_ctx_t *ctx, const char *from, const char *to)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", NULL);
    xmpp_stanza_set_from(iq, from);
    xmpp_stanza_set_to(iq, to);
    return iq;
}

xmpp_stanza_t *focus_muc_owner_iq(xmpp_ctx_t *ctx, const char *type, const char *from,
                                  const char *room, xmpp_stanza_t **query)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, type, NULL);
    xmpp_stanza_set_from(iq, from);
    xmpp_stanza_set_to(iq, room);
    *query = pa_stanza_add_child(iq, "query", FOCUS_NS_MUC_OWNER);
    return iq;
}

xmpp_stanza_t *focus_muc_config_form(xmpp_stanza_t *query)
{
    xmpp_stanza_t *x = pa_stanza_add_child(query, "x", FOCUS_NS_DATA);
    xmpp_stanza_set_type(x, "submit");
    focus_muc_form_field(x, "FORM_TYPE", "http://jabber.org/protocol/muc#roomconfig", "hidden");
    return x;
}

void focus_muc_form_field(xmpp_stanza_t *form, const char *var, const char *value, const char *type)
{
    xmpp_stanza_t *f = pa_stanza_add_child(form, "field", NULL);
    xmpp_stanza_set_attribute(f, "var", var);
    if (type)
        xmpp_stanza_set_attribute(f, "type", type);
    xmpp_stanza_t *v = pa_stanza_add_child(f, "value", NULL);
    if (*value)
        pa_stanza_add_text(v, value);
}

xmpp_stanza_t *focus_muc_owner_form(xmpp_ctx_t *ctx, const char *from, const char *room,
                                    FocusOwnerFormKind kind)
{
    xmpp_stanza_t *q;
    xmpp_stanza_t *iq = focus_muc_owner_iq(ctx, "set", from, room, &q);
    xmpp_stanza_t *x = focus_muc_config_form(q);
    focus_muc_form_field(x, "muc#roomconfig_whois", "anyone", NULL);
    focus_muc_form_field(x, "muc#roomconfig_persistentroom", "0", NULL);
    if (kind == FOCUS_OWNER_FORM_INITIAL) {
        focus_muc_form_field(x, "muc#roomconfig_membersonly", "0", NULL);
        focus_muc_form_field(x, "muc#roomconfig_publicroom", "0", NULL);
        focus_muc_form_field(x, "muc#roomconfig_moderatedroom", "0", NULL);
        focus_muc_form_field(x, "muc#roomconfig_passwordprotectedroom", "0", NULL);
    }
    return iq;
}

xmpp_stanza_t *focus_muc_set_affiliation(xmpp_ctx_t *ctx, const char *from, const char *room,
                                         const char *bare_jid, FocusMucAffiliation affiliation)
{
    xmpp_stanza_t *iq = iq_set(ctx, from, room);
    xmpp_stanza_t *q = pa_stanza_add_child(iq, "query", FOCUS_NS_MUC_ADMIN);
    xmpp_stanza_t *item = pa_stanza_add_child(q, "item", NULL);
    xmpp_stanza_set_attribute(item, "affiliation", focus_muc_affiliation_str(affiliation));
    xmpp_stanza_set_attribute(item, "jid", bare_jid);
    return iq;
}

xmpp_stanza_t *focus_muc_destroy(xmpp_ctx_t *ctx, const char *from, const char *room,
                                 const char *reason)
{
    xmpp_stanza_t *q;
    xmpp_stanza_t *iq = focus_muc_owner_iq(ctx, "set", from, room, &q);
    xmpp_stanza_t *d = pa_stanza_add_child(q, "destroy", NULL);
    if (reason) {
        xmpp_stanza_t *r = pa_stanza_add_child(d, "reason", NULL);
        pa_stanza_add_text(r, reason);
    }
    return iq;
}

char *focus_muc_room_key(const char *room)
{
    PaJid jid;
    if (pa_jid_parse(room, &jid) != PA_JID_OK)
        return NULL;
    char *key = NULL;
    if (jid.local && !jid.resource) {
        g_autofree char *folded = g_utf8_casefold(jid.local, -1);
        g_autofree char *norm = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
        if (norm)
            key = g_strdup_printf("%s@%s", norm, jid.domain);
        /* NFKC can make JID syntax out of what was a name: U+FF20 becomes '@', U+FF0F '/',
         * U+FDFA eighteen characters with spaces. Such a key is no room JID: refuse it. */
        PaJid k;
        gboolean same = FALSE;
        if (key && pa_jid_parse(key, &k) == PA_JID_OK) {
            same = k.local && !k.resource && strcmp(k.local, norm) == 0 &&
                   strcmp(k.domain, jid.domain) == 0;
            pa_jid_clear(&k);
        }
        if (!same || pa_room_jid_check(key, jid.domain) != PA_ROOM_OK)
            g_clear_pointer(&key, g_free);
    }
    pa_jid_clear(&jid);
    return key;
}
