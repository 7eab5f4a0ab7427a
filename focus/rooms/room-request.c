/* SPDX-License-Identifier: MIT */
/* Pure: no state (see room-request.h). */
#include "focus/rooms/room-request.h"

#include "common/rooms/room-name.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"

#include <stdarg.h>
#include <string.h>

/* A client may send any number of properties; the focus keeps a bounded set. */
#define MAX_PROPERTIES 32
#define MAX_PROPERTY_LEN 256

void focus_room_request_clear(FocusRoomRequest *req)
{
    g_free(req->room);
    g_free(req->machine_uid);
    g_free(req->session_id);
    if (req->properties)
        g_hash_table_destroy(req->properties);
    memset(req, 0, sizeof *req);
}

static FocusRoomRequestStatus fail(FocusRoomRequestStatus st, char **why, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static FocusRoomRequestStatus fail(FocusRoomRequestStatus st, char **why, const char *fmt, ...)
{
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        *why = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    return st;
}

/* At most @max bytes of @s, cut at a character boundary: a reason quoting a value goes back
 * to the client as XML text, where half a UTF-8 sequence is not well-formed (and the server
 * closes the stream of whoever sends it). @s is valid UTF-8 (the XML parser saw to that). */
static char *clip(const char *s, gsize max)
{
    gsize n = strlen(s);
    if (n <= max)
        return g_strdup(s);
    const char *end = s + max;
    while (end > s && ((guchar)*end & 0xC0) == 0x80)
        end--;
    return g_strdup_printf("%.*s...", (int)(end - s), s);
}

/* The first character of the room name (the local part of @room, valid UTF-8) of Unicode
 * general category Cc (control), Cf (format: bidi overrides and isolates, zero-width
 * characters, tags, the soft hyphen, ...) or Co (private use), or 0. XMPP servers refuse most
 * of them in a local part (nodeprep, RFC 7622) and so would refuse the focus's join; and a
 * bidi override makes a name display as another one. */
static gunichar bad_name_char(const char *room)
{
    const char *at = strchr(room, '@');
    for (const char *p = room; at && p < at; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        GUnicodeType t = g_unichar_type(c);
        if (t == G_UNICODE_CONTROL || t == G_UNICODE_FORMAT || t == G_UNICODE_PRIVATE_USE)
            return c;
    }
    return 0;
}

static char *attr_dup(xmpp_stanza_t *s, const char *name)
{
    const char *v = xmpp_stanza_get_attribute(s, name);
    return v && *v ? g_strdup(v) : NULL;
}

FocusRoomRequestStatus focus_room_request_parse(xmpp_stanza_t *iq, const char *muc_domain,
                                                FocusRoomRequest *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (why)
        *why = NULL;
    xmpp_stanza_t *conf = pa_stanza_child(iq, "conference", FOCUS_NS_FOCUS);
    if (!conf)
        return fail(FOCUS_ROOM_REQUEST_NOT_OURS, why, "no <conference/> element");
    const char *type = xmpp_stanza_get_type(iq);
    if (!type || strcmp(type, "set") != 0)
        return fail(FOCUS_ROOM_REQUEST_BAD_TYPE, why,
                    "a conference request must be an IQ of type set");

    const char *room = xmpp_stanza_get_attribute(conf, "room");
    if (!room || !*room)
        return fail(FOCUS_ROOM_REQUEST_NO_ROOM, why, "the room attribute is missing");
    PaRoomStatus rs = pa_room_jid_check(room, muc_domain);
    switch (rs) {
    case PA_ROOM_OK:
        break;
    case PA_ROOM_WRONG_DOMAIN:
        return fail(FOCUS_ROOM_REQUEST_WRONG_DOMAIN, why, "this focus only serves rooms on %s",
                    muc_domain);
    default: {
        g_autofree char *quoted = clip(room, 64);
        return fail(FOCUS_ROOM_REQUEST_BAD_ROOM, why, "invalid room '%s': %s", quoted,
                    pa_room_status_str(rs));
    }
    }
    gunichar bad = bad_name_char(room);
    if (bad)
        return fail(FOCUS_ROOM_REQUEST_BAD_ROOM, why,
                    "invalid room: its name contains U+%04X, a control or format character",
                    (guint)bad);
    char *key = focus_muc_room_key(room);
    if (!key) {
        g_autofree char *quoted = clip(room, 64);
        return fail(FOCUS_ROOM_REQUEST_BAD_ROOM, why, "invalid room '%s'", quoted);
    }

    out->room = key;
    out->machine_uid = attr_dup(conf, "machine-uid");
    out->session_id = attr_dup(conf, "session-id");
    out->properties = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(conf); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c) || strcmp(xmpp_stanza_get_name(c), "property") != 0)
            continue;
        const char *name = xmpp_stanza_get_attribute(c, "name");
        const char *value = xmpp_stanza_get_attribute(c, "value");
        if (!name || !*name || strlen(name) > MAX_PROPERTY_LEN ||
            g_hash_table_size(out->properties) >= MAX_PROPERTIES)
            continue;
        if (!value || strlen(value) > MAX_PROPERTY_LEN)
            value = "";
        g_hash_table_replace(out->properties, g_strdup(name), g_strdup(value));
    }
    return FOCUS_ROOM_REQUEST_OK;
}

xmpp_stanza_t *focus_room_request_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                              FocusRoomRequestStatus status, const char *why)
{
    switch (status) {
    case FOCUS_ROOM_REQUEST_WRONG_DOMAIN:
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "not-allowed", why, NULL);
    case FOCUS_ROOM_REQUEST_NOT_OURS:
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "feature-not-implemented", why, NULL);
    case FOCUS_ROOM_REQUEST_OK:
    case FOCUS_ROOM_REQUEST_BAD_TYPE:
    case FOCUS_ROOM_REQUEST_NO_ROOM:
    case FOCUS_ROOM_REQUEST_BAD_ROOM:
        break;
    }
    return pa_stanza_error_reply(ctx, iq, PA_ERR_MODIFY, "bad-request", why, NULL);
}

static void add_property(xmpp_stanza_t *conf, const char *name, const char *value)
{
    xmpp_stanza_t *p = pa_stanza_add_child(conf, "property", NULL);
    xmpp_stanza_set_attribute(p, "name", name);
    xmpp_stanza_set_attribute(p, "value", value);
}

xmpp_stanza_t *focus_room_request_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                         const char *focus_jid, gboolean ready)
{
    xmpp_stanza_t *r = pa_stanza_iq_result(ctx, iq);
    xmpp_stanza_t *conf = pa_stanza_add_child(r, "conference", FOCUS_NS_FOCUS);
    xmpp_stanza_set_attribute(conf, "room", room);
    xmpp_stanza_set_attribute(conf, "ready", ready ? "true" : "false");
    xmpp_stanza_set_attribute(conf, "focusjid", focus_jid);
    add_property(conf, "authentication", "false");
    add_property(conf, "sipGatewayEnabled", "false");
    /* The name as the client sent it (docs/security.md "Room names"), not the canonical key:
     * the web client judges the same text. */
    xmpp_stanza_t *req = pa_stanza_child(iq, "conference", FOCUS_NS_FOCUS);
    const char *raw = req ? xmpp_stanza_get_attribute(req, "room") : NULL;
    pa_room_name_add_property(conf, raw ? raw : room);
    return r;
}

void focus_room_request_result_set_auth(xmpp_stanza_t *result, const char *identity)
{
    xmpp_stanza_t *conf = pa_stanza_child(result, "conference", FOCUS_NS_FOCUS);
    if (!conf)
        return;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(conf); c; c = xmpp_stanza_get_next(c)) {
        if (xmpp_stanza_is_tag(c) && strcmp(xmpp_stanza_get_name(c), "property") == 0 &&
            g_strcmp0(xmpp_stanza_get_attribute(c, "name"), "authentication") == 0)
            xmpp_stanza_set_attribute(c, "value", "true");
    }
    if (identity)
        xmpp_stanza_set_attribute(conf, "identity", identity);
}

xmpp_stanza_t *focus_room_request_not_authorized(xmpp_ctx_t *ctx, xmpp_stanza_t *iq)
{
    return pa_stanza_error_reply(ctx, iq, PA_ERR_AUTH, "not-authorized",
                                 "the meeting has not been opened by a moderator yet", NULL);
}
