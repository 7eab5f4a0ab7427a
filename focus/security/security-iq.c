/* SPDX-License-Identifier: MIT */
/* Pure: no state (see security-iq.h). */
#include "focus/security/security-iq.h"

#include "common/jingle/jingle.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"

#include <stdarg.h>
#include <string.h>

const char *focus_security_kind_str(FocusSecurityKind k)
{
    switch (k) {
    case FOCUS_SECURITY_LOBBY_SET:
        return "lobby-set";
    case FOCUS_SECURITY_LOBBY_GET:
        return "lobby-get";
    case FOCUS_SECURITY_PASSWORD:
        return "password";
    case FOCUS_SECURITY_KNOCK:
        return "knock";
    case FOCUS_SECURITY_CANCEL:
        return "cancel";
    case FOCUS_SECURITY_ADMIT:
        return "admit";
    case FOCUS_SECURITY_REFUSE:
        return "refuse";
    }
    return "?";
}

void focus_security_request_clear(FocusSecurityRequest *req)
{
    g_free(req->room);
    g_free(req->from);
    g_free(req->password);
    g_free(req->nick);
    g_free(req->knock_id);
    g_free(req->reason);
    memset(req, 0, sizeof *req);
}

static FocusSecurityStatus fail(FocusSecurityRequest *out, FocusSecurityStatus st, char **why,
                                const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static FocusSecurityStatus fail(FocusSecurityRequest *out, FocusSecurityStatus st, char **why,
                                const char *fmt, ...)
{
    focus_security_request_clear(out);
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        *why = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    return st;
}

/* A value quoted in an error text: at most @max bytes, cut at a character boundary ("..."
 * marks the cut), and only characters XML allows. A cut through a UTF-8 sequence would make
 * the reply ill-formed, and the server closes the stream of whoever sends that (transfer
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

/* First child element in our namespace (transfer none). */
static xmpp_stanza_t *payload_of(xmpp_stanza_t *iq)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(iq); c; c = xmpp_stanza_get_next(c)) {
        const char *ns = xmpp_stanza_is_tag(c) ? xmpp_stanza_get_ns(c) : NULL;
        if (ns && strcmp(ns, FOCUS_NS_LOBBY) == 0)
            return c;
    }
    return NULL;
}

static gboolean has_control(const char *s)
{
    for (const guchar *p = (const guchar *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return TRUE;
    return FALSE;
}

/* An optional text attribute: NULL when absent, else checked for length and control
 * characters. Returns the status to fail with, or OK. */
static FocusSecurityStatus text_attr(xmpp_stanza_t *el, const char *name, gsize max_bytes,
                                     const char **value)
{
    const char *v = xmpp_stanza_get_attribute(el, name);
    *value = v;
    if (!v)
        return FOCUS_SECURITY_OK;
    if (strlen(v) > max_bytes)
        return FOCUS_SECURITY_TOO_LONG;
    if (has_control(v) || !g_utf8_validate(v, -1, NULL))
        return FOCUS_SECURITY_BAD_VALUE;
    return FOCUS_SECURITY_OK;
}

static gboolean parse_bool(const char *v, gboolean *out)
{
    if (!v)
        return FALSE;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = TRUE;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = FALSE;
    else
        return FALSE;
    return TRUE;
}

typedef struct {
    const char *name;
    FocusSecurityKind kind;
    const char *type; /* the IQ type it needs */
} Element;

static const Element elements[] = {
    {"lobby", FOCUS_SECURITY_LOBBY_SET, "set"},   {"lobby", FOCUS_SECURITY_LOBBY_GET, "get"},
    {"password", FOCUS_SECURITY_PASSWORD, "set"}, {"knock", FOCUS_SECURITY_KNOCK, "set"},
    {"cancel", FOCUS_SECURITY_CANCEL, "set"},     {"admit", FOCUS_SECURITY_ADMIT, "set"},
    {"refuse", FOCUS_SECURITY_REFUSE, "set"},
};

static FocusSecurityStatus parse_room(xmpp_stanza_t *el, const char *muc_domain,
                                      FocusSecurityRequest *out, char **why)
{
    const char *room = xmpp_stanza_get_attribute(el, "room");
    if (!room || !*room)
        return fail(out, FOCUS_SECURITY_NO_ROOM, why, "the room attribute is missing");
    PaRoomStatus rs = pa_room_jid_check(room, muc_domain);
    if (rs == PA_ROOM_WRONG_DOMAIN)
        return fail(out, FOCUS_SECURITY_WRONG_DOMAIN, why, "this focus only serves rooms on %s",
                    muc_domain);
    if (rs != PA_ROOM_OK) {
        g_autofree char *q = quote(room, 64);
        return fail(out, FOCUS_SECURITY_BAD_ROOM, why, "invalid room '%s': %s", q,
                    pa_room_status_str(rs));
    }
    out->room = focus_muc_room_key(room);
    if (!out->room) {
        g_autofree char *q = quote(room, 64);
        return fail(out, FOCUS_SECURITY_BAD_ROOM, why, "invalid room '%s'", q);
    }
    return FOCUS_SECURITY_OK;
}

static FocusSecurityStatus parse_knock_id(xmpp_stanza_t *el, FocusSecurityRequest *out, char **why)
{
    const char *id;
    FocusSecurityStatus st = text_attr(el, "knock", FOCUS_SECURITY_MAX_KNOCK_ID, &id);
    if (st == FOCUS_SECURITY_TOO_LONG)
        return fail(out, st, why, "the knock id is too long");
    if (st != FOCUS_SECURITY_OK || !id || !*id)
        return fail(out, FOCUS_SECURITY_BAD_VALUE, why, "the knock attribute is missing");
    out->knock_id = g_strdup(id);
    return FOCUS_SECURITY_OK;
}

static FocusSecurityStatus parse_nick(xmpp_stanza_t *el, FocusSecurityRequest *out, char **why)
{
    const char *nick;
    /* Bytes first (cheap bound), code points after trimming. */
    FocusSecurityStatus st = text_attr(el, "nick", FOCUS_SECURITY_MAX_NICK * 4 + 64, &nick);
    if (st == FOCUS_SECURITY_TOO_LONG)
        return fail(out, st, why, "the nick is longer than %d characters", FOCUS_SECURITY_MAX_NICK);
    if (st != FOCUS_SECURITY_OK)
        return fail(out, st, why, "the nick contains control characters");
    g_autofree char *trimmed = g_strstrip(g_strdup(nick ? nick : ""));
    if (!*trimmed)
        return fail(out, FOCUS_SECURITY_BAD_VALUE, why,
                    "a knock needs a nick: the name moderators will see");
    if (g_utf8_strlen(trimmed, -1) > FOCUS_SECURITY_MAX_NICK)
        return fail(out, FOCUS_SECURITY_TOO_LONG, why, "the nick is longer than %d characters",
                    FOCUS_SECURITY_MAX_NICK);
    out->nick = g_steal_pointer(&trimmed);
    return FOCUS_SECURITY_OK;
}

static FocusSecurityStatus parse_password(xmpp_stanza_t *el, const char *attr, gboolean required,
                                          FocusSecurityRequest *out, char **why)
{
    const char *pw;
    FocusSecurityStatus st = text_attr(el, attr, FOCUS_SECURITY_MAX_PASSWORD, &pw);
    if (st == FOCUS_SECURITY_TOO_LONG)
        return fail(out, st, why, "the password is longer than %d bytes",
                    FOCUS_SECURITY_MAX_PASSWORD);
    if (st != FOCUS_SECURITY_OK)
        return fail(out, st, why, "the password contains control characters");
    if (!pw && required)
        return fail(out, FOCUS_SECURITY_BAD_VALUE, why,
                    "the value attribute is missing (value=\"\" removes the password)");
    out->password = pw && *pw ? g_strdup(pw) : NULL;
    return FOCUS_SECURITY_OK;
}

FocusSecurityStatus focus_security_parse(xmpp_stanza_t *iq, const char *muc_domain,
                                         FocusSecurityRequest *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why)
        *why = NULL;
    xmpp_stanza_t *el = payload_of(iq);
    if (!el)
        return fail(out, FOCUS_SECURITY_NOT_OURS, why, "no element in %s", FOCUS_NS_LOBBY);
    const char *name = xmpp_stanza_get_name(el);
    const char *type = xmpp_stanza_get_type(iq);
    const Element *match = NULL;
    gboolean known = FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(elements); i++) {
        if (strcmp(elements[i].name, name) != 0)
            continue;
        known = TRUE;
        if (type && strcmp(type, elements[i].type) == 0)
            match = &elements[i];
    }
    if (!known) {
        g_autofree char *q = quote(name, 32);
        return fail(out, FOCUS_SECURITY_UNKNOWN_ELEMENT, why, "unknown request <%s/>", q);
    }
    if (!match) {
        g_autofree char *q = quote(type ? type : "(none)", 16);
        return fail(out, FOCUS_SECURITY_BAD_TYPE, why, "<%s/> is not a request of type %s", name,
                    q);
    }
    out->kind = match->kind;

    PaJid from;
    if (pa_jid_parse(xmpp_stanza_get_from(iq), &from) != PA_JID_OK)
        return fail(out, FOCUS_SECURITY_BAD_FROM, why, "the sender's address is missing or bad");
    gboolean full = from.resource != NULL;
    pa_jid_clear(&from);
    if (!full)
        return fail(out, FOCUS_SECURITY_BAD_FROM, why, "requests come from a full JID");
    out->from = g_strdup(xmpp_stanza_get_from(iq));

    FocusSecurityStatus st = parse_room(el, muc_domain, out, why);
    if (st != FOCUS_SECURITY_OK)
        return st;

    switch (out->kind) {
    case FOCUS_SECURITY_LOBBY_SET:
        if (!parse_bool(xmpp_stanza_get_attribute(el, "enabled"), &out->enabled))
            return fail(out, FOCUS_SECURITY_BAD_VALUE, why,
                        "enabled must be \"true\" or \"false\"");
        break;
    case FOCUS_SECURITY_LOBBY_GET:
        break;
    case FOCUS_SECURITY_PASSWORD:
        st = parse_password(el, "value", TRUE, out, why);
        break;
    case FOCUS_SECURITY_KNOCK:
        st = parse_nick(el, out, why);
        if (st == FOCUS_SECURITY_OK)
            st = parse_password(el, "password", FALSE, out, why);
        break;
    case FOCUS_SECURITY_CANCEL:
    case FOCUS_SECURITY_ADMIT:
        st = parse_knock_id(el, out, why);
        break;
    case FOCUS_SECURITY_REFUSE: {
        st = parse_knock_id(el, out, why);
        if (st != FOCUS_SECURITY_OK)
            break;
        const char *reason;
        st = text_attr(el, "reason", FOCUS_SECURITY_MAX_REASON, &reason);
        if (st == FOCUS_SECURITY_TOO_LONG)
            return fail(out, st, why, "the reason is longer than %d bytes",
                        FOCUS_SECURITY_MAX_REASON);
        if (st != FOCUS_SECURITY_OK)
            return fail(out, st, why, "the reason contains control characters");
        out->reason = reason && *reason ? g_strdup(reason) : NULL;
        break;
    }
    }
    return st;
}

/* ---- replies ---- */

xmpp_stanza_t *focus_security_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                          FocusSecurityStatus status, const char *why)
{
    PaErrorType type = PA_ERR_MODIFY;
    const char *cond = "bad-request";
    switch (status) {
    case FOCUS_SECURITY_UNKNOWN_ELEMENT:
        type = PA_ERR_CANCEL;
        cond = "feature-not-implemented";
        break;
    case FOCUS_SECURITY_BAD_ROOM:
        cond = "jid-malformed";
        break;
    case FOCUS_SECURITY_WRONG_DOMAIN:
        type = PA_ERR_CANCEL;
        cond = "not-allowed";
        break;
    case FOCUS_SECURITY_TOO_LONG:
        cond = "not-acceptable";
        break;
    case FOCUS_SECURITY_OK:
    case FOCUS_SECURITY_NOT_OURS:
    case FOCUS_SECURITY_BAD_TYPE:
    case FOCUS_SECURITY_BAD_FROM:
    case FOCUS_SECURITY_NO_ROOM:
    case FOCUS_SECURITY_BAD_VALUE:
        break;
    }
    return pa_stanza_error_reply(ctx, iq, type, cond, why, NULL);
}

xmpp_stanza_t *focus_security_lobby_error(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                          FocusLobbyStatus status)
{
    PaErrorType type = PA_ERR_CANCEL;
    const char *cond = NULL;
    switch (status) {
    case FOCUS_LOBBY_OK:
        return NULL;
    case FOCUS_LOBBY_ERR_FORBIDDEN:
        type = PA_ERR_AUTH;
        cond = "forbidden";
        break;
    case FOCUS_LOBBY_ERR_NO_KNOCK:
    case FOCUS_LOBBY_ERR_ENDED:
        cond = "item-not-found";
        break;
    case FOCUS_LOBBY_ERR_IN_ROOM:
        cond = "not-allowed";
        break;
    case FOCUS_LOBBY_ERR_DUPLICATE:
        cond = "conflict";
        break;
    case FOCUS_LOBBY_ERR_FULL:
        type = PA_ERR_WAIT;
        cond = "resource-constraint";
        break;
    case FOCUS_LOBBY_ERR_BAD_PASSWORD:
        type = PA_ERR_AUTH;
        cond = "not-authorized";
        break;
    case FOCUS_LOBBY_ERR_TOO_MANY_TRIES:
        type = PA_ERR_WAIT;
        cond = "policy-violation";
        break;
    case FOCUS_LOBBY_ERR_BUSY:
        type = PA_ERR_WAIT;
        cond = "unexpected-request";
        break;
    case FOCUS_LOBBY_ERR_MUC_FAILED:
        type = PA_ERR_WAIT;
        cond = "internal-server-error";
        break;
    }
    return pa_stanza_error_reply(ctx, iq, type, cond, focus_lobby_status_str(status), NULL);
}

xmpp_stanza_t *focus_security_no_room_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq)
{
    return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "item-not-found",
                                 "no conference in that room", NULL);
}

static xmpp_stanza_t *lobby_element(xmpp_stanza_t *parent, const char *name, const char *room)
{
    xmpp_stanza_t *el = pa_stanza_add_child(parent, name, FOCUS_NS_LOBBY);
    xmpp_stanza_set_attribute(el, "room", room);
    return el;
}

static const char *bool_str(gboolean b)
{
    return b ? "true" : "false";
}

xmpp_stanza_t *focus_security_knock_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                           const char *knock_id, FocusLobbyKnockStatus status)
{
    xmpp_stanza_t *r = pa_stanza_iq_result(ctx, iq);
    xmpp_stanza_t *k = lobby_element(r, "knock", room);
    if (knock_id)
        xmpp_stanza_set_attribute(k, "id", knock_id);
    xmpp_stanza_set_attribute(k, "status", focus_lobby_knock_status_str(status));
    return r;
}

xmpp_stanza_t *focus_security_lobby_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                           gboolean enabled, gboolean has_password,
                                           GPtrArray *knocks, gint64 now_us)
{
    xmpp_stanza_t *r = pa_stanza_iq_result(ctx, iq);
    xmpp_stanza_t *l = lobby_element(r, "lobby", room);
    xmpp_stanza_set_attribute(l, "enabled", bool_str(enabled));
    xmpp_stanza_set_attribute(l, "password", bool_str(has_password));
    for (guint i = 0; knocks && i < knocks->len; i++) {
        const FocusLobbyKnock *k = knocks->pdata[i];
        if (k->admitting)
            continue;
        xmpp_stanza_t *e = pa_stanza_add_child(l, "knock", NULL);
        xmpp_stanza_set_attribute(e, "id", k->id);
        xmpp_stanza_set_attribute(e, "nick", k->nick);
        xmpp_stanza_set_attribute(e, "jid", k->jid);
        xmpp_stanza_set_attribute(e, "status", "pending");
        g_autofree char *waiting =
            g_strdup_printf("%" G_GINT64_FORMAT, MAX(0, (now_us - k->created_us) / G_USEC_PER_SEC));
        xmpp_stanza_set_attribute(e, "waiting", waiting);
    }
    return r;
}

xmpp_stanza_t *focus_security_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, FocusSecurityKind kind,
                                    const char *room, const FocusLobbyAction *a)
{
    if (a->status != FOCUS_LOBBY_OK)
        return focus_security_lobby_error(ctx, iq, a->status);
    if (kind == FOCUS_SECURITY_KNOCK)
        return focus_security_knock_result(ctx, iq, room, a->knock_id, a->knock_status);
    return pa_stanza_iq_result(ctx, iq);
}

/* ---- originated stanzas ---- */

static xmpp_stanza_t *headline(xmpp_ctx_t *ctx, const char *from, const char *to)
{
    xmpp_stanza_t *m = xmpp_message_new(ctx, "headline", to, NULL);
    xmpp_stanza_set_from(m, from);
    return m;
}

static void set_opt(xmpp_stanza_t *el, const char *name, const char *value)
{
    if (value)
        xmpp_stanza_set_attribute(el, name, value);
}

xmpp_stanza_t *focus_security_config_form(xmpp_ctx_t *ctx, const char *from, const char *room,
                                          gboolean members_only, const char *secret)
{
    if (secret && !*secret)
        secret = NULL;
    xmpp_stanza_t *q;
    xmpp_stanza_t *iq = focus_muc_owner_iq(ctx, "set", from, room, &q);
    xmpp_stanza_t *x = focus_muc_config_form(q);
    focus_muc_form_field(x, "muc#roomconfig_membersonly", members_only ? "1" : "0", NULL);
    focus_muc_form_field(x, "muc#roomconfig_passwordprotectedroom", secret ? "1" : "0", NULL);
    focus_muc_form_field(x, "muc#roomconfig_roomsecret", secret ? secret : "", NULL);
    return iq;
}

xmpp_stanza_t *focus_security_config_query(xmpp_ctx_t *ctx, const char *from, const char *room)
{
    xmpp_stanza_t *q;
    return focus_muc_owner_iq(ctx, "get", from, room, &q);
}

/* The first <value> of field @var in @form (transfer full), "" for a field without value, NULL
 * when the field is absent. */
static char *field_value(xmpp_stanza_t *form, const char *var)
{
    for (xmpp_stanza_t *f = xmpp_stanza_get_children(form); f; f = xmpp_stanza_get_next(f)) {
        if (!xmpp_stanza_is_tag(f) || strcmp(xmpp_stanza_get_name(f), "field") != 0 ||
            g_strcmp0(xmpp_stanza_get_attribute(f, "var"), var) != 0)
            continue;
        char *v = focus_stanza_child_text(f, "value", NULL);
        return v ? v : g_strdup("");
    }
    return NULL;
}

static gboolean field_bool(xmpp_stanza_t *form, const char *var, gboolean *present)
{
    g_autofree char *v = field_value(form, var);
    gboolean b = FALSE;
    *present = v != NULL && parse_bool(v, &b);
    return b;
}

gboolean focus_security_parse_config(xmpp_stanza_t *result, gboolean *members_only,
                                     gboolean *password_protected, char **secret)
{
    xmpp_stanza_t *q = pa_stanza_child(result, "query", FOCUS_NS_MUC_OWNER);
    xmpp_stanza_t *x = q ? pa_stanza_child(q, "x", FOCUS_NS_DATA) : NULL;
    if (!x)
        return FALSE;
    gboolean present;
    *members_only = field_bool(x, "muc#roomconfig_membersonly", &present);
    char *s = field_value(x, "muc#roomconfig_roomsecret");
    if (s && !*s)
        g_clear_pointer(&s, g_free);
    gboolean prot = field_bool(x, "muc#roomconfig_passwordprotectedroom", &present);
    *password_protected = present ? prot : s != NULL;
    *secret = s;
    return TRUE;
}

xmpp_stanza_t *focus_security_action_stanza(xmpp_ctx_t *ctx, const char *component_jid,
                                            const char *occupant_jid, const char *room,
                                            const FocusLobbyAction *a)
{
    switch (a->kind) {
    case FOCUS_LOBBY_ACTION_GRANT_MEMBER:
        return focus_muc_set_affiliation(ctx, occupant_jid, room, a->jid,
                                         FOCUS_MUC_AFFILIATION_MEMBER);
    case FOCUS_LOBBY_ACTION_SUBMIT_CONFIG:
        return focus_security_config_form(ctx, occupant_jid, room, a->members_only, a->secret);
    case FOCUS_LOBBY_ACTION_NOTIFY_KNOCK: {
        xmpp_stanza_t *m = headline(ctx, component_jid, a->to);
        xmpp_stanza_t *k = lobby_element(m, "knock", room);
        xmpp_stanza_set_attribute(k, "id", a->knock_id);
        xmpp_stanza_set_attribute(k, "status", focus_lobby_knock_status_str(a->knock_status));
        if (!a->to_knocker) {
            set_opt(k, "nick", a->nick);
            set_opt(k, "jid", a->knocker_jid);
        }
        set_opt(k, "by", a->by);
        set_opt(k, "reason", a->reason);
        return m;
    }
    case FOCUS_LOBBY_ACTION_NOTIFY_STATE: {
        xmpp_stanza_t *m = headline(ctx, component_jid, a->to);
        xmpp_stanza_t *l = lobby_element(m, "lobby", room);
        xmpp_stanza_set_attribute(l, "enabled", bool_str(a->enabled));
        xmpp_stanza_set_attribute(l, "password", bool_str(a->has_password));
        return m;
    }
    case FOCUS_LOBBY_ACTION_REVOKE_MEMBER:
        return focus_muc_set_affiliation(ctx, occupant_jid, room, a->jid,
                                         FOCUS_MUC_AFFILIATION_NONE);
    case FOCUS_LOBBY_ACTION_REPLY:
        break;
    }
    return NULL;
}

xmpp_stanza_t *focus_security_members_query(xmpp_ctx_t *ctx, const char *from, const char *room)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "get", NULL);
    xmpp_stanza_set_from(iq, from);
    xmpp_stanza_set_to(iq, room);
    xmpp_stanza_t *q = pa_stanza_add_child(iq, "query", FOCUS_NS_MUC_ADMIN);
    xmpp_stanza_t *item = pa_stanza_add_child(q, "item", NULL);
    xmpp_stanza_set_attribute(item, "affiliation", "member");
    return iq;
}

GPtrArray *focus_security_parse_members(xmpp_stanza_t *result, guint max)
{
    xmpp_stanza_t *q = pa_stanza_child(result, "query", FOCUS_NS_MUC_ADMIN);
    if (!q)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (xmpp_stanza_t *i = xmpp_stanza_get_children(q); i && out->len < max;
         i = xmpp_stanza_get_next(i)) {
        if (!xmpp_stanza_is_tag(i) || g_strcmp0(xmpp_stanza_get_name(i), "item") != 0)
            continue;
        const char *aff = xmpp_stanza_get_attribute(i, "affiliation");
        if (aff && strcmp(aff, "member") != 0)
            continue;
        char *bare = pa_jid_bare(xmpp_stanza_get_attribute(i, "jid"));
        if (bare)
            g_ptr_array_add(out, bare);
    }
    return out;
}
