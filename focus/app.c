/* SPDX-License-Identifier: MIT */
/* Thread: the focus's only thread. The app owns the component (and so the FocusLink) and the
 * core, which owns every layer; the core is freed before the component whose link it uses. */
#include "focus/app.h"

#include "common/sd-notify.h"
#include "focus/core.h"
#include "focus/http/http-server.h"
#include "focus/http/metrics.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

struct _FocusApp {
    const FocusConfig *cfg;
    FocusComponent *comp;
    FocusCore *core;
    FocusHttpServer *http;
    FocusMetricsSources metrics;
    gboolean notified_ready;
};

static void on_online(FocusComponent *comp, gpointer data)
{
    FocusApp *app = data;
    app->metrics.xmpp_connected = TRUE;
    app->metrics.xmpp_connects = focus_component_connect_count(comp);
    pa_sd_notifyf("%sSTATUS=connected to the XMPP server %s:%d as %s",
                  app->notified_ready ? "" : "READY=1\n", app->cfg->xmpp_host, app->cfg->xmpp_port,
                  app->cfg->component);
    app->notified_ready = TRUE;
    focus_core_on_online(app->core);
}

static void on_offline(FocusComponent *comp, gpointer data)
{
    FocusApp *app = data;
    app->metrics.xmpp_connected = FALSE;
    pa_sd_notifyf("STATUS=reconnecting to the XMPP server %s:%d", app->cfg->xmpp_host,
                  app->cfg->xmpp_port);
    focus_core_on_offline(app->core);
}

static guint http_prepare(struct pollfd *fds, guint max, int *timeout_ms, gpointer data)
{
    return focus_http_server_prepare(((FocusApp *)data)->http, fds, max, timeout_ms);
}

static void http_dispatch(const struct pollfd *fds, guint n, gpointer data)
{
    focus_http_server_dispatch(((FocusApp *)data)->http, fds, n);
}

static void on_receive(FocusComponent *comp, xmpp_stanza_t *stanza, gpointer data)
{
    FocusApp *app = data;
    focus_core_receive(app->core, stanza);
}

FocusApp *focus_app_new(const FocusConfig *cfg, const FocusAppOptions *opt)
{
    FocusApp *app = g_new0(FocusApp, 1);
    app->cfg = cfg;
    FocusComponentSettings cs = {
        .host = cfg->xmpp_host,
        .port = (guint16)cfg->xmpp_port,
        .jid = cfg->component,
        .secret = cfg->secret,
        .server_domain = cfg->domain,
        .keepalive_ms = 30000,
        .keepalive_timeout_ms = 15000,
    };
    if (opt) {
        if (opt->keepalive_ms)
            cs.keepalive_ms = opt->keepalive_ms == G_MAXUINT ? 0 : opt->keepalive_ms;
        cs.backoff_initial_ms = opt->backoff_initial_ms;
        cs.backoff_max_ms = opt->backoff_max_ms;
    }
    FocusComponentEvents ev = {
        .online = on_online,
        .offline = on_offline,
        .receive = on_receive,
    };
    app->comp = focus_component_new(&cs, &ev, app);
    app->core = focus_core_new(focus_component_link(app->comp), cfg);
    app->metrics = (FocusMetricsSources){
        .registry = focus_core_registry(app->core),
        .conferences = focus_core_conferences(app->core),
        .bridges = focus_core_bridges(app->core),
        .security = focus_core_security(app->core),
        .component = cfg->component,
        .started_us = g_get_monotonic_time(),
    };
    return app;
}

gboolean focus_app_listen_http(FocusApp *app, GError **error)
{
    if (app->cfg->http_port == 0 || app->http)
        return TRUE;
    app->http = focus_http_server_new(app->cfg->http_address, (guint16)app->cfg->http_port,
                                      focus_metrics_handle, &app->metrics, error);
    if (!app->http)
        return FALSE;
    app->metrics.http = app->http;
    FocusPollSource src = {http_prepare, http_dispatch, app};
    focus_component_set_poll_source(app->comp, &src);
    g_info("serving /about/health and /metrics on http://%s:%u", app->cfg->http_address,
           focus_http_server_port(app->http));
    return TRUE;
}

guint16 focus_app_http_port(FocusApp *app)
{
    return app->http ? focus_http_server_port(app->http) : 0;
}

void focus_app_free(FocusApp *app)
{
    if (!app)
        return;
    focus_component_set_poll_source(app->comp, NULL);
    focus_http_server_free(app->http);
    focus_core_free(app->core);
    app->core = NULL;
    focus_component_free(app->comp); /* reports nothing any more (see component.c) */
    g_free(app);
}

void focus_app_start(FocusApp *app)
{
    focus_core_start(app->core);
    focus_component_start(app->comp);
}

void focus_app_iterate(FocusApp *app, guint max_wait_ms)
{
    focus_component_iterate(app->comp, max_wait_ms);
}

void focus_app_stop(FocusApp *app, guint timeout_ms)
{
    focus_core_stop(app->core);
    focus_component_stop(app->comp, timeout_ms);
}

FocusComponent *focus_app_component(FocusApp *app)
{
    return app->comp;
}

FocusCore *focus_app_core(FocusApp *app)
{
    return app->core;
}

FocusRegistry *focus_app_registry(FocusApp *app)
{
    return focus_core_registry(app->core);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

int focus_app_run(const FocusConfig *cfg)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the signal interrupts libstrophe's select() so the loop sees it. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    g_info("parley-focus %s starting: component %s, MUC %s, server %s:%d", PARLEY_VERSION,
           cfg->component, cfg->muc_domain, cfg->xmpp_host, cfg->xmpp_port);
    FocusApp *app = focus_app_new(cfg, NULL);
    g_autoptr(GError) error = NULL;
    if (!focus_app_listen_http(app, &error)) {
        fprintf(stderr, "parley-focus: %s\n", error->message);
        focus_app_free(app);
        return 1;
    }
    pa_sd_notifyf("STATUS=connecting to the XMPP server %s:%d", cfg->xmpp_host, cfg->xmpp_port);
    focus_app_start(app);
    while (!stop_signal)
        focus_app_iterate(app, 500);
    g_info("stopping (signal %d)", (int)stop_signal);
    pa_sd_notify("STOPPING=1");
    focus_app_stop(app, 2000);
    focus_app_free(app);
    g_info("stopped");
    return 0;
}
