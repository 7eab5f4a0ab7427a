/* SPDX-License-Identifier: MIT */
/* JIDs (RFC 7622, the parts Parley relies on) and conference room names. Pure. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    PA_JID_OK = 0,
    PA_JID_EMPTY,        /* NULL or "" */
    PA_JID_TOO_LONG,     /* a part over 1023 bytes, or a domain over 253 */
    PA_JID_BAD_LOCAL,    /* empty before '@', or a character RFC 7622 forbids */
    PA_JID_BAD_DOMAIN,   /* not a DNS-style name or IP literal */
    PA_JID_BAD_RESOURCE, /* empty after '/', or control characters */
    PA_JID_BAD_UTF8,
} PaJidStatus;

typedef struct {
    char *local;    /* NULL when absent */
    char *domain;   /* never NULL on success; lower-cased */
    char *resource; /* NULL when absent */
} PaJid;

/* Parses @s into @out (strings owned by @out; free with pa_jid_clear). On failure @out is
 * zeroed. */
PaJidStatus pa_jid_parse(const char *s, PaJid *out);
void pa_jid_clear(PaJid *jid);
const char *pa_jid_status_str(PaJidStatus st);

/* TRUE for a DNS-style domain (labels of letters, digits, '-', '_'; not starting or ending with
 * '-') or an IPv4 literal. */
gboolean pa_domain_valid(const char *domain);

/* New strings (transfer full): "local@domain" or "domain"; NULL if @full does not parse. */
char *pa_jid_bare(const char *full);
/* New string: the resource, or NULL. */
char *pa_jid_resource(const char *full);
/* TRUE if @a and @b are the same JID after parsing (domain compared case-insensitively). */
gboolean pa_jid_equal(const char *a, const char *b);

typedef enum {
    PA_ROOM_OK = 0,
    PA_ROOM_NOT_A_JID,    /* the room attribute does not parse as a JID */
    PA_ROOM_NO_NAME,      /* no local part: "conference.example.org" */
    PA_ROOM_HAS_RESOURCE, /* "room@conference.example.org/nick" */
    PA_ROOM_WRONG_DOMAIN, /* not on the MUC service the focus serves */
    PA_ROOM_BAD_NAME,     /* name too long (> 200 bytes) or with forbidden characters */
} PaRoomStatus;

/* Validates a conference room JID requested by a client: a bare JID whose domain is
 * @muc_domain and whose local part is 1..200 bytes of JID-legal UTF-8. */
PaRoomStatus pa_room_jid_check(const char *room_jid, const char *muc_domain);
const char *pa_room_status_str(PaRoomStatus st);

/* Checks for settings (PaSettingCheck, common/config.h): NULL when @value is fine, else a
 * reason (transfer full). */
char *pa_config_check_domain(const char *value);   /* DNS-style domain name */
char *pa_config_check_bare_jid(const char *value); /* local@domain or domain */

G_END_DECLS
