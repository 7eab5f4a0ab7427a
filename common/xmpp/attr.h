/* SPDX-License-Identifier: MIT */
/* Validated reading and writing of XML attributes on libstrophe stanzas, shared by the
 * Colibri2, Jingle and ice-udp mappings. Parsing records the first problem in a PaParseState
 * (a status plus a reason naming the element and attribute); later problems are ignored so
 * that the reason always describes the first thing that went wrong.
 *
 * Pure: no I/O, no logging, no state of its own; callable from any thread on stanzas the
 * caller owns. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* Status values shared by the parsers: PaColibriStatus and PaJingleStatus use the same
 * numbers for MALFORMED and TOO_LARGE (checked where they are defined). */
#define PA_PARSE_OK 0
#define PA_PARSE_MALFORMED 2 /* a required attribute is missing or a value is invalid */
#define PA_PARSE_TOO_LARGE 3 /* a bound was exceeded */

typedef struct {
    int status;   /* PA_PARSE_OK until the first failure */
    char *reason; /* the first failure's reason (owned, g_free), or NULL */
} PaParseState;

/* Records @status and the formatted reason unless a failure was already recorded. Always
 * returns FALSE, so that parsers can `return pa_parse_fail(...)`. */
gboolean pa_parse_fail(PaParseState *ps, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
gboolean pa_parse_failv(PaParseState *ps, int status, const char *fmt, va_list ap)
    G_GNUC_PRINTF(3, 0);

/* Formats a reason that quotes peer input and makes it safe to send back in an XMPP error
 * <text>: a "%.Ns" cut may split a UTF-8 sequence and peers may send control characters, and
 * either would make the server close the sender's stream. Invalid UTF-8 becomes U+FFFD and
 * characters XML 1.0 forbids become '?'. (transfer full) */
char *pa_reason_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/* Element @e is a tag named @name in namespace @ns, where an element without a namespace of
 * its own is in @parent_ns (the namespace it inherits; stanzas built in-process leave
 * inherited namespaces unset, parsed ones have them resolved). */
gboolean pa_xml_is(xmpp_stanza_t *e, const char *name, const char *ns, const char *parent_ns);

/* Strict unsigned decimal: digits only (no sign, no space), value within [0, @max]. */
gboolean pa_attr_parse_u64(const char *s, guint64 max, guint64 *out);

/* Valid UTF-8 of at most @max bytes without control characters (< 0x20, 0x7f). */
gboolean pa_attr_text_ok(const char *s, gsize max);

/* Unsigned attribute within [@min, @max]. Absent: *@out = 0 and TRUE, unless @required
 * ("<name> without 'attr'"). A bad value fails with PA_PARSE_MALFORMED. */
gboolean pa_attr_uint(PaParseState *ps, xmpp_stanza_t *e, const char *attr, guint64 min,
                      guint64 max, gboolean required, guint64 *out);

/* Text attribute (pa_attr_text_ok, and not empty when @required), copied into *@out (the
 * previous value is freed). Absent: *@out untouched and TRUE, unless @required. */
gboolean pa_attr_text(PaParseState *ps, xmpp_stanza_t *e, const char *attr, gsize max,
                      gboolean required, char **out);

/* Boolean attribute: "true"/"1" or "false"/"0"; absent is FALSE. */
gboolean pa_attr_bool(PaParseState *ps, xmpp_stanza_t *e, const char *attr, gboolean *out);

/* The 32-bit "ssrc" attribute (required, 1..2^32-1). */
gboolean pa_attr_ssrc(PaParseState *ps, xmpp_stanza_t *e, guint32 *out);

/* Sets @attr to the decimal form of @v. */
void pa_attr_set_uint(xmpp_stanza_t *e, const char *attr, guint64 v);

G_END_DECLS
