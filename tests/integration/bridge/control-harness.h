/* SPDX-License-Identifier: MIT */
/* Harness for the bridge's XMPP-level integration tests: a real Prosody (tests/lib/prosody.sh),
 * a real parley-bridge process, a scripted focus and stranger speaking XMPP with libstrophe,
 * and plain HTTP GETs against the bridge.
 *
 * Threads: one test thread; each TestXmpp has its own libstrophe context, pumped only while a
 * call on it waits. Everything here asserts (g_error) on harness failures. */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "common/colibri/colibri.h"

G_BEGIN_DECLS

#define IT_DOMAIN "meet.parley.test"
#define IT_BREWERY "jvbbrewery@internal.auth." IT_DOMAIN
/* The scripted focus's account, registered by the server harness (PARLEY_EXTRA_ACCOUNTS). */
#define IT_FOCUS_USER "focustest"
#define IT_FOCUS_JID IT_FOCUS_USER "@auth." IT_DOMAIN
#define IT_FOCUS_PASS "focuspass"
#define IT_BRIDGE_JID "jvb@auth." IT_DOMAIN
#define IT_BRIDGE_PASS "bridgepass"

/* ---- processes ---- */

typedef struct {
    gboolean ejabberd; /* PARLEY_XMPP_SERVER=ejabberd, else Prosody */
    char *dir;         /* temp dir: prosody/ or ejabberd/, bridge.log */
    GPid bridge_pid;   /* 0 when not running */
    char *bridge_log;
    guint http_port;
    char *nickname; /* the bridge's brewery nickname (also its id) */
} ItEnv;

/* Exits 77 with a reason when the XMPP server (PARLEY_XMPP_SERVER=prosody|ejabberd) or the
 * bridge binary is missing. */
void it_env_init(ItEnv *env);
void it_env_cleanup(ItEnv *env);
/* Starts the XMPP server (tests/lib/prosody.sh or ejabberd.sh) with the bridge and the
 * scripted focus accounts. */
void it_xmpp_start(ItEnv *env);
void it_xmpp_stop(ItEnv *env);
/* Starts parley-bridge with the test settings plus @extra ("group.key=value", NULL-terminated,
 * may be NULL). Output goes to env->bridge_log. */
void it_bridge_start(ItEnv *env, const char *const *extra);
/* Waits up to @timeout_ms for the bridge to exit; returns its exit status or -1 if running. */
int it_bridge_wait(ItEnv *env, guint timeout_ms);
void it_bridge_kill(ItEnv *env);
/* SIGTERM, then the exit status (0 for a clean shutdown; under the sanitizers also leak-free). */
int it_bridge_stop(ItEnv *env);
/* Runs parley-bridge with @args to completion: exit status, stdout+stderr in *@output. */
int it_bridge_run(const char *const *args, char **output);
/* When an assertion aborts the test, print the bridge log first. */
void it_dump_log_on_abort(ItEnv *env);
/* TRUE if the bridge log contains @needle. */
gboolean it_bridge_log_has(ItEnv *env, const char *needle);

/* ---- HTTP ---- */

/* GET http://127.0.0.1:<port><path>: status (0 if no connection) and body (transfer full). */
guint it_http_get(guint port, const char *path, char **body);
/* Same with another method; *@content_type (if not NULL) gets the response's Content-Type. */
guint it_http_request(guint port, const char *method, const char *path, char **body,
                      char **content_type);
/* Value of a Prometheus sample ("name" or "name{labels}") in @metrics, or -1 if absent. */
double it_metric(const char *metrics, const char *series);

/* ---- XMPP ---- */

typedef struct _TestXmpp TestXmpp;

/* Logs in (SASL; @password NULL = anonymous login on @jid's domain) with a random resource.
 * NULL if the login does not succeed within @timeout_ms. */
TestXmpp *tx_connect(const char *jid, const char *password, guint timeout_ms);
/* The scripted focus (IT_FOCUS_JID) logged in, retried until the server takes it (its account
 * may have been registered a moment ago) for at most @timeout_ms; NULL if it never did. */
TestXmpp *it_focus_connect(guint timeout_ms);
/* @focus joins the brewery as @nick and waits up to @timeout_ms for a bridge there: the
 * bridge's occupant JID (transfer full), or NULL. */
char *it_focus_find_bridge(TestXmpp *focus, const char *nick, guint timeout_ms);
void tx_free(TestXmpp *t);
xmpp_ctx_t *tx_ctx(TestXmpp *t);
const char *tx_jid(TestXmpp *t); /* bound full JID */
gboolean tx_connected(TestXmpp *t);
/* IQs of type get/set and messages received from a JID starting with @from_prefix: what that
 * peer told us without being asked. */
guint tx_unsolicited(TestXmpp *t, const char *from_prefix);
/* The child @name (namespace @ns) of the @nth (from 0) such IQ or message that has one, or
 * NULL (transfer none). */
xmpp_stanza_t *tx_unsolicited_child(TestXmpp *t, const char *from_prefix, const char *name,
                                    const char *ns, guint nth);
/* Pumps the connection for @ms. */
void tx_run(TestXmpp *t, guint ms);
/* Sends (transfer none). */
void tx_send(TestXmpp *t, xmpp_stanza_t *st);
/* Sends the IQ (an id is added if missing) and waits for the reply (transfer full), NULL on
 * timeout. */
xmpp_stanza_t *tx_iq(TestXmpp *t, xmpp_stanza_t *iq, guint timeout_ms);

/* Joins @room with @nick (presence with <x xmlns=muc>). */
void tx_join(TestXmpp *t, const char *room, const char *nick);
/* The latest available presence received from @from (full JID), or NULL (transfer none). */
xmpp_stanza_t *tx_presence(TestXmpp *t, const char *from);
/* Waits until a presence from an occupant of @room other than @own_nick carries
 * <stats xmlns=colibri> for which @pred returns TRUE (NULL pred: any). Returns that
 * occupant's full JID (transfer full) or NULL on timeout. */
typedef gboolean (*TxStatsPred)(xmpp_stanza_t *stats, gpointer data);
char *tx_wait_bridge(TestXmpp *t, const char *room, const char *own_nick, TxStatsPred pred,
                     gpointer data, guint timeout_ms);
/* Value of <stat name=@name> in a stats element (transfer none). */
const char *tx_stat(xmpp_stanza_t *stats, const char *name);
/* The real JID (muc#user item jid) announced with the presence of @occupant (transfer none). */
const char *tx_real_jid(TestXmpp *t, const char *occupant);

/* ---- waiting (test thread) ---- */

typedef gboolean (*ItCond)(gpointer data);

/* For @ms (at least once): runs the default GMainContext until idle, then pumps @t's
 * connection for @slice_ms. */
void it_pump(TestXmpp *t, guint ms, guint slice_ms);
/* it_pump(@t, @step_ms, @slice_ms) until @cond(@data) holds: TRUE, or FALSE after @ms. */
gboolean it_wait_for(TestXmpp *t, ItCond cond, gpointer data, guint ms, guint step_ms,
                     guint slice_ms);

/* ---- Colibri2 ---- */

/* An <iq type=set to=@to> holding the conference-modify for @m (transfer full). */
xmpp_stanza_t *it_modify_iq(xmpp_ctx_t *ctx, const char *to, const PaColibriConferenceModify *m);
/* Gives @ep the media the simulated peers send: audio (opus/48000/2, payload type @pt_audio)
 * and video (VP8/90000, @pt_video), no header extensions. */
void it_endpoint_set_media(PaColibriEndpoint *ep, guint8 pt_audio, guint8 pt_video);
/* Frees what it_endpoint_set_media() gave @ep's payload types (the rest goes with the
 * conference-modify). */
void it_endpoint_clear_media(PaColibriEndpoint *ep);

G_END_DECLS
