/* SPDX-License-Identifier: MIT */
/* FocusComponent: the focus's XEP-0114 connection to the XMPP server (libstrophe), kept up
 * with reconnects; every stanza it receives is handed to its owner.
 *
 * - Connects as <jid> with <secret> to host:port. On success it logs
 *   "connected to XMPP server as <jid>" and calls events->online; when the connection drops
 *   it fails every pending IQ (FOCUS_IQ_DISCONNECTED), calls events->offline and schedules a
 *   reconnect with exponential backoff (common/backoff.h: 0.5 s doubling to 30 s, with jitter,
 *   reset once connected).
 * - While online it pings the server every keepalive_ms; no answer within the IQ timeout
 *   closes the connection (and so reconnects). Nothing is logged per keepalive.
 * - Every stanza received (iq, presence, message) goes to events->receive; routing it is the
 *   caller's business (focus/xmpp/router.h).
 *
 * Thread: one thread drives everything through focus_component_iterate(). The component
 * owns the libstrophe context and connection and the FocusLink built on them. */
#pragma once

#include "focus/xmpp/link.h"

#include <glib.h>
#include <poll.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusComponent FocusComponent;

typedef struct {
    const char *host; /* server address */
    guint16 port;     /* component port */
    const char *jid;  /* component name, e.g. focus.example.org */
    const char *secret;
    const char *server_domain; /* where keepalive pings go, e.g. example.org */
    guint keepalive_ms;        /* 0: no keepalive pings */
    guint keepalive_timeout_ms;
    guint backoff_initial_ms; /* 0: PA_BACKOFF_INITIAL_MS */
    guint backoff_max_ms;     /* 0: PA_BACKOFF_MAX_MS */
} FocusComponentSettings;

typedef struct {
    void (*online)(FocusComponent *comp, gpointer data);
    void (*offline)(FocusComponent *comp, gpointer data);
    /* Every incoming iq, presence and message (transfer none). */
    void (*receive)(FocusComponent *comp, xmpp_stanza_t *stanza, gpointer data);
} FocusComponentEvents;

/* Creates the libstrophe context and connection; does not connect yet. Settings strings are
 * copied. @events (copied) may be NULL. */
FocusComponent *focus_component_new(const FocusComponentSettings *settings,
                                    const FocusComponentEvents *events, gpointer events_data);
/* Closes the connection without waiting and frees everything. */
void focus_component_free(FocusComponent *comp);

/* (transfer none) */
FocusLink *focus_component_link(FocusComponent *comp);
xmpp_ctx_t *focus_component_ctx(FocusComponent *comp);
gboolean focus_component_online(FocusComponent *comp);
/* Successful connections so far (for tests and logs). */
guint focus_component_connect_count(FocusComponent *comp);

/* Starts connecting (and keeps reconnecting until focus_component_stop()). */
void focus_component_start(FocusComponent *comp);

/* Other file descriptors the loop waits on together with the XMPP connection (the focus's
 * HTTP server, focus/http): @prepare fills at most @max pollfds and may lower *@timeout_ms
 * (milliseconds; -1 means no limit of its own); @dispatch gets the same entries back with
 * revents filled in. Both run on the loop's thread, from focus_component_iterate(). */
typedef struct {
    guint (*prepare)(struct pollfd *fds, guint max, int *timeout_ms, gpointer data);
    void (*dispatch)(const struct pollfd *fds, guint n, gpointer data);
    gpointer data;
} FocusPollSource;

/* At most one (@source copied; NULL removes it). With one, the loop waits in one poll() over
 * libstrophe's socket and the source's descriptors, then lets libstrophe read and write
 * without waiting; without one it waits inside libstrophe's own select(). */
void focus_component_set_poll_source(FocusComponent *comp, const FocusPollSource *source);

/* Runs due timers and libstrophe once, waiting at most @max_wait_ms for network input (on the
 * XMPP connection or the poll source). */
void focus_component_iterate(FocusComponent *comp, guint max_wait_ms);

/* Closes the stream cleanly (flushing what is queued), waiting at most @timeout_ms, and stops
 * reconnecting. Stanzas received while the queue flushes are still delivered (so the caller
 * can refuse late requests); once the close is sent nothing more is delivered or sent. */
void focus_component_stop(FocusComponent *comp, guint timeout_ms);

G_END_DECLS
