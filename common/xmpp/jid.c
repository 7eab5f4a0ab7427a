/* SPDX-License-Identifier: MIT */
#include "common/xmpp/jid.h"

#include <string.h>

#define JID_PART_MAX 1023
#define DOMAIN_MAX 253
#define ROOM_NAME_MAX 200

/* RFC 7622 §3.3.1: these may not appear in a localpart. */
static gboolean local_char_ok(gunichar c)
{
    if (c < 0x21 || c == 0x7f || g_unichar_iscntrl(c) || g_unichar_isspace(c))
        return FALSE;
    return c > 0x7f || strchr("\"&'/:<>@", (int)c) == NULL;
}

static gboolean local_valid(const char *s, size_t len)
{
    if (len == 0 || len > JID_PART_MAX)
        return FALSE;
    for (const char *p = s; p < s + len; p = g_utf8_next_char(p))
        if (!local_char_ok(g_utf8_get_char(p)))
            return FALSE;
    return TRUE;
}

gboolean pa_domain_valid(const char *d)
{
    if (!d)
        return FALSE;
    size_t len = strlen(d);
    if (len == 0 || len > DOMAIN_MAX)
        return FALSE;
    if (d[len - 1] == '.')
        return FALSE;
    const char *label = d;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t ll = (size_t)(p - label);
            if (ll == 0 || ll > 63 || label[0] == '-' || label[ll - 1] == '-')
                return FALSE;
            if (*p == '\0')
                break;
            label = p + 1;
            continue;
        }
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return FALSE;
    }
    return TRUE;
}

static gboolean resource_valid(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > JID_PART_MAX)
        return FALSE;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f || g_unichar_iscntrl(c))
            return FALSE;
    }
    return TRUE;
}

PaJidStatus pa_jid_parse(const char *s, PaJid *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return PA_JID_EMPTY;
    size_t total = strlen(s);
    if (total > 3 * JID_PART_MAX + 2)
        return PA_JID_TOO_LONG;
    if (!g_utf8_validate(s, (gssize)total, NULL))
        return PA_JID_BAD_UTF8;

    /* The resource starts at the first '/'; the local part ends at the first '@' before it. */
    const char *slash = strchr(s, '/');
    const char *end_bare = slash ? slash : s + total;
    const char *at = memchr(s, '@', (size_t)(end_bare - s));

    if (at) {
        if (at - s > JID_PART_MAX)
            return PA_JID_TOO_LONG;
        if (!local_valid(s, (size_t)(at - s)))
            return PA_JID_BAD_LOCAL;
    }
    const char *dstart = at ? at + 1 : s;
    size_t dlen = (size_t)(end_bare - dstart);
    if (dlen > DOMAIN_MAX)
        return PA_JID_TOO_LONG;
    g_autofree char *domain = g_ascii_strdown(dstart, (gssize)dlen);
    if (!pa_domain_valid(domain))
        return PA_JID_BAD_DOMAIN;
    if (slash) {
        if (strlen(slash + 1) > JID_PART_MAX)
            return PA_JID_TOO_LONG;
        if (!resource_valid(slash + 1))
            return PA_JID_BAD_RESOURCE;
    }
    out->local = at ? g_strndup(s, (gsize)(at - s)) : NULL;
    out->domain = g_steal_pointer(&domain);
    out->resource = slash ? g_strdup(slash + 1) : NULL;
    return PA_JID_OK;
}

void pa_jid_clear(PaJid *jid)
{
    g_clear_pointer(&jid->local, g_free);
    g_clear_pointer(&jid->domain, g_free);
    g_clear_pointer(&jid->resource, g_free);
}

const char *pa_jid_status_str(PaJidStatus st)
{
    switch (st) {
    case PA_JID_OK:
        return "ok";
    case PA_JID_EMPTY:
        return "empty JID";
    case PA_JID_TOO_LONG:
        return "JID part too long";
    case PA_JID_BAD_LOCAL:
        return "invalid local part";
    case PA_JID_BAD_DOMAIN:
        return "invalid domain";
    case PA_JID_BAD_RESOURCE:
        return "invalid resource";
    case PA_JID_BAD_UTF8:
        return "not valid UTF-8";
    }
    return "?";
}

char *pa_jid_bare(const char *full)
{
    PaJid j;
    if (pa_jid_parse(full, &j) != PA_JID_OK)
        return NULL;
    char *r = j.local ? g_strdup_printf("%s@%s", j.local, j.domain) : g_strdup(j.domain);
    pa_jid_clear(&j);
    return r;
}

char *pa_jid_resource(const char *full)
{
    PaJid j;
    if (pa_jid_parse(full, &j) != PA_JID_OK)
        return NULL;
    char *r = g_steal_pointer(&j.resource);
    pa_jid_clear(&j);
    return r;
}

gboolean pa_jid_equal(const char *a, const char *b)
{
    PaJid ja, jb;
    if (pa_jid_parse(a, &ja) != PA_JID_OK)
        return FALSE;
    if (pa_jid_parse(b, &jb) != PA_JID_OK) {
        pa_jid_clear(&ja);
        return FALSE;
    }
    gboolean eq = g_strcmp0(ja.local, jb.local) == 0 && g_strcmp0(ja.domain, jb.domain) == 0 &&
                  g_strcmp0(ja.resource, jb.resource) == 0;
    pa_jid_clear(&ja);
    pa_jid_clear(&jb);
    return eq;
}

PaRoomStatus pa_room_jid_check(const char *room_jid, const char *muc_domain)
{
    PaJid j;
    if (pa_jid_parse(room_jid, &j) != PA_JID_OK)
        return PA_ROOM_NOT_A_JID;
    PaRoomStatus st = PA_ROOM_OK;
    if (!j.local)
        st = PA_ROOM_NO_NAME;
    else if (j.resource)
        st = PA_ROOM_HAS_RESOURCE;
    else if (g_ascii_strcasecmp(j.domain, muc_domain) != 0)
        st = PA_ROOM_WRONG_DOMAIN;
    else if (strlen(j.local) > ROOM_NAME_MAX)
        st = PA_ROOM_BAD_NAME;
    pa_jid_clear(&j);
    return st;
}

const char *pa_room_status_str(PaRoomStatus st)
{
    switch (st) {
    case PA_ROOM_OK:
        return "ok";
    case PA_ROOM_NOT_A_JID:
        return "room is not a valid JID";
    case PA_ROOM_NO_NAME:
        return "room JID has no room name";
    case PA_ROOM_HAS_RESOURCE:
        return "room JID must be bare";
    case PA_ROOM_WRONG_DOMAIN:
        return "room is not on this conference service";
    case PA_ROOM_BAD_NAME:
        return "room name is too long";
    }
    return "?";
}

char *pa_config_check_domain(const char *value)
{
    return pa_domain_valid(value) ? NULL
                                  : g_strdup("must be a domain name such as meet.example.org");
}

char *pa_config_check_bare_jid(const char *value)
{
    PaJid jid;
    if (pa_jid_parse(value, &jid) != PA_JID_OK)
        return g_strdup("must be a JID such as user@example.org");
    gboolean bare = jid.resource == NULL;
    pa_jid_clear(&jid);
    return bare ? NULL : g_strdup("must be a bare JID (no /resource)");
}
