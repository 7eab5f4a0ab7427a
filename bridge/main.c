/* SPDX-License-Identifier: MIT */
/* parley-bridge: command line, settings, signals, and the control thread's main loop.
 * Thread: this is the control thread; it owns a GMainContext of its own (pushed as the
 * thread-default), and everything of the control plane runs on it. */
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bridge/control/config.h"
#include "bridge/control/control.h"
#include "bridge/srtp/srtp.h"
#include "common/config.h"
#include "common/log.h"
#include "common/sd-notify.h"

static void usage(FILE *out)
{
    fputs("Usage: parley-bridge [--config FILE] [--set group.key=value]... [--check-config]\n"
          "                     [--help] [--version]\n"
          "\n"
          "The Parley SFU: joins the brewery MUC of an XMPP server, answers Colibri2\n"
          "conference-modify from the focus, and forwards media over ICE/DTLS-SRTP.\n"
          "SIGTERM/SIGINT stop at once; SIGUSR1 starts a graceful shutdown (no new\n"
          "conferences; exit when the last one ends).\n\n",
          out);
    char *settings = bridge_config_describe();
    fputs(settings, out);
    g_free(settings);
}

/* Every HTTP connection, colibri-ws channel and media endpoint takes descriptors: lift the
 * soft limit (often 1024) to the hard one (systemd: 524288). */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rlim_t was = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
        g_info("file descriptor limit raised from %lu to %lu", (unsigned long)was,
               (unsigned long)rl.rlim_cur);
}

typedef struct {
    GMainLoop *loop;
    BridgeControl *control;
    int exit_code;
    gboolean ready;    /* told the service manager READY=1 */
    char *last_status; /* what it was last told (STATUS=) */
} App;

/* The service manager (systemd Type=notify, common/sd-notify.h) hears READY=1 the first
 * time the bridge is healthy (logged in to the XMPP server and in the brewery), and STATUS=
 * lines when its health changes, as the health checks see it (control.h). */
static void on_health(gboolean healthy, const char *reason, gpointer ud)
{
    App *app = ud;
    g_autofree char *status = healthy ? g_strdup("healthy: taking conferences")
                                      : g_strdup_printf("unhealthy: %s", reason ? reason : "?");
    if (g_strcmp0(status, app->last_status) == 0)
        return;
    if (healthy && !app->ready) {
        app->ready = TRUE;
        pa_sd_notifyf("READY=1\nSTATUS=%s", status);
    } else {
        pa_sd_notifyf("STATUS=%s", status);
    }
    g_free(app->last_status);
    app->last_status = g_steal_pointer(&status);
}

static gboolean on_quit_signal(gpointer ud)
{
    App *app = ud;
    g_message("signal received: stopping");
    g_main_loop_quit(app->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean on_graceful_done(gpointer ud)
{
    App *app = ud;
    g_main_loop_quit(app->loop);
    return G_SOURCE_REMOVE;
}

static gboolean on_graceful_signal(gpointer ud)
{
    App *app = ud;
    bridge_control_graceful_shutdown(app->control, on_graceful_done, app);
    return G_SOURCE_CONTINUE;
}

static void add_signal(GMainContext *ctx, int signum, GSourceFunc fn, gpointer ud)
{
    GSource *s = g_unix_signal_source_new(signum);
    g_source_set_callback(s, fn, ud, NULL);
    g_source_attach(s, ctx);
    g_source_unref(s);
}

/* The command line: *@config_path, --set overrides (appended to @overrides), --check-config.
 * Returns -1 to go on, or the exit status (--help, --version: 0; a bad argument: 2). */
static int parse_args(int argc, char **argv, const char **config_path, GPtrArray *overrides,
                      gboolean *check_only)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("parley-bridge %s\n", PARLEY_VERSION);
            return 0;
        } else if (strcmp(a, "--check-config") == 0) {
            *check_only = TRUE;
        } else if (strcmp(a, "--config") == 0 || strcmp(a, "--set") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "parley-bridge: %s needs a value (see --help)\n", a);
                return 2;
            }
            if (strcmp(a, "--config") == 0)
                *config_path = argv[++i];
            else
                g_ptr_array_add(overrides, argv[++i]);
        } else if (g_str_has_prefix(a, "--config=")) {
            *config_path = a + strlen("--config=");
        } else if (g_str_has_prefix(a, "--set=")) {
            g_ptr_array_add(overrides, (char *)a + strlen("--set="));
        } else {
            fprintf(stderr, "parley-bridge: unknown argument '%s' (see --help)\n", a);
            return 2;
        }
    }
    g_ptr_array_add(overrides, NULL);
    return -1;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    gboolean check_only = FALSE;
    GPtrArray *overrides = g_ptr_array_new();
    int rc = parse_args(argc, argv, &config_path, overrides, &check_only);
    if (rc >= 0) {
        g_ptr_array_unref(overrides);
        return rc;
    }

    BridgeConfig cfg;
    GError *error = NULL;
    if (!bridge_config_load(&cfg, config_path, (char *const *)overrides->pdata, &error)) {
        fprintf(stderr, "parley-bridge: %s\n", error->message);
        g_error_free(error);
        g_ptr_array_unref(overrides);
        return 2;
    }
    g_ptr_array_unref(overrides);
    if (check_only) {
        printf("parley-bridge: configuration OK (xmpp %s@%s:%d, brewery %s as %s, http %s)\n",
               cfg.xmpp_user, cfg.xmpp_host, cfg.xmpp_port, cfg.xmpp_brewery, cfg.xmpp_nickname,
               cfg.http_public_url);
        bridge_config_clear(&cfg);
        return 0;
    }

    pa_log_init("parley-bridge", cfg.log_level);
    raise_fd_limit();
    g_message("parley-bridge %s starting: bridge id %s, region %s", PARLEY_VERSION, cfg.bridge_id,
              cfg.bridge_region);

    GMainContext *ctx = g_main_context_new();
    g_main_context_push_thread_default(ctx);
    App app = {g_main_loop_new(ctx, FALSE), NULL, 0, FALSE, NULL};

    app.control = bridge_control_new(&cfg, ctx, &error);
    if (!app.control) {
        fprintf(stderr, "parley-bridge: %s\n", error->message);
        /* A setting that cannot work on this host is a bad setting (exit 2); anything else
         * (port in use, no certificate) is a start-up failure (exit 1). */
        app.exit_code = error->domain == PA_CONFIG_ERROR ? 2 : 1;
        g_error_free(error);
    } else {
        add_signal(ctx, SIGTERM, on_quit_signal, &app);
        add_signal(ctx, SIGINT, on_quit_signal, &app);
        add_signal(ctx, SIGUSR1, on_graceful_signal, &app);
        bridge_control_set_health_listener(app.control, on_health, &app);
        bridge_control_start(app.control);
        g_main_loop_run(app.loop);
        pa_sd_notify("STOPPING=1");
        bridge_control_set_health_listener(app.control, NULL, NULL);
        bridge_control_free(app.control);
        bridge_srtp_global_shutdown();
        g_message("stopped");
    }

    g_free(app.last_status);
    g_main_loop_unref(app.loop);
    g_main_context_pop_thread_default(ctx);
    g_main_context_unref(ctx);
    bridge_config_clear(&cfg);
    return app.exit_code;
}
