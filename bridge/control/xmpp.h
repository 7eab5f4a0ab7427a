/* SPDX-License-Identifier: MIT */
/* The bridge's XMPP client connection: libstrophe driven from the control thread's
 * GMainContext, login as a c2s client, brewery MUC membership with periodic stats presence,
 * reconnection with backoff, and dispatch of incoming IQs.
 *
 * Thread: everything here runs on the control thread (the GMainContext given to
 * bridge_xmpp_new); callbacks are invoked from it. libstrophe is fed by a GSource watching the
 * connection's socket (found through libstrophe's sockopt callback) plus a short tick for
 * libstrophe's own timers. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _BridgeXmpp BridgeXmpp;

/* How the connection to the XMPP server is protected (xmpp.tls, docs/deployment.md). */
typedef enum {
    BRIDGE_XMPP_TLS_VERIFY,   /* TLS required; the certificate verified (CAs, or the pin) */
    BRIDGE_XMPP_TLS_LOOPBACK, /* the server is on loopback: TLS when offered, not verified */
    BRIDGE_XMPP_TLS_INSECURE, /* TLS when offered, not verified (explicitly asked for) */
} BridgeXmppTls;

typedef struct {
    const char *host;
    guint port;
    BridgeXmppTls tls;
    const char *tls_ca_file; /* VERIFY: CA certificates besides the system's, or NULL */
    const char *tls_pin;     /* VERIFY: SHA-256 of the certificate (lowercase hex), or NULL */
    const char *jid;         /* bare JID of the account, e.g. jvb@auth.meet.example.org */
    const char *password;
    const char *resource;
    const char *brewery; /* bare room JID */
    const char *nickname;
    guint presence_interval_s;
} BridgeXmppConfig;

typedef struct {
    /* The connection came up (logged in) or went down. */
    void (*connection)(BridgeXmpp *x, gboolean online, gpointer user_data);
    /* An IQ of type get or set. Return TRUE if it was handled (a reply was or will be sent);
     * FALSE makes BridgeXmpp answer service-unavailable. The stanza is valid during the call
     * only (clone it to keep it). */
    gboolean (*iq)(BridgeXmpp *x, xmpp_stanza_t *iq, gpointer user_data);
    /* The <stats xmlns="http://jitsi.org/protocol/colibri"> element to publish in the brewery
     * now (transfer full), or NULL for none. */
    xmpp_stanza_t *(*stats)(BridgeXmpp *x, xmpp_ctx_t *ctx, gpointer user_data);
} BridgeXmppCallbacks;

/* Says at start how the connection is protected (a warning for insecure), and for a pinned
 * certificate stops OpenSSL from trusting the system CAs. Call before any thread starts (it
 * sets environment variables). */
void bridge_xmpp_tls_prepare(const BridgeXmppConfig *cfg);

/* Copies @cfg. Does not connect yet. (transfer full) */
BridgeXmpp *bridge_xmpp_new(const BridgeXmppConfig *cfg, GMainContext *context,
                            const BridgeXmppCallbacks *callbacks, gpointer user_data);
/* Leaves the brewery and closes the stream (waiting briefly for it to flush), then frees.
 * From the start of this call no callback runs: IQs that arrive while the stream is still
 * open get cancel/service-unavailable, later ones are dropped. */
void bridge_xmpp_free(BridgeXmpp *x);

/* Starts connecting; reconnects with backoff (common/backoff.h: 0.5 s doubling up to 8 s,
 * with jitter) whenever the connection fails or drops. */
void bridge_xmpp_start(BridgeXmpp *x);

/* TRUE while logged in. */
gboolean bridge_xmpp_online(const BridgeXmpp *x);
/* TRUE once the server confirmed our brewery occupant (status 110) on this connection. */
gboolean bridge_xmpp_in_brewery(const BridgeXmpp *x);

/* The libstrophe context stanzas must be created in (transfer none). */
xmpp_ctx_t *bridge_xmpp_ctx(BridgeXmpp *x);

/* Sends @stanza (transfer none) if online; FALSE (and nothing sent) when offline or
 * stopping. */
gboolean bridge_xmpp_send(BridgeXmpp *x, xmpp_stanza_t *stanza);

/* Publishes the stats presence now (e.g. when graceful shutdown starts). */
void bridge_xmpp_publish_presence(BridgeXmpp *x);

/* The real bare JID behind a brewery occupant JID ("room@service/nick"), as announced in the
 * occupant's presence (muc#user item jid; the brewery is non-anonymous), or NULL if
 * @occupant_jid is not a known occupant of our brewery (transfer full). */
char *bridge_xmpp_brewery_real_jid(BridgeXmpp *x, const char *occupant_jid);

/* Our full JID once bound, else NULL (transfer none). */
const char *bridge_xmpp_bound_jid(BridgeXmpp *x);

G_END_DECLS
