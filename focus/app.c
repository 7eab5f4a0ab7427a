/* SPDX-License-Identifier: MIT */
/* Thread: the focus's only thread. The app owns the component, the bridge registry, the
 * room registry and the conferences' media layer; all of them use the component's FocusLink.
 * Rooms (and the conference state in their data slots) are freed before the conferences
 * manager and the bridges they refer to; the room security (lobbies, passwords) before the
 * rooms it looks up. */
#include "focus/app.h"

#include "common/jingle/jingle.h"
#include "common/log.h"
#include "common/xmpp/stanza.h"
#include "focus/bridges/bridges.h"
#include "focus/rooms/room-request.h"
#include "focus/conference/conference.h"
#include "focus/xmpp/disco.h"
#include "focus/security/room-security.h"
#include "focus/security/security-iq.h"

#include <signal.h>
#include <string.h>

struct _FocusApp {
    const FocusConfig *cfg;
    FocusComponent *comp;
    FocusRegistry *reg;
    FocusBridges *bridges;
    FocusConferences *conferences;
    FocusRoomSecurity *security;
    FocusRoomHooks conf_hooks; /* the conference layer's room hooks, chained by ours */
    char *occupant_jid;        /* <component>/focus */
    PaRateLimit peer_log;      /* warnings caused by what peers send */
};

static void on_online(FocusComponent *comp, gpointer data)
{
    FocusApp *app = data;
    focus_bridges_on_online(app->bridges);
    focus_registry_on_online(app->reg);
}

static void on_offline(FocusComponent *comp, gpointer data)
{
    FocusApp *app = data;
    focus_bridges_on_offline(app->bridges);
    focus_registry_on_offline(app->reg);
}

static void on_presence(FocusComponent *comp, xmpp_stanza_t *presence, gpointer data)
{
    FocusApp *app = data;
    if (focus_bridges_handle_presence(app->bridges, presence))
        return;
    if (!focus_registry_handle_presence(app->reg, presence))
        g_debug("presence from %s ignored by the rooms (not an occupant of a room of ours)",
                xmpp_stanza_get_from(presence) ? xmpp_stanza_get_from(presence) : "-");
    /* Also presence no room took: a knocker's unavailable closes its knocks. */
    focus_room_security_presence(app->security, presence);
}

static void on_message(FocusComponent *comp, xmpp_stanza_t *message, gpointer data)
{
    FocusApp *app = data;
    /* Status 104 (room configuration changed): the lobby re-reads the form. Subjects, chat
     * and bounced messages: nothing the focus acts on. */
    focus_room_security_message(app->security, message);
}

/* The registry takes one set of room hooks: the conference layer's, then the lobby's. */
static void room_participant_joined(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    FocusApp *app = data;
    if (app->conf_hooks.participant_joined)
        app->conf_hooks.participant_joined(room, p, app->conferences);
}

static void room_participant_left(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    FocusApp *app = data;
    if (app->conf_hooks.participant_left)
        app->conf_hooks.participant_left(room, p, app->conferences);
}

static void room_ready(FocusRoom *room, gpointer data)
{
    FocusApp *app = data;
    if (app->conf_hooks.ready)
        app->conf_hooks.ready(room, app->conferences);
    if (app->security)
        focus_room_security_room_ready(app->security, room);
}

static void room_gone(FocusRoom *room, gpointer data)
{
    FocusApp *app = data;
    if (app->conf_hooks.gone)
        app->conf_hooks.gone(room, app->conferences);
    if (app->security)
        focus_room_security_room_gone(app->security, room);
}

/* A namespace the focus knows, with an element it does not: feature-not-implemented. */
static gboolean payload_is(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload,
                           const char *name)
{
    if (strcmp(xmpp_stanza_get_name(payload), name) == 0)
        return TRUE;
    focus_component_reply(comp, pa_stanza_error_reply(focus_component_ctx(comp), iq, PA_ERR_CANCEL,
                                                      "feature-not-implemented", NULL, NULL));
    return FALSE;
}

static void iq_disco_info(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload,
                          gpointer data)
{
    if (payload_is(comp, iq, payload, "query"))
        focus_component_reply(comp, focus_disco_info_reply(focus_component_ctx(comp), iq));
}

static void iq_disco_items(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload,
                           gpointer data)
{
    if (payload_is(comp, iq, payload, "query"))
        focus_component_reply(comp, focus_disco_items_reply(focus_component_ctx(comp), iq));
}

static void iq_ping(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    if (payload_is(comp, iq, payload, "ping"))
        focus_component_reply(comp, focus_ping_reply(focus_component_ctx(comp), iq));
}

static void iq_jingle(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload,
                      gpointer data)
{
    FocusApp *app = data;
    if (payload_is(comp, iq, payload, "jingle"))
        focus_conferences_handle_jingle(app->conferences, iq);
}

static void iq_lobby(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    FocusApp *app = data;
    focus_room_security_handle_iq(app->security, iq); /* replies itself */
}

static void iq_conference(FocusComponent *comp, xmpp_stanza_t *iq, xmpp_stanza_t *payload,
                          gpointer data)
{
    FocusApp *app = data;
    FocusRoomRequest req;
    g_autofree char *why = NULL;
    FocusRoomRequestStatus st = focus_room_request_parse(iq, app->cfg->muc_domain, &req, &why);
    if (st != FOCUS_ROOM_REQUEST_OK) {
        pa_log_peer(&app->peer_log, focus_link_now(focus_component_link(comp)), G_LOG_LEVEL_WARNING,
                    "conference request from %s rejected: %s", xmpp_stanza_get_from(iq), why);
        focus_component_reply(
            comp, focus_room_request_error_reply(focus_component_ctx(comp), iq, st, why));
        return;
    }
    g_info("conference request room=%s from=%s", req.room, xmpp_stanza_get_from(iq));
    focus_registry_handle_conference(app->reg, iq, &req);
    focus_room_request_clear(&req);
}

FocusApp *focus_app_new(const FocusConfig *cfg, const FocusAppOptions *opt)
{
    FocusApp *app = g_new0(FocusApp, 1);
    app->cfg = cfg;
    app->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 10);

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
        .presence = on_presence,
        .message = on_message,
    };
    app->comp = focus_component_new(&cs, &ev, app);
    focus_component_add_iq_handler(app->comp, FOCUS_NS_DISCO_INFO, iq_disco_info, app);
    focus_component_add_iq_handler(app->comp, FOCUS_NS_DISCO_ITEMS, iq_disco_items, app);
    focus_component_add_iq_handler(app->comp, FOCUS_NS_PING, iq_ping, app);
    focus_component_add_iq_handler(app->comp, FOCUS_NS_FOCUS, iq_conference, app);

    focus_component_add_iq_handler(app->comp, PA_NS_JINGLE, iq_jingle, app);
    focus_component_add_iq_handler(app->comp, FOCUS_NS_LOBBY, iq_lobby, app);

    FocusLink *link = focus_component_link(app->comp);
    app->occupant_jid = focus_config_occupant_jid(cfg);
    FocusConferenceSettings conf_settings;
    focus_conference_settings_init(&conf_settings, app->occupant_jid, (guint)cfg->min_participants);
    app->conferences = focus_conferences_new(link, &conf_settings);

    g_autofree char *bridge_domain = g_strdup_printf("auth.%s", cfg->domain);
    FocusBridgesEvents bev;
    focus_conferences_bridge_events(&bev);
    app->bridges = focus_bridges_new(link, cfg->brewery, bridge_domain, app->occupant_jid, &bev,
                                     app->conferences);
    focus_conferences_set_bridges(app->conferences, app->bridges);

    FocusRoomSettings rs;
    focus_room_settings_init(&rs, cfg->component, (guint)cfg->room_grace_seconds);
    focus_conferences_room_hooks(&app->conf_hooks);
    FocusRoomHooks hooks = {
        .participant_joined = room_participant_joined,
        .participant_left = room_participant_left,
        .ready = room_ready,
        .gone = room_gone,
    };
    app->reg = focus_registry_new(link, &rs, &hooks, app);
    focus_conferences_set_registry(app->conferences, app->reg);
    app->security =
        focus_room_security_new(link, app->reg, cfg->muc_domain, app->occupant_jid, NULL, 0);
    return app;
}

void focus_app_free(FocusApp *app)
{
    if (!app)
        return;
    focus_room_security_free(app->security);
    app->security = NULL; /* freeing the rooms below runs no hooks; the wrappers check anyway */
    focus_registry_free(app->reg);
    focus_conferences_free(app->conferences);
    focus_bridges_free(app->bridges);
    focus_component_free(app->comp);
    g_free(app->occupant_jid);
    g_free(app);
}

void focus_app_start(FocusApp *app)
{
    focus_bridges_start(app->bridges);
    focus_component_start(app->comp);
}

void focus_app_iterate(FocusApp *app, guint max_wait_ms)
{
    focus_component_iterate(app->comp, max_wait_ms);
}

void focus_app_stop(FocusApp *app, guint timeout_ms)
{
    focus_registry_leave_all(app->reg);
    focus_bridges_leave(app->bridges);
    focus_component_stop(app->comp, timeout_ms);
}

FocusComponent *focus_app_component(FocusApp *app)
{
    return app->comp;
}

FocusRegistry *focus_app_registry(FocusApp *app)
{
    return app->reg;
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
    focus_app_start(app);
    while (!stop_signal)
        focus_app_iterate(app, 500);
    g_info("stopping (signal %d)", (int)stop_signal);
    focus_app_stop(app, 2000);
    focus_app_free(app);
    g_info("stopped");
    return 0;
}
