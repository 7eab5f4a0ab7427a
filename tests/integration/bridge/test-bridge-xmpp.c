/* SPDX-License-Identifier: MIT */
/* parley-bridge at the XMPP level, against a real Prosody: brewery presence with stats,
 * Colibri2 allocation (transports with candidates, fingerprint, colibri-ws URL, feedback
 * sources), every error reason, refusal of strangers, healthcheck, /about/health and /metrics,
 * rejoining the brewery after Prosody restarts, and graceful shutdown.
 *
 * The scripted focus is a c2s account (focustest@auth.DOMAIN) that the bridge is told to
 * trust with xmpp.focus_jids; it talks to the bridge through the brewery MUC (the occupant JID,
 * which Prosody rewrites, as Jicofo does) and directly (the bridge's real JID). The tests run
 * in order and share one Prosody and one bridge. Run under tests/netns-run.sh. */
#include <signal.h>
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"
#include "tests/lib/c/stanza-match.h"

#define FOCUS_NICK "focus"
#define T_IQ 10000 /* ms: endpoint creation gathers candidates first */

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant; /* brewery/nick */
static char *bridge_real;     /* jvb@auth.DOMAIN/resource */

/* ---- helpers ---- */

static gboolean connect_focus(guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time() < deadline) {
        focus = tx_connect(IT_FOCUS_JID, IT_FOCUS_PASS, 3000);
        if (focus) {
            tx_join(focus, IT_BREWERY, FOCUS_NICK);
            return TRUE;
        }
        g_usleep(200000);
    }
    return FALSE;
}

static gboolean stat_is(xmpp_stanza_t *stats, gpointer data)
{
    const char *const *kv = data; /* name, value, name, value, ..., NULL */
    for (; kv[0]; kv += 2)
        if (g_strcmp0(tx_stat(stats, kv[0]), kv[1]) != 0)
            return FALSE;
    return TRUE;
}

static char *wait_bridge_stats(const char *const *kv, guint timeout_ms)
{
    return tx_wait_bridge(focus, IT_BREWERY, FOCUS_NICK, kv ? stat_is : NULL, (gpointer)kv,
                          timeout_ms);
}

static char *metrics(void)
{
    char *body = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/metrics", &body), ==, 200);
    return body;
}

static void assert_counts(double conferences, double endpoints)
{
    g_autofree char *m = metrics();
    g_assert_cmpfloat(it_metric(m, "parley_bridge_conferences"), ==, conferences);
    g_assert_cmpfloat(it_metric(m, "parley_bridge_endpoints"), ==, endpoints);
}

static xmpp_stanza_t *modify(TestXmpp *t, const char *to, const PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(t), to, m);
    xmpp_stanza_t *reply = tx_iq(t, iq, T_IQ);
    xmpp_stanza_release(iq);
    if (!reply)
        g_error("no reply to conference-modify %s within %d ms", m->meeting_id, T_IQ);
    return reply;
}

static void new_modify(PaColibriConferenceModify *m, const char *meeting_id, gboolean create)
{
    pa_colibri_modify_init(m);
    m->meeting_id = g_strdup(meeting_id);
    m->name = g_strdup_printf("%s@conference." IT_DOMAIN, meeting_id);
    m->create = create;
}

static PaColibriEndpoint *add_ep(PaColibriConferenceModify *m, const char *id, gboolean create)
{
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(m->endpoints, id);
    ep->create = create;
    if (create) {
        ep->has_transport = TRUE;
        ep->ice_controlling = TRUE;
        g_strfreev(ep->capabilities);
        ep->capabilities = g_strsplit("source-names", ",", -1);
    }
    return ep;
}

static void expect_error(xmpp_stanza_t *reply, const char *condition, PaColibriError reason,
                         const char *endpoint_id)
{
    g_autofree char *text = pa_stanza_to_string(reply);
    if (g_strcmp0(xmpp_stanza_get_type(reply), "error") != 0)
        g_error("expected an error, got %s", text);
    if (g_strcmp0(pa_stanza_error_condition(reply), condition) != 0)
        g_error("expected %s, got %s", condition, text);
    g_autofree char *ep = NULL;
    PaColibriError got = pa_colibri_error_parse(reply, &ep);
    if (got != reason)
        g_error("expected colibri2 reason %s, got %s", pa_colibri_error_reason(reason), text);
    g_assert_cmpstr(ep, ==, endpoint_id);
}

static gboolean hex_pairs(const char *fp, guint pairs)
{
    if (!fp || strlen(fp) != pairs * 3 - 1)
        return FALSE;
    for (guint i = 0; fp[i]; i++)
        if (i % 3 == 2 ? fp[i] != ':' : !g_ascii_isxdigit(fp[i]))
            return FALSE;
    return TRUE;
}

/* ---- tests ---- */

static void test_bad_settings(void)
{
    g_autofree char *out = NULL;
    const char *const bad_port[] = {"--set", "xmpp.domain=" IT_DOMAIN,  "--set", "xmpp.password=x",
                                    "--set", "ice.addresses=127.0.0.1", "--set", "http.port=99999",
                                    NULL};
    g_assert_cmpint(it_bridge_run(bad_port, &out), ==, 2);
    g_assert_true(g_str_has_prefix(out, "parley-bridge: http.port: "));
    g_clear_pointer(&out, g_free);
    const char *const missing[] = {"--set", "xmpp.domain=" IT_DOMAIN, NULL};
    g_assert_cmpint(it_bridge_run(missing, &out), ==, 2);
    g_assert_true(g_str_has_prefix(out, "parley-bridge: xmpp.password: "));
    g_clear_pointer(&out, g_free);
    /* Valid syntax, but not an address of this host (only loopback exists here). */
    const char *const foreign[] = {"--set", "xmpp.domain=" IT_DOMAIN,  "--set", "xmpp.password=x",
                                   "--set", "ice.addresses=192.0.2.1", NULL};
    g_assert_cmpint(it_bridge_run(foreign, &out), ==, 2);
    if (!strstr(out, "parley-bridge: ice.addresses: 192.0.2.1 is not an address of this host"))
        g_error("unexpected output: %s", out);
    g_clear_pointer(&out, g_free);
    const char *const ok[] = {
        "--set", "xmpp.domain=" IT_DOMAIN,  "--set",          "xmpp.password=x",
        "--set", "ice.addresses=127.0.0.1", "--check-config", NULL};
    g_assert_cmpint(it_bridge_run(ok, &out), ==, 0);
}

static void test_brewery_presence(void)
{
    it_xmpp_start(&env);
    it_bridge_start(&env, NULL);
    g_assert_true(connect_focus(10000));
    const char *const idle[] = {"conferences",
                                "0",
                                "participants",
                                "0",
                                "endpoints",
                                "0",
                                "healthy",
                                "true",
                                "graceful_shutdown",
                                "false",
                                "drain",
                                "false",
                                "region",
                                "default",
                                "version",
                                PARLEY_VERSION,
                                NULL};
    bridge_occupant = wait_bridge_stats(idle, 15000);
    if (!bridge_occupant)
        g_error("the bridge did not appear in the brewery with idle stats");
    g_autofree char *expected = g_strdup_printf(IT_BREWERY "/%s", env.nickname);
    g_assert_cmpstr(bridge_occupant, ==, expected);
    xmpp_stanza_t *stats =
        pa_stanza_child(tx_presence(focus, bridge_occupant), "stats", PA_NS_COLIBRI);
    g_assert_cmpstr(tx_stat(stats, "relay_id"), ==, env.nickname);
    g_assert_nonnull(tx_stat(stats, "stress_level"));
    g_assert_nonnull(tx_stat(stats, "packet_rate_download"));
    /* The brewery is non-anonymous: the real JID is the bridge account. */
    bridge_real = g_strdup(tx_real_jid(focus, bridge_occupant));
    g_assert_nonnull(bridge_real);
    g_assert_true(g_str_has_prefix(bridge_real, "jvb@auth." IT_DOMAIN "/"));

    /* The focus may see the bridge's presence a moment before the bridge has processed the
     * reflection of its own join (which is what makes it healthy): poll briefly. */
    char *body = NULL;
    guint status = 0;
    for (int i = 0; i < 40 && status != 200; i++) {
        g_clear_pointer(&body, g_free);
        status = it_http_get(env.http_port, "/about/health", &body);
        if (status != 200)
            g_usleep(50 * 1000);
    }
    g_assert_cmpuint(status, ==, 200);
    g_assert_cmpstr(body, ==, "ok\n");
    g_free(body);
    /* Prometheus text, and plain HTTP errors for anything else. */
    g_autofree char *type = NULL;
    g_autofree char *mbody = NULL;
    g_assert_cmpuint(it_http_request(env.http_port, "GET", "/metrics", &mbody, &type), ==, 200);
    g_assert_cmpstr(type, ==, "text/plain");
    g_assert_true(g_str_has_prefix(mbody, "# HELP "));
    g_assert_cmpuint(it_http_request(env.http_port, "POST", "/metrics", NULL, NULL), ==, 405);
    g_assert_cmpuint(it_http_request(env.http_port, "GET", "/nope", NULL, NULL), ==, 404);
    g_assert_true(it_bridge_log_has(&env, "SRTP backend "));
    g_assert_true(it_bridge_log_has(&env, "DTLS fingerprint"));
}

static void test_healthcheck(void)
{
    xmpp_stanza_t *iq = xmpp_iq_new(tx_ctx(focus), "get", NULL);
    xmpp_stanza_set_to(iq, bridge_real);
    pa_stanza_add_child(iq, "healthcheck", "http://jitsi.org/protocol/healthcheck");
    xmpp_stanza_t *r = tx_iq(focus, iq, 5000);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);

    /* An IQ the bridge does not know gets service-unavailable rather than silence. */
    iq = xmpp_iq_new(tx_ctx(focus), "get", NULL);
    xmpp_stanza_set_to(iq, bridge_real);
    pa_stanza_add_child(iq, "query", "urn:example:unknown");
    r = tx_iq(focus, iq, 5000);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "service-unavailable");
    xmpp_stanza_release(r);
}

static PaColibriConferenceModified allocated;

static void test_allocate(void)
{
    PaColibriConferenceModify m;
    new_modify(&m, "conf-1", TRUE);
    add_ep(&m, "ep-a", TRUE);
    add_ep(&m, "ep-b", TRUE);
    /* Through the brewery, as Jicofo addresses bridges. */
    gint64 t0 = g_get_monotonic_time();
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
    g_printerr("# figures: conference-modify creating 2 endpoints answered in %.1f ms "
               "(through the brewery MUC, ICE gathering included)\n",
               (g_get_monotonic_time() - t0) / 1000.0);
    pa_colibri_modify_clear(&m);
    g_autofree char *text = pa_stanza_to_string(r);
    if (g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("allocation failed: %s", text);
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_colibri_parse_modified(r, &allocated, &why), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);

    g_assert_cmpuint(allocated.endpoints->len, ==, 2);
    const char *ws_pwd[2];
    for (guint i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = &g_array_index(allocated.endpoints, PaColibriEndpoint, i);
        g_assert_cmpstr(ep->id, ==, i ? "ep-b" : "ep-a");
        g_assert_true(ep->has_ice);
        const PaTransport *t = &ep->ice;
        g_assert_nonnull(t->ufrag);
        g_assert_nonnull(t->pwd);
        g_assert_true(t->rtcp_mux);
        g_assert_cmpstr(t->fingerprint_hash, ==, "sha-256");
        g_assert_cmpstr(t->setup, ==, "actpass");
        if (!hex_pairs(t->fingerprint, 32))
            g_error("fingerprint '%s' is not 32 hex pairs", t->fingerprint);
        g_assert_cmpuint(t->candidates->len, >=, 1);
        const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, 0);
        g_assert_cmpstr(c->ip, ==, "127.0.0.1");
        g_assert_cmpuint(c->port, >=, 20000);
        g_assert_cmpuint(c->port, <=, 20999);
        g_assert_cmpstr(c->type, ==, "host");
        /* ws://<address>:<port>/colibri-ws/<bridge-id>/<conference>/<endpoint>?pwd=<24> */
        g_autofree char *prefix = g_strdup_printf(
            "ws://127.0.0.1:%u/colibri-ws/%s/conf-1/%s?pwd=", env.http_port, env.nickname, ep->id);
        g_assert_nonnull(t->websocket_url);
        if (!g_str_has_prefix(t->websocket_url, prefix))
            g_error("web-socket URL %s does not start with %s", t->websocket_url, prefix);
        ws_pwd[i] = t->websocket_url + strlen(prefix);
        g_assert_cmpuint(strlen(ws_pwd[i]), ==, 24);
        for (const char *p = ws_pwd[i]; *p; p++)
            g_assert_true(g_ascii_isalnum(*p));
    }
    PaColibriEndpoint *a = &g_array_index(allocated.endpoints, PaColibriEndpoint, 0);
    PaColibriEndpoint *b = &g_array_index(allocated.endpoints, PaColibriEndpoint, 1);
    g_assert_cmpstr(a->ice.fingerprint, ==, b->ice.fingerprint); /* one certificate */
    g_assert_cmpstr(a->ice.ufrag, !=, b->ice.ufrag);
    g_assert_cmpstr(ws_pwd[0], !=, ws_pwd[1]);

    /* Feedback sources jvb-a0 / jvb-v0 with an SSRC each. */
    g_assert_true(allocated.has_sources);
    g_assert_cmpuint(allocated.sources->len, ==, 2);
    const PaMediaSource *fa = &g_array_index(allocated.sources, PaMediaSource, 0);
    const PaMediaSource *fv = &g_array_index(allocated.sources, PaMediaSource, 1);
    g_assert_cmpstr(fa->id, ==, "jvb-a0");
    g_assert_false(fa->video);
    g_assert_cmpstr(fv->id, ==, "jvb-v0");
    g_assert_true(fv->video);
    g_assert_cmpuint(fa->sources->len, ==, 1);
    g_assert_cmpuint(g_array_index(fa->sources, PaMediaSsrc, 0).ssrc, !=, 0);
    g_assert_cmpuint(fv->sources->len, ==, 1);

    assert_counts(1, 2);
    const char *const busy[] = {"conferences", "1", "participants", "2", NULL};
    g_autofree char *seen = wait_bridge_stats(busy, 5000);
    if (!seen)
        g_error("brewery stats did not report 1 conference with 2 participants");
}

static void test_update(void)
{
    PaColibriConferenceModify m;
    new_modify(&m, "conf-1", FALSE);
    PaColibriEndpoint *ep = add_ep(&m, "ep-a", FALSE);
    ep->has_transport = TRUE;
    ep->has_ice = TRUE;
    ep->ice.ufrag = g_strdup("cli1");
    ep->ice.pwd = g_strdup("clientpassword12345678");
    ep->ice.rtcp_mux = TRUE;
    ep->ice.fingerprint_hash = g_strdup("sha-256");
    ep->ice.fingerprint = g_strdup("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:"
                                   "23:45:67:89:AB:CD:EF:01:23:45:67:89");
    ep->ice.setup = g_strdup("active");
    PaIceCandidate c = {.component = 1, .priority = 2122260223, .port = 40000};
    strcpy(c.foundation, "1");
    strcpy(c.protocol, "udp");
    strcpy(c.ip, "127.0.0.1");
    strcpy(c.type, "host");
    g_array_append_val(ep->ice.candidates, c);
    ep->has_sources = TRUE;
    PaMediaSource *ms = pa_media_sources_add(ep->sources, TRUE, "ep-a-v0");
    pa_media_source_add_ssrc(ms, 1001, "ep-a-v0", NULL);
    pa_media_source_add_ssrc(ms, 1002, "ep-a-v0", NULL);
    PaMediaSsrcGroup g = {g_strdup("FID"), g_array_new(FALSE, FALSE, sizeof(guint32))};
    guint32 fid[] = {1001, 1002};
    g_array_append_vals(g.ssrcs, fid, 2);
    g_array_append_val(ms->groups, g);
    PaMediaSource *as = pa_media_sources_add(ep->sources, FALSE, "ep-a-a0");
    pa_media_source_add_ssrc(as, 2001, "ep-a-a0", NULL);
    /* Directly to the bridge's real JID this time, and as type "get" (JVB's documented form;
     * Jicofo sends "set"): both are accepted. */
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_real, &m);
    xmpp_stanza_set_type(iq, "get");
    xmpp_stanza_t *r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    pa_colibri_modify_clear(&m);
    g_assert_nonnull(r);
    g_autofree char *text = pa_stanza_to_string(r);
    if (g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("update failed: %s", text);
    /* No new transport and no feedback sources for a plain update. */
    test_assert_stanza(r, "iq[type=result]/conference-modified{" PA_NS_COLIBRI2 "}");
    test_assert_no_stanza(r, "//transport{urn:xmpp:jingle:transports:ice-udp:1}");
    test_assert_no_stanza(r, "//sources");
    test_assert_no_stanza(r, "//media-source[id=jvb-a0]");
    xmpp_stanza_release(r);
    assert_counts(1, 2);
}

static void test_errors(void)
{
    PaColibriConferenceModify m;

    new_modify(&m, "no-such-conf", FALSE);
    add_ep(&m, "ep-x", FALSE);
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    new_modify(&m, "conf-1", TRUE);
    add_ep(&m, "ep-c", TRUE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "conflict", PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    new_modify(&m, "conf-1", FALSE);
    add_ep(&m, "ep-a", FALSE);
    add_ep(&m, "ep-ghost", FALSE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT, "ep-ghost");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    new_modify(&m, "conf-1", FALSE);
    add_ep(&m, "ep-b", TRUE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "conflict", PA_COLIBRI_ERROR_UNSPECIFIED, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    /* Malformed: no meeting-id. */
    xmpp_stanza_t *iq = xmpp_iq_new(tx_ctx(focus), "set", NULL);
    xmpp_stanza_set_to(iq, bridge_occupant);
    pa_stanza_add_child(iq, "conference-modify", PA_NS_COLIBRI2);
    r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    expect_error(r, "bad-request", PA_COLIBRI_ERROR_UNSPECIFIED, NULL);
    xmpp_stanza_release(r);

    /* Malformed candidate in an update. */
    iq = xmpp_stanza_new_from_string(
        tx_ctx(focus),
        "<iq type='set'><conference-modify xmlns='jitsi:colibri2' meeting-id='conf-1'>"
        "<endpoint id='ep-a'><transport><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
        "<candidate component='1' foundation='1' ip='127.0.0.1' port='0' priority='1' "
        "protocol='udp' type='host'/></transport></transport></endpoint></conference-modify></iq>");
    xmpp_stanza_set_to(iq, bridge_occupant);
    r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    expect_error(r, "bad-request", PA_COLIBRI_ERROR_UNSPECIFIED, NULL);
    /* The error's text names what was wrong. */
    g_autofree char *text =
        test_stanza_text(r, "iq[type=error]/error/text{urn:ietf:params:xml:ns:xmpp-stanzas}");
    g_assert_nonnull(text);
    g_assert_nonnull(strstr(text, "candidate 1"));
    xmpp_stanza_release(r);

    /* Relays (Octo) are not supported. */
    iq = xmpp_stanza_new_from_string(
        tx_ctx(focus),
        "<iq type='set'><conference-modify xmlns='jitsi:colibri2' "
        "meeting-id='conf-1'><relay id='r1' create='true'/></conference-modify></iq>");
    xmpp_stanza_set_to(iq, bridge_occupant);
    r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    expect_error(r, "feature-not-implemented", PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED, NULL);
    xmpp_stanza_release(r);

    /* Nothing changed. */
    assert_counts(1, 2);
}

static void test_stranger(void)
{
    TestXmpp *stranger = tx_connect(IT_DOMAIN, NULL, 5000);
    g_assert_nonnull(stranger);
    PaColibriConferenceModify m;
    new_modify(&m, "evil", TRUE);
    add_ep(&m, "ep-evil", TRUE);

    /* Straight to the bridge's real JID. */
    xmpp_stanza_t *r = modify(stranger, bridge_real, &m);
    expect_error(r, "forbidden", PA_COLIBRI_ERROR_UNSPECIFIED, NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(pa_stanza_child(r, "error", NULL), "type"), ==,
                    "cancel");
    xmpp_stanza_release(r);

    /* Through the brewery: the brewery is locked down (the generated server configuration),
     * so a stranger never becomes an occupant and the MUC does not route its IQ to the bridge
     * at all. */
    tx_join(stranger, IT_BREWERY, "intruder");
    tx_run(stranger, 300);
    g_assert_null(tx_presence(stranger, IT_BREWERY "/intruder"));
    r = modify(stranger, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
    /* The MUC's error, not the bridge's ("only the focus may allocate on this bridge"). */
    g_autofree char *text = pa_stanza_to_string(r);
    g_assert_null(strstr(text, "only the focus may allocate"));
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    /* Expiring someone else's conference is refused just the same. */
    new_modify(&m, "conf-1", FALSE);
    m.expire = TRUE;
    r = modify(stranger, bridge_real, &m);
    expect_error(r, "forbidden", PA_COLIBRI_ERROR_UNSPECIFIED, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    tx_free(stranger);
    assert_counts(1, 2);
    g_assert_true(it_bridge_log_has(&env, "refused: not a configured focus JID"));
}

/* A focus that restarted knows nothing of its old conferences and creates a new one (a new
 * meeting-id) for the same room: the old one of that room, from that focus, is expired with
 * its endpoints; another room's is not, and neither is the same room from another sender. */
static void test_superseded(void)
{
    PaColibriConferenceModify m;
    const char *const confs[][2] = {{"old-1", "same@conference." IT_DOMAIN},
                                    {"other-1", "other@conference." IT_DOMAIN}};
    for (guint i = 0; i < G_N_ELEMENTS(confs); i++) {
        new_modify(&m, confs[i][0], TRUE);
        g_free(m.name);
        m.name = g_strdup(confs[i][1]);
        add_ep(&m, "p1", TRUE);
        add_ep(&m, "p2", TRUE);
        xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
        g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
        xmpp_stanza_release(r);
        pa_colibri_modify_clear(&m);
    }
    assert_counts(2, 4);
    /* Same room, new meeting-id, same focus (directly to the bridge's own JID this time: the
     * sender is still recognised as the same focus). */
    new_modify(&m, "new-1", TRUE);
    g_free(m.name);
    m.name = g_strdup(confs[0][1]);
    add_ep(&m, "p1", TRUE);
    xmpp_stanza_t *r = modify(focus, bridge_real, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(2, 3);
    g_assert_true(it_bridge_log_has(&env, "room=old-1 ep=p2: endpoint expired (superseded by "
                                          "conference new-1 of the same room)"));
    new_modify(&m, "old-1", FALSE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    /* Clean up. */
    for (guint i = 0; i < 2; i++) {
        new_modify(&m, i ? "other-1" : "new-1", FALSE);
        m.expire = TRUE;
        r = modify(focus, bridge_occupant, &m);
        g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
        xmpp_stanza_release(r);
        pa_colibri_modify_clear(&m);
    }
    assert_counts(0, 0);
}

static void test_expire(void)
{
    PaColibriConferenceModify m;
    new_modify(&m, "conf-1", FALSE);
    add_ep(&m, "ep-a", FALSE)->expire = TRUE;
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
    pa_colibri_modify_clear(&m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    PaColibriConferenceModified out;
    g_assert_cmpint(pa_colibri_parse_modified(r, &out, NULL), ==, PA_COLIBRI_OK);
    g_assert_cmpuint(out.endpoints->len, ==, 1);
    g_assert_true(g_array_index(out.endpoints, PaColibriEndpoint, 0).expire);
    pa_colibri_modified_clear(&out);
    xmpp_stanza_release(r);
    assert_counts(1, 1);

    /* The expired endpoint is unknown now. */
    new_modify(&m, "conf-1", FALSE);
    add_ep(&m, "ep-a", FALSE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT, "ep-a");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    /* The last endpoint ends the conference. */
    new_modify(&m, "conf-1", FALSE);
    add_ep(&m, "ep-b", FALSE)->expire = TRUE;
    r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(0, 0);
    new_modify(&m, "conf-1", FALSE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    /* A conference expired as a whole takes its endpoints with it. */
    new_modify(&m, "conf-2", TRUE);
    add_ep(&m, "e1", TRUE);
    r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(1, 1);
    new_modify(&m, "conf-2", FALSE);
    m.expire = TRUE;
    r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(0, 0);
}

static void test_server_restart(void)
{
    it_xmpp_stop(&env);
    tx_free(focus);
    focus = NULL;
    /* The bridge notices: not healthy, not connected. */
    char *body = NULL;
    guint status = 0;
    for (int i = 0; i < 50 && status != 503; i++) {
        g_free(body);
        status = it_http_get(env.http_port, "/about/health", &body);
        if (status != 503)
            g_usleep(100000);
    }
    g_assert_cmpuint(status, ==, 503);
    g_assert_nonnull(strstr(body, "XMPP"));
    g_free(body);
    g_autofree char *m = metrics();
    g_assert_cmpfloat(it_metric(m, "parley_bridge_xmpp_connected"), ==, 0);

    gint64 t0 = g_get_monotonic_time();
    it_xmpp_start(&env);
    g_assert_true(connect_focus(10000));
    g_autofree char *again = wait_bridge_stats(NULL, 20000);
    g_printerr(
        "# figures: bridge back in the brewery %.1f s after the XMPP server was started again\n",
        (g_get_monotonic_time() - t0) / 1e6);
    if (!again)
        g_error("the bridge did not rejoin the brewery within 20 s of the XMPP server restarting");
    g_assert_cmpstr(again, ==, bridge_occupant);
    g_free(bridge_real);
    bridge_real = g_strdup(tx_real_jid(focus, bridge_occupant));
    /* And it works again. */
    for (int i = 0; i < 50; i++) {
        if (it_http_get(env.http_port, "/about/health", NULL) == 200)
            break;
        g_usleep(100000);
    }
    g_assert_cmpuint(it_http_get(env.http_port, "/about/health", NULL), ==, 200);
    PaColibriConferenceModify mod;
    new_modify(&mod, "conf-3", TRUE);
    add_ep(&mod, "e1", TRUE);
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &mod);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&mod);
    assert_counts(1, 1);
}

static void test_graceful_shutdown(void)
{
    /* conf-3 from the previous test is still running. */
    g_assert_cmpint(kill(env.bridge_pid, SIGUSR1), ==, 0);
    const char *const graceful[] = {"graceful_shutdown", "true", NULL};
    g_autofree char *seen = wait_bridge_stats(graceful, 5000);
    if (!seen)
        g_error("brewery stats did not show graceful_shutdown=true");
    g_assert_cmpuint(it_http_get(env.http_port, "/about/health", NULL), ==, 503);

    PaColibriConferenceModify m;
    new_modify(&m, "conf-4", TRUE);
    add_ep(&m, "e1", TRUE);
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
    expect_error(r, "service-unavailable", PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);

    /* Existing conferences carry on; when the last ends, the bridge exits cleanly. */
    g_assert_cmpint(it_bridge_wait(&env, 300), ==, -1);
    new_modify(&m, "conf-3", FALSE);
    add_ep(&m, "e1", FALSE)->expire = TRUE;
    r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    g_assert_cmpint(it_bridge_wait(&env, 10000), ==, 0);
    g_assert_true(it_bridge_log_has(&env, "graceful shutdown: last conference ended"));
}

/* Endpoints whose ICE never connects are expired by the media plane, and the focus is told
 * about each (<endpoint-expired xmlns="urn:parley:bridge:0"/>, to the JID its requests came
 * from). The emptied conference stays for bridge.empty_conference_seconds, so that the focus
 * can allocate into it again without create; then it ends. */
static void test_media_timeout(void)
{
    g_assert_cmpint(env.bridge_pid, ==, 0); /* the graceful test ended the previous bridge */
    const char *const extra[] = {"media.ice_timeout_seconds=1", "bridge.empty_conference_seconds=3",
                                 NULL};
    it_bridge_start(&env, extra);
    /* The previous bridge's presence may still be in the table until its unavailable
     * presence is read: wait for the new bridge by its nickname. */
    g_free(bridge_occupant);
    bridge_occupant = g_strdup_printf(IT_BREWERY "/%s", env.nickname);
    gint64 until = g_get_monotonic_time() + 15 * G_TIME_SPAN_SECOND;
    while (!pa_stanza_child(tx_presence(focus, bridge_occupant), "stats", PA_NS_COLIBRI) &&
           g_get_monotonic_time() < until)
        tx_run(focus, 50);
    if (!tx_presence(focus, bridge_occupant))
        g_error("the new bridge %s did not join the brewery", env.nickname);

    PaColibriConferenceModify m;
    new_modify(&m, "conf-t", TRUE);
    add_ep(&m, "t1", TRUE);
    add_ep(&m, "t2", TRUE);
    xmpp_stanza_t *r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(1, 2);

    /* Both expire; the focus hears of each; the conference is kept, empty. */
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while (!tx_unsolicited_child(focus, bridge_occupant, "endpoint-expired", "urn:parley:bridge:0",
                                 1) &&
           g_get_monotonic_time() < deadline)
        tx_run(focus, 100);
    for (guint i = 0; i < 2; i++) {
        xmpp_stanza_t *e = tx_unsolicited_child(focus, bridge_occupant, "endpoint-expired",
                                                "urn:parley:bridge:0", i);
        if (!e)
            g_error("the focus was not told about endpoint %u", i + 1);
        g_assert_cmpstr(xmpp_stanza_get_attribute(e, "meeting-id"), ==, "conf-t");
        /* ICE that never connects is an ICE failure to the media plane. */
        g_assert_cmpstr(xmpp_stanza_get_attribute(e, "reason"), ==, "failed");
        g_autofree char *why = xmpp_stanza_get_text(e);
        g_assert_true(why && *why);
        g_assert_true(g_strcmp0(xmpp_stanza_get_attribute(e, "endpoint"), "t1") == 0 ||
                      g_strcmp0(xmpp_stanza_get_attribute(e, "endpoint"), "t2") == 0);
        g_assert_cmpstr(xmpp_stanza_get_attribute(e, "conference"), ==, "kept");
    }
    assert_counts(1, 0);
    g_assert_true(it_bridge_log_has(&env, "room=conf-t ep=t1: endpoint expired (media "));
    g_assert_true(it_bridge_log_has(&env, "room=conf-t ep=t2: endpoint expired (media "));
    g_autofree char *mt0 = metrics();
    g_assert_cmpfloat(it_metric(mt0, "parley_bridge_ice_failures_total"), >=, 2);

    /* The focus re-invites into the kept conference: no create needed. */
    new_modify(&m, "conf-t", FALSE);
    add_ep(&m, "t1", TRUE);
    r = modify(focus, bridge_occupant, &m);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    assert_counts(1, 1);

    /* That one times out too; this time nobody comes back: the conference ends. */
    deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    double conferences = 1;
    while (conferences != 0 && g_get_monotonic_time() < deadline) {
        tx_run(focus, 200);
        g_autofree char *mt = metrics();
        conferences = it_metric(mt, "parley_bridge_conferences");
    }
    g_assert_cmpfloat(conferences, ==, 0);
    assert_counts(0, 0);
    g_assert_true(it_bridge_log_has(&env, "room=conf-t: conference ended (empty since"));

    new_modify(&m, "conf-t", FALSE);
    add_ep(&m, "t1", FALSE);
    r = modify(focus, bridge_occupant, &m);
    expect_error(r, "item-not-found", PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND, NULL);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    /* Nothing else unasked: the three endpoint-expired IQs, through the brewery (where the
     * focus's requests came from). */
    g_assert_cmpuint(tx_unsolicited(focus, bridge_occupant), ==, 3);
    g_assert_nonnull(
        tx_unsolicited_child(focus, bridge_occupant, "endpoint-expired", "urn:parley:bridge:0", 2));
    g_assert_cmpuint(tx_unsolicited(focus, IT_BRIDGE_JID), ==, 0);
    /* A clean exit on SIGTERM, leaving the brewery. */
    g_assert_cmpint(it_bridge_stop(&env), ==, 0);
    g_assert_true(it_bridge_log_has(&env, "]: stopped"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    g_test_add_func("/bridge-xmpp/bad-settings", test_bad_settings);
    g_test_add_func("/bridge-xmpp/brewery-presence", test_brewery_presence);
    g_test_add_func("/bridge-xmpp/healthcheck", test_healthcheck);
    g_test_add_func("/bridge-xmpp/allocate", test_allocate);
    g_test_add_func("/bridge-xmpp/update", test_update);
    g_test_add_func("/bridge-xmpp/errors", test_errors);
    g_test_add_func("/bridge-xmpp/stranger", test_stranger);
    g_test_add_func("/bridge-xmpp/expire", test_expire);
    g_test_add_func("/bridge-xmpp/superseded", test_superseded);
    g_test_add_func("/bridge-xmpp/server-restart", test_server_restart);
    g_test_add_func("/bridge-xmpp/graceful-shutdown", test_graceful_shutdown);
    g_test_add_func("/bridge-xmpp/media-timeout", test_media_timeout);
    int rc = g_test_run();
    if (rc != 0 || g_getenv("PARLEY_SHOW_BRIDGE_LOG")) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(env.bridge_log, &log, NULL, NULL))
            g_printerr("---- bridge log ----\n%s----\n", log);
    }
    if (allocated.endpoints)
        pa_colibri_modified_clear(&allocated);
    tx_free(focus);
    g_free(bridge_occupant);
    g_free(bridge_real);
    it_env_cleanup(&env);
    xmpp_shutdown();
    return rc;
}
