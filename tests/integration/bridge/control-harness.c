/* SPDX-License-Identifier: MIT */
/* Thread: the test thread only (see control-harness.h). */
#include "control-harness.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/xmpp/jid.h"
#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"

/* ---- processes ---- */

static char *run_cmd(const char *const *argv, int *status)
{
    char *out = NULL, *err = NULL;
    GError *error = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                      status, &error))
        g_error("cannot run %s: %s", argv[0], error->message);
    char *all = g_strconcat(out, err, NULL);
    g_free(out);
    g_free(err);
    return all;
}

static gboolean ejabberd_installed(void)
{
    g_autofree char *erl = g_find_program_in_path("erl");
    if (!erl)
        return FALSE;
    const char *const probe[] = {"bash", "-c",
                                 "compgen -G '/usr/lib/*/ejabberd-*/ebin/ejabberd.app' || "
                                 "compgen -G '/usr/lib/ejabberd-*/ebin/ejabberd.app'",
                                 NULL};
    int st;
    g_free(run_cmd(probe, &st));
    return g_spawn_check_wait_status(st, NULL);
}

void it_env_init(ItEnv *env)
{
    memset(env, 0, sizeof *env);
    env->ejabberd = g_strcmp0(g_getenv("PARLEY_XMPP_SERVER"), "ejabberd") == 0;
    if (env->ejabberd) {
        if (!ejabberd_installed()) {
            printf("1..0 # SKIP ejabberd is not installed\n");
            exit(77);
        }
    } else {
        g_autofree char *prosody = g_find_program_in_path("prosody");
        g_autofree char *prosodyctl = g_find_program_in_path("prosodyctl");
        if (!prosody || !prosodyctl) {
            printf("1..0 # SKIP prosody is not installed\n");
            exit(77);
        }
    }
    g_setenv("PARLEY_EXTRA_ACCOUNTS", IT_FOCUS_USER ":" IT_FOCUS_PASS, TRUE);
    /* The scripted focus stands in for parley-focus: the brewery must let it in. */
    g_setenv("PARLEY_BREWERY_ACCOUNTS", IT_FOCUS_USER, TRUE);
    if (!g_file_test(BRIDGE_BIN, G_FILE_TEST_IS_EXECUTABLE)) {
        printf("1..0 # SKIP %s not built\n", BRIDGE_BIN);
        exit(77);
    }
    GError *error = NULL;
    env->dir = g_dir_make_tmp("parley-bridge-it-XXXXXX", &error);
    g_assert_no_error(error);
    env->bridge_log = g_build_filename(env->dir, "bridge.log", NULL);
    env->http_port = 18080;
}

void it_env_cleanup(ItEnv *env)
{
    it_bridge_kill(env);
    it_xmpp_stop(env);
    if (g_getenv("PARLEY_KEEP_TEST_DIR")) {
        g_printerr("# test files kept in %s\n", env->dir);
    } else {
        const char *const rm[] = {"rm", "-rf", env->dir, NULL};
        int st;
        g_free(run_cmd(rm, &st));
    }
    g_free(env->dir);
    g_free(env->bridge_log);
    g_free(env->nickname);
}

void it_xmpp_start(ItEnv *env)
{
    int st;
    if (env->ejabberd) {
        g_autofree char *edir = g_build_filename(env->dir, "ejabberd", NULL);
        const char *const start[] = {SRCDIR "/tests/lib/ejabberd.sh", "start", edir, NULL};
        g_autofree char *out = run_cmd(start, &st);
        if (!g_spawn_check_wait_status(st, NULL))
            g_error("ejabberd.sh start failed: %s", out);
        return;
    }
    g_autofree char *pdir = g_build_filename(env->dir, "prosody", NULL);
    const char *const start[] = {SRCDIR "/tests/lib/prosody.sh", "start", pdir, NULL};
    g_autofree char *out = run_cmd(start, &st);
    if (!g_spawn_check_wait_status(st, NULL))
        g_error("prosody.sh start failed: %s", out);
}

void it_xmpp_stop(ItEnv *env)
{
    if (!env->dir)
        return;
    const char *server = env->ejabberd ? "ejabberd" : "prosody";
    g_autofree char *sdir = g_build_filename(env->dir, server, NULL);
    g_autofree char *script = g_strdup_printf(SRCDIR "/tests/lib/%s.sh", server);
    const char *const stop[] = {script, "stop", sdir, NULL};
    int st;
    g_free(run_cmd(stop, &st));
}

void it_bridge_start(ItEnv *env, const char *const *extra)
{
    g_assert_cmpint(env->bridge_pid, ==, 0);
    g_free(env->nickname);
    env->nickname = g_strdup_printf("jvb-it-%06x", g_random_int() & 0xffffff);
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(BRIDGE_BIN));
#define SET(...)                                                                                   \
    (g_ptr_array_add(argv, g_strdup("--set")), g_ptr_array_add(argv, g_strdup_printf(__VA_ARGS__)))
    SET("xmpp.domain=%s", IT_DOMAIN);
    SET("xmpp.password=bridgepass");
    SET("xmpp.nickname=%s", env->nickname);
    SET("xmpp.focus_jids=%s", IT_FOCUS_JID);
    SET("ice.addresses=127.0.0.1");
    SET("ice.port=20000");
    SET("media.workers=2");
    SET("http.port=%u", env->http_port);
    SET("bridge.presence_interval_seconds=1");
    SET("log.level=info");
#undef SET
    for (const char *const *e = extra; e && *e; e++) {
        g_ptr_array_add(argv, g_strdup("--set"));
        g_ptr_array_add(argv, g_strdup(*e));
    }
    g_ptr_array_add(argv, NULL);
    int fd = open(env->bridge_log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    g_assert_cmpint(fd, >=, 0);
    GError *error = NULL;
    if (!g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                NULL, &env->bridge_pid, -1, fd, fd, &error))
        g_error("cannot start parley-bridge: %s", error->message);
    close(fd);
    g_ptr_array_unref(argv);
}

int it_bridge_wait(ItEnv *env, guint timeout_ms)
{
    if (!env->bridge_pid)
        return -1;
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    do {
        int st;
        pid_t r = waitpid(env->bridge_pid, &st, WNOHANG);
        if (r == env->bridge_pid) {
            env->bridge_pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        g_usleep(20000);
    } while (g_get_monotonic_time() < deadline);
    return -1;
}

void it_bridge_kill(ItEnv *env)
{
    if (!env->bridge_pid)
        return;
    kill(env->bridge_pid, SIGTERM);
    if (it_bridge_wait(env, 5000) < 0) {
        kill(env->bridge_pid, SIGKILL);
        it_bridge_wait(env, 5000);
    }
}

int it_bridge_stop(ItEnv *env)
{
    g_assert_cmpint(env->bridge_pid, !=, 0);
    kill(env->bridge_pid, SIGTERM);
    int st = it_bridge_wait(env, 10000);
    if (st < 0)
        it_bridge_kill(env);
    return st;
}

int it_bridge_run(const char *const *args, char **output)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (char *)BRIDGE_BIN);
    for (const char *const *a = args; *a; a++)
        g_ptr_array_add(argv, (char *)*a);
    g_ptr_array_add(argv, NULL);
    int st;
    *output = run_cmd((const char *const *)argv->pdata, &st);
    g_ptr_array_unref(argv);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char abort_log_path[4096];

/* Async-signal-safe calls only: the process is dying of a failed assertion. */
static void dump_log_handler(int sig)
{
    static const char head[] = "---- bridge log ----\n";
    if (write(2, head, sizeof head - 1) < 0)
        _exit(134);
    int fd = open(abort_log_path, O_RDONLY);
    char buf[4096];
    ssize_t n;
    while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
        if (write(2, buf, (size_t)n) < 0)
            break;
    signal(sig, SIG_DFL);
    raise(sig);
}

void it_dump_log_on_abort(ItEnv *env)
{
    g_strlcpy(abort_log_path, env->bridge_log, sizeof abort_log_path);
    signal(SIGABRT, dump_log_handler);
    signal(SIGTRAP, dump_log_handler);
}

gboolean it_bridge_log_has(ItEnv *env, const char *needle)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(env->bridge_log, &text, NULL, NULL))
        return FALSE;
    return strstr(text, needle) != NULL;
}

/* ---- HTTP ---- */

guint it_http_request(guint port, const char *method, const char *path, char **body,
                      char **content_type)
{
    g_autoptr(SoupSession) session = soup_session_new_with_options("timeout", 5, NULL);
    g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u%s", port, path);
    g_autoptr(SoupMessage) msg = soup_message_new(method, url);
    GError *error = NULL;
    GBytes *bytes = soup_session_send_and_read(session, msg, NULL, &error);
    if (!bytes) {
        g_clear_error(&error);
        if (body)
            *body = g_strdup("");
        return 0;
    }
    if (body) {
        gsize n;
        const char *d = g_bytes_get_data(bytes, &n);
        *body = g_strndup(d, n);
    }
    if (content_type)
        *content_type = g_strdup(
            soup_message_headers_get_content_type(soup_message_get_response_headers(msg), NULL));
    g_bytes_unref(bytes);
    return soup_message_get_status(msg);
}

guint it_http_get(guint port, const char *path, char **body)
{
    return it_http_request(port, "GET", path, body, NULL);
}

double it_metric(const char *metrics, const char *series)
{
    g_autofree char *needle = g_strdup_printf("\n%s ", series);
    const char *p = strstr(metrics, needle);
    if (!p)
        return -1;
    return g_ascii_strtod(p + strlen(needle), NULL);
}

/* ---- XMPP ---- */

struct _TestXmpp {
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    gboolean connected, failed;
    GHashTable *presence;           /* full JID -> stanza copy (latest available) */
    GHashTable *replies;            /* id -> stanza copy */
    GPtrArray *unsolicited;         /* from JIDs */
    GPtrArray *unsolicited_stanzas; /* copies, same order */
};

static void stanza_unref(gpointer p)
{
    xmpp_stanza_release(p);
}

static void tx_conn_handler(xmpp_conn_t *conn, xmpp_conn_event_t ev, int err,
                            xmpp_stream_error_t *se, void *ud)
{
    TestXmpp *t = ud;
    if (ev == XMPP_CONN_CONNECT) {
        t->connected = TRUE;
    } else {
        t->connected = FALSE;
        t->failed = TRUE;
    }
}

static int tx_on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    TestXmpp *t = ud;
    const char *from = xmpp_stanza_get_from(st);
    if (!from)
        return 1;
    if (g_strcmp0(xmpp_stanza_get_type(st), "unavailable") == 0 ||
        g_strcmp0(xmpp_stanza_get_type(st), "error") == 0)
        g_hash_table_remove(t->presence, from);
    else
        g_hash_table_replace(t->presence, g_strdup(from), xmpp_stanza_copy(st));
    return 1;
}

static int tx_on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    TestXmpp *t = ud;
    const char *type = xmpp_stanza_get_type(st);
    const char *id = xmpp_stanza_get_id(st);
    if ((g_strcmp0(type, "result") == 0 || g_strcmp0(type, "error") == 0) && id)
        g_hash_table_replace(t->replies, g_strdup(id), xmpp_stanza_copy(st));
    else {
        g_ptr_array_add(t->unsolicited, g_strdup(xmpp_stanza_get_from(st)));
        g_ptr_array_add(t->unsolicited_stanzas, xmpp_stanza_copy(st));
    }
    return 1;
}

static int tx_on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    TestXmpp *t = ud;
    g_ptr_array_add(t->unsolicited, g_strdup(xmpp_stanza_get_from(st)));
    g_ptr_array_add(t->unsolicited_stanzas, xmpp_stanza_copy(st));
    return 1;
}

xmpp_stanza_t *tx_unsolicited_child(TestXmpp *t, const char *from_prefix, const char *name,
                                    const char *ns, guint nth)
{
    for (guint i = 0; i < t->unsolicited_stanzas->len; i++) {
        xmpp_stanza_t *st = t->unsolicited_stanzas->pdata[i];
        const char *from = xmpp_stanza_get_from(st);
        xmpp_stanza_t *c = pa_stanza_child(st, name, ns);
        if (c && from && g_str_has_prefix(from, from_prefix) && nth-- == 0)
            return c;
    }
    return NULL;
}

guint tx_unsolicited(TestXmpp *t, const char *from_prefix)
{
    guint n = 0;
    for (guint i = 0; i < t->unsolicited->len; i++) {
        const char *from = t->unsolicited->pdata[i];
        n += from && g_str_has_prefix(from, from_prefix);
    }
    return n;
}

TestXmpp *tx_connect(const char *jid, const char *password, guint timeout_ms)
{
    TestXmpp *t = g_new0(TestXmpp, 1);
    t->ctx = xmpp_ctx_new(NULL, NULL);
    t->conn = xmpp_conn_new(t->ctx);
    t->presence = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stanza_unref);
    t->replies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stanza_unref);
    t->unsolicited = g_ptr_array_new_with_free_func(g_free);
    t->unsolicited_stanzas = g_ptr_array_new_with_free_func(stanza_unref);
    xmpp_conn_set_flags(t->conn, XMPP_CONN_FLAG_DISABLE_TLS | XMPP_CONN_FLAG_DISABLE_SM);
    if (password) {
        g_autofree char *full = g_strdup_printf("%s/test-%08x", jid, g_random_int());
        xmpp_conn_set_jid(t->conn, full);
        xmpp_conn_set_pass(t->conn, password);
    } else {
        xmpp_conn_set_jid(t->conn, jid); /* domain only: SASL ANONYMOUS */
    }
    xmpp_handler_add(t->conn, tx_on_presence, NULL, "presence", NULL, t);
    xmpp_handler_add(t->conn, tx_on_iq, NULL, "iq", NULL, t);
    xmpp_handler_add(t->conn, tx_on_message, NULL, "message", NULL, t);
    if (xmpp_connect_client(t->conn, "127.0.0.1", 5222, tx_conn_handler, t) != XMPP_EOK) {
        tx_free(t);
        return NULL;
    }
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    while (!t->connected && !t->failed && g_get_monotonic_time() < deadline)
        xmpp_run_once(t->ctx, 20);
    if (!t->connected) {
        tx_free(t);
        return NULL;
    }
    return t;
}

void tx_free(TestXmpp *t)
{
    if (!t)
        return;
    if (t->connected) {
        xmpp_disconnect(t->conn);
        gint64 deadline = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
        while (!xmpp_conn_is_disconnected(t->conn) && g_get_monotonic_time() < deadline)
            xmpp_run_once(t->ctx, 20);
    }
    xmpp_conn_release(t->conn);
    g_hash_table_destroy(t->presence);
    g_hash_table_destroy(t->replies);
    g_ptr_array_unref(t->unsolicited);
    g_ptr_array_unref(t->unsolicited_stanzas);
    xmpp_ctx_free(t->ctx);
    g_free(t);
}

xmpp_ctx_t *tx_ctx(TestXmpp *t)
{
    return t->ctx;
}

const char *tx_jid(TestXmpp *t)
{
    return xmpp_conn_get_bound_jid(t->conn);
}

gboolean tx_connected(TestXmpp *t)
{
    return t->connected;
}

void tx_run(TestXmpp *t, guint ms)
{
    gint64 deadline = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;
    do
        xmpp_run_once(t->ctx, 10);
    while (g_get_monotonic_time() < deadline);
}

void tx_send(TestXmpp *t, xmpp_stanza_t *st)
{
    xmpp_send(t->conn, st);
    xmpp_run_once(t->ctx, 0);
}

xmpp_stanza_t *tx_iq(TestXmpp *t, xmpp_stanza_t *iq, guint timeout_ms)
{
    if (!xmpp_stanza_get_id(iq)) {
        g_autofree char *id = g_strdup_printf("it-%08x", g_random_int());
        xmpp_stanza_set_id(iq, id);
    }
    g_autofree char *id = g_strdup(xmpp_stanza_get_id(iq));
    tx_send(t, iq);
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    while (g_get_monotonic_time() < deadline && t->connected) {
        xmpp_stanza_t *r = g_hash_table_lookup(t->replies, id);
        if (r) {
            xmpp_stanza_t *copy = xmpp_stanza_clone(r);
            g_hash_table_remove(t->replies, id);
            return copy;
        }
        xmpp_run_once(t->ctx, 10);
    }
    return NULL;
}

void tx_join(TestXmpp *t, const char *room, const char *nick)
{
    xmpp_stanza_t *p = xmpp_presence_new(t->ctx);
    g_autofree char *to = g_strdup_printf("%s/%s", room, nick);
    xmpp_stanza_set_to(p, to);
    pa_stanza_add_child(p, "x", "http://jabber.org/protocol/muc");
    tx_send(t, p);
    xmpp_stanza_release(p);
}

xmpp_stanza_t *tx_presence(TestXmpp *t, const char *from)
{
    return g_hash_table_lookup(t->presence, from);
}

const char *tx_stat(xmpp_stanza_t *stats, const char *name)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(stats); c; c = xmpp_stanza_get_next(c))
        if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_attribute(c, "name"), name) == 0)
            return xmpp_stanza_get_attribute(c, "value");
    return NULL;
}

const char *tx_real_jid(TestXmpp *t, const char *occupant)
{
    xmpp_stanza_t *p = tx_presence(t, occupant);
    xmpp_stanza_t *x = pa_stanza_child(p, "x", "http://jabber.org/protocol/muc#user");
    xmpp_stanza_t *item = pa_stanza_child(x, "item", NULL);
    return item ? xmpp_stanza_get_attribute(item, "jid") : NULL;
}

char *tx_wait_bridge(TestXmpp *t, const char *room, const char *own_nick, TxStatsPred pred,
                     gpointer data, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    g_autofree char *own = g_strdup_printf("%s/%s", room, own_nick);
    do {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, t->presence);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            g_autofree char *bare = pa_jid_bare(k);
            if (!bare || !pa_jid_equal(bare, room) || strcmp(k, own) == 0)
                continue;
            xmpp_stanza_t *stats = pa_stanza_child(v, "stats", PA_NS_COLIBRI);
            if (stats && (!pred || pred(stats, data)))
                return g_strdup(k);
        }
        xmpp_run_once(t->ctx, 10);
    } while (g_get_monotonic_time() < deadline && t->connected);
    return NULL;
}

/* ---- Colibri2 ---- */

xmpp_stanza_t *it_modify_iq(xmpp_ctx_t *ctx, const char *to, const PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", NULL);
    xmpp_stanza_set_to(iq, to);
    xmpp_stanza_t *cm = pa_colibri_build_modify(ctx, m);
    xmpp_stanza_add_child(iq, cm);
    xmpp_stanza_release(cm);
    return iq;
}

/* ---- waiting ---- */

void it_pump(TestXmpp *t, guint ms, guint slice_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    do {
        while (g_main_context_iteration(NULL, FALSE))
            ;
        tx_run(t, slice_ms);
    } while (g_get_monotonic_time() < end);
}

gboolean it_wait_for(TestXmpp *t, ItCond cond, gpointer data, guint ms, guint step_ms,
                     guint slice_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (!cond(data)) {
        if (g_get_monotonic_time() > end)
            return FALSE;
        it_pump(t, step_ms, slice_ms);
    }
    return TRUE;
}

void it_endpoint_set_media(PaColibriEndpoint *ep, guint8 pt_audio, guint8 pt_video)
{
    g_array_set_size(ep->media, 2);
    for (int i = 0; i < 2; i++) {
        PaMediaDesc *m = &g_array_index(ep->media, PaMediaDesc, i);
        m->video = i == 1;
        m->payload_types = g_array_new(FALSE, TRUE, sizeof(PaMediaPayloadType));
        m->hdrexts = g_array_new(FALSE, TRUE, sizeof(PaMediaHdrExt));
        PaMediaPayloadType pt = {.id = m->video ? pt_video : pt_audio,
                                 .name = g_strdup(m->video ? "VP8" : "opus"),
                                 .clockrate = m->video ? 90000 : 48000,
                                 .channels = m->video ? 0 : 2};
        g_array_append_val(m->payload_types, pt);
    }
}

void it_endpoint_clear_media(PaColibriEndpoint *ep)
{
    for (guint i = 0; i < ep->media->len; i++) {
        PaMediaDesc *m = &g_array_index(ep->media, PaMediaDesc, i);
        for (guint j = 0; j < m->payload_types->len; j++)
            g_free(g_array_index(m->payload_types, PaMediaPayloadType, j).name);
        g_array_set_size(m->payload_types, 0);
    }
}

TestXmpp *it_focus_connect(guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (;;) {
        TestXmpp *t = tx_connect(IT_FOCUS_JID, IT_FOCUS_PASS, 3000);
        if (t || g_get_monotonic_time() >= deadline)
            return t;
        g_usleep(200000); /* a refused login: ask again shortly */
    }
}

char *it_focus_find_bridge(TestXmpp *focus, const char *nick, guint timeout_ms)
{
    tx_join(focus, IT_BREWERY, nick);
    return tx_wait_bridge(focus, IT_BREWERY, nick, NULL, NULL, timeout_ms);
}
