/* SPDX-License-Identifier: MIT */
/* parley-bridge stops cleanly while the focus keeps talking to it: SIGTERM arrives in the
 * middle of a stream of conference-modify IQs (through the brewery occupant JID and to the
 * bridge's real JID), round after round, and every time the bridge exits with status 0 (under
 * the sanitizers: no crash, no leak, no undefined behaviour). ejabberd takes ~100 ms to close
 * a stream where Prosody takes a few, so the window in which IQs arrive during the bridge's
 * stream close is much wider there; the test runs on both (PARLEY_XMPP_SERVER).
 *
 * Why: bridge_control_free() once cleared its XMPP pointer before the connection flushed its
 * stream close, and that flush still dispatched IQs into the control plane, which read the
 * cleared pointer (SIGSEGV in 4 of 8 stops on ejabberd).
 *
 * Thread: the test thread only. Run under tests/netns-run.sh. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"

#define FOCUS_NICK "focus"
#define ROUNDS 10
#define T_IQ 15000 /* ms: generous, the machine may be loaded */

static ItEnv env;
static TestXmpp *focus;

static gboolean stat_healthy(xmpp_stanza_t *stats, gpointer data)
{
    return g_strcmp0(tx_stat(stats, "healthy"), "true") == 0 &&
           g_strcmp0(tx_stat(stats, "relay_id"), data) == 0;
}

static void new_modify(PaColibriConferenceModify *m, const char *meeting_id, gboolean create)
{
    pa_colibri_modify_init(m);
    m->meeting_id = g_strdup(meeting_id);
    m->name = g_strdup_printf("%s@conference." IT_DOMAIN, meeting_id);
    m->create = create;
}

static void add_create_ep(PaColibriConferenceModify *m, const char *id)
{
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(m->endpoints, id);
    ep->create = TRUE;
    ep->has_transport = TRUE;
    ep->ice_controlling = TRUE;
}

/* A conference-modify for @meeting_id: creating endpoint ep<n> (odd n) or expiring ep<n-1>
 * (even n), so both the allocation and the expiry paths are busy when SIGTERM lands. Sent
 * without waiting for the reply. */
static void send_modify(const char *to, const char *meeting_id, guint n)
{
    PaColibriConferenceModify m;
    new_modify(&m, meeting_id, FALSE);
    g_autofree char *id = g_strdup_printf("ep%u", n % 2 ? n : n - 1);
    if (n % 2) {
        add_create_ep(&m, id);
    } else {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, id);
        ep->expire = TRUE;
    }
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), to, &m);
    g_autofree char *iq_id = g_strdup_printf("late-%u", n);
    xmpp_stanza_set_id(iq, iq_id);
    tx_send(focus, iq);
    xmpp_stanza_release(iq);
    pa_colibri_modify_clear(&m);
}

/* The bridge's exit status once it has exited, or -1 while it runs. */
static int exited(void)
{
    int st;
    pid_t r = waitpid(env.bridge_pid, &st, WNOHANG);
    if (r != env.bridge_pid)
        return -1;
    env.bridge_pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void one_round(guint round, guint *late_sent)
{
    it_bridge_start(&env, NULL);
    g_autofree char *occupant =
        tx_wait_bridge(focus, IT_BREWERY, FOCUS_NICK, stat_healthy, env.nickname, 30000);
    if (!occupant)
        g_error("round %u: the bridge did not appear healthy in the brewery", round);
    g_autofree char *real = g_strdup(tx_real_jid(focus, occupant));
    g_assert_nonnull(real);

    /* Something to tear down: a conference with one endpoint. */
    g_autofree char *meeting = g_strdup_printf("shutdown-%u-%08x", round, g_random_int());
    PaColibriConferenceModify m;
    new_modify(&m, meeting, TRUE);
    add_create_ep(&m, "ep0");
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), occupant, &m);
    xmpp_stanza_t *reply = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    pa_colibri_modify_clear(&m);
    if (!reply || g_strcmp0(xmpp_stanza_get_type(reply), "result") != 0)
        g_error("round %u: the conference was not created", round);
    xmpp_stanza_release(reply);

    /* A burst, SIGTERM in its middle, and IQs every few ms until the bridge has exited: some
     * reach it while it leaves the brewery, some while its stream closes, some after. */
    guint n = 1;
    for (; n <= 10; n++)
        send_modify(n % 3 ? occupant : real, meeting, n);
    g_assert_cmpint(kill(env.bridge_pid, SIGTERM), ==, 0);
    int status = -1;
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while ((status = exited()) < 0 && g_get_monotonic_time() < deadline) {
        if (n < 400) {
            send_modify(n % 3 ? occupant : real, meeting, n);
            n++;
        }
        tx_run(focus, 2);
    }
    *late_sent += n - 11;
    if (status < 0) {
        it_bridge_kill(&env);
        g_error("round %u: the bridge did not exit within 20 s of SIGTERM", round);
    }
    if (status != 0)
        g_error("round %u: the bridge exited with status %d after SIGTERM (expected 0)", round,
                status);
    g_print("# round %u: exit status 0, %u IQs sent after SIGTERM\n", round, n - 11);
}

static void test_sigterm_under_iqs(void)
{
    guint late = 0;
    for (guint r = 1; r <= ROUNDS; r++)
        one_round(r, &late);
    g_print("# %u rounds, %u IQs sent while the bridge was stopping\n", ROUNDS, late);
    g_assert_cmpuint(late, >, 0);
    g_print("# the bridge reported IQs during its shutdown: %s\n",
            it_bridge_log_has(&env, "IQs arrived while stopping") ? "yes" : "no");
    g_assert_false(it_bridge_log_has(&env, "CRITICAL"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    it_xmpp_start(&env);
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while (!(focus = tx_connect(IT_FOCUS_JID, IT_FOCUS_PASS, 5000)) &&
           g_get_monotonic_time() < deadline)
        g_usleep(200000);
    if (!focus)
        g_error("the scripted focus cannot log in");
    tx_join(focus, IT_BREWERY, FOCUS_NICK);
    g_test_add_func("/bridge/shutdown/sigterm-under-iqs", test_sigterm_under_iqs);
    int rc = g_test_run();
    tx_free(focus);
    it_env_cleanup(&env);
    return rc;
}
