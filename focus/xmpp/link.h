/* SPDX-License-Identifier: MIT */
/* FocusLink: what the focus's conference logic uses to talk to the XMPP server, without
 * knowing about the socket: send a stanza, send an IQ and get its reply (or a timeout, or
 * the news that the connection dropped) in a callback, run timers, read the clock.
 *
 * The component (component.c) plugs the real connection in with focus_link_set_transport()
 * and reports online/offline; unit tests plug in a recorder and a clock they step, so rooms
 * and handlers are tested without sockets or sleeps.
 *
 * Thread: everything here runs on the focus's single event-loop thread. Callbacks are
 * called from focus_link_run_due(), focus_link_handle_reply() and focus_link_fail_pending(),
 * never from inside a send, so a callback may send, add timers, or cancel its owner. */
#pragma once

#include "common/xmpp/stanza.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusLink FocusLink;

/* Delivers one stanza to the server (transfer none: the transport takes its own reference
 * if it needs one). */
typedef void (*FocusLinkSendFunc)(xmpp_stanza_t *stanza, gpointer user_data);
/* Monotonic clock in microseconds. */
typedef gint64 (*FocusClockFunc)(gpointer user_data);

typedef enum {
    FOCUS_IQ_RESULT,       /* type="result"; reply is the stanza */
    FOCUS_IQ_ERROR,        /* type="error"; reply is the stanza */
    FOCUS_IQ_TIMEOUT,      /* no reply in time; reply is NULL */
    FOCUS_IQ_DISCONNECTED, /* the connection dropped (or was down); reply is NULL */
} FocusIqOutcome;

const char *focus_iq_outcome_str(FocusIqOutcome outcome);

/* @reply is transfer none, valid during the call only. */
typedef void (*FocusIqCallback)(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                                gpointer user_data);
typedef void (*FocusTimerFunc)(FocusLink *link, gpointer user_data);

/* @ctx: the libstrophe context stanzas are made in (transfer none, must outlive the link).
 * @component_jid: "focus.example.org", used as the from of stanzas the focus originates.
 * Starts offline, with g_get_monotonic_time() as clock and no transport (sends are dropped). */
FocusLink *focus_link_new(xmpp_ctx_t *ctx, const char *component_jid);
/* Frees pending IQs and timers without calling their callbacks. */
void focus_link_free(FocusLink *link);

void focus_link_set_transport(FocusLink *link, FocusLinkSendFunc send, gpointer user_data);
void focus_link_set_clock(FocusLink *link, FocusClockFunc clock, gpointer user_data);

xmpp_ctx_t *focus_link_ctx(FocusLink *link);
const char *focus_link_component_jid(FocusLink *link);
gint64 focus_link_now(FocusLink *link);

/* Online means sends reach the server. Going offline does not fail pending IQs by itself:
 * the component calls focus_link_fail_pending() for that. */
gboolean focus_link_online(FocusLink *link);
void focus_link_set_online(FocusLink *link, gboolean online);

/* A new unique stanza id (transfer full). */
char *focus_link_new_id(FocusLink *link);

/* Sends @stanza (transfer none). Dropped (debug log) when offline. */
void focus_link_send(FocusLink *link, xmpp_stanza_t *stanza);
/* The same for a stanza built to be sent: sends and releases it (transfer full). */
void focus_link_send_owned(FocusLink *link, xmpp_stanza_t *stanza);
/* Sends the empty result to IQ @request (transfer none). */
void focus_link_reply_result(FocusLink *link, xmpp_stanza_t *request);
/* Sends the error reply to IQ @request (transfer none): see pa_stanza_error_reply(); @text may
 * be NULL. */
void focus_link_reply_error(FocusLink *link, xmpp_stanza_t *request, PaErrorType type,
                            const char *condition, const char *text);

/* Sends IQ @iq (transfer none; an id is set if it has none) and calls @cb exactly once with
 * the reply, a timeout after @timeout_ms, or FOCUS_IQ_DISCONNECTED (immediately from the next
 * focus_link_run_due() if offline now, or when focus_link_fail_pending() runs). A reply only
 * counts if it comes from the JID the IQ was sent to (or from the server domain when @iq has
 * no "to"). @owner (may be NULL) groups callbacks for focus_link_cancel_owner().
 * Returns the IQ's id (transfer none, valid until the callback runs). */
const char *focus_link_send_iq(FocusLink *link, xmpp_stanza_t *iq, guint timeout_ms,
                               FocusIqCallback cb, gpointer user_data, gconstpointer owner);

/* Routes an incoming IQ result/error to its pending request. Returns TRUE if it matched one
 * (the callback has run), FALSE if it is unsolicited (the caller drops it). */
gboolean focus_link_handle_reply(FocusLink *link, xmpp_stanza_t *stanza);

/* Calls every pending IQ callback with FOCUS_IQ_DISCONNECTED. */
void focus_link_fail_pending(FocusLink *link);

/* Number of IQs waiting for a reply. */
guint focus_link_pending_count(FocusLink *link);

/* One-shot timer due @delay_ms from now. Returns its id (never 0). */
guint focus_link_timer_add(FocusLink *link, guint delay_ms, FocusTimerFunc func, gpointer user_data,
                           gconstpointer owner);
/* Cancels timer @id if still pending; 0 is ignored. Always returns 0, so callers can write
 * room->timer = focus_link_timer_cancel(link, room->timer). */
guint focus_link_timer_cancel(FocusLink *link, guint id);

/* Drops every timer and pending IQ of @owner without calling them. Call before freeing the
 * object their user_data points to. */
void focus_link_cancel_owner(FocusLink *link, gconstpointer owner);

/* Runs the timers that are due (in due order, including ones a callback adds with delay 0).
 * Returns how many ran. */
guint focus_link_run_due(FocusLink *link);

/* Microseconds until the next timer is due (0 if one is due now), or -1 if there is none. */
gint64 focus_link_next_due_in(FocusLink *link);

G_END_DECLS
