/* SPDX-License-Identifier: MIT */
/* Small helpers over libstrophe's xmpp_stanza_t shared by the focus and the bridge's
 * control thread: finding children by name and namespace, and building error replies with
 * the right RFC 6120 condition. No I/O; stanzas are created in the caller's xmpp_ctx_t. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define PA_NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

/* First child element with this name (any namespace if @ns is NULL) (transfer none). */
xmpp_stanza_t *pa_stanza_child(xmpp_stanza_t *parent, const char *name, const char *ns);

/* Error types of RFC 6120 §8.3.2. */
typedef enum {
    PA_ERR_AUTH,
    PA_ERR_CANCEL,
    PA_ERR_CONTINUE,
    PA_ERR_MODIFY,
    PA_ERR_WAIT,
} PaErrorType;

/* A new error reply to @request (an iq, message or presence): from/to swapped, same id,
 * type="error", with <error type><@condition xmlns=stanzas/>[<text>@text</text>]</error>.
 * @app_condition (may be NULL) is added inside <error> as an application-specific child
 * (transfer full of the child goes to the reply). Returns a new stanza (transfer full). */
xmpp_stanza_t *pa_stanza_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request, PaErrorType type,
                                     const char *condition, const char *text,
                                     xmpp_stanza_t *app_condition);

/* A new empty result IQ for @request (transfer full). */
xmpp_stanza_t *pa_stanza_iq_result(xmpp_ctx_t *ctx, xmpp_stanza_t *request);

/* A new element <name xmlns=ns/> (ns may be NULL) (transfer full). */
xmpp_stanza_t *pa_stanza_element(xmpp_ctx_t *ctx, const char *name, const char *ns);

/* Adds a new <name xmlns=ns/> child to @parent and returns it (transfer none). */
xmpp_stanza_t *pa_stanza_add_child(xmpp_stanza_t *parent, const char *name, const char *ns);

/* Adds a text child to @parent. */
void pa_stanza_add_text(xmpp_stanza_t *parent, const char *text);

/* The error condition name of an error stanza ("item-not-found"), or NULL (transfer none). */
const char *pa_stanza_error_condition(xmpp_stanza_t *stanza);

/* Serialises to a new string for logging and tests (transfer full, g_free). */
char *pa_stanza_to_string(xmpp_stanza_t *stanza);

G_END_DECLS
