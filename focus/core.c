/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. The core owns the router and the layers. Rooms (and
 * the conference and security state they carry as listener state) are freed first, then the
 * layers that listened to them, then the bridges they refer to. */
#include "focus/core.h"

#include "focus/xmpp/disco.h"

struct _FocusCore {
    FocusLink *link;
    char *occupant_jid; /* <component>/focus */
    FocusRouter *router;
    FocusRegistry *reg;
    FocusBridges *bridges;
    FocusConferences *conferences;
    FocusRoomSecurity *security;
    FocusModeration *moderation;
    gboolean stopping; /* focus_core_stop() ran: the layers are leaving, nothing reaches them */
    guint late;        /* stanzas received while stopping */
};

FocusCore *focus_core_new(FocusLink *link, const FocusConfig *cfg)
{
    g_return_val_if_fail(link && cfg, NULL);
    FocusCore *core = g_new0(FocusCore, 1);
    core->link = link;
    core->occupant_jid = focus_config_occupant_jid(cfg);

    FocusRoomSettings rs;
    focus_room_settings_init(&rs, cfg->component, (guint)cfg->room_grace_seconds);
    rs.muc_domain = cfg->muc_domain;
    rs.login_domain = cfg->login_domain;
    core->reg = focus_registry_new(link, &rs);

    g_autofree char *bridge_domain = g_strdup_printf("auth.%s", cfg->domain);
    core->bridges = focus_bridges_new(link, cfg->brewery, bridge_domain, core->occupant_jid);

    FocusConferenceSettings cs;
    focus_conference_settings_init(&cs, core->occupant_jid, (guint)cfg->min_participants);
    core->conferences = focus_conferences_new(link, &cs, core->reg, core->bridges);
    core->security =
        focus_room_security_new(link, core->reg, cfg->muc_domain, core->occupant_jid, NULL, 0);
    core->moderation =
        focus_moderation_new(link, core->reg, cfg->muc_domain, core->occupant_jid, 0);

    /* The order is the routing order: disco#info lists the features in it, and presence goes
     * to the brewery, then the rooms, then the security layer. */
    core->router = focus_router_new(link);
    focus_disco_add_routes(core->router);
    focus_bridges_add_routes(core->bridges, core->router);
    focus_registry_add_routes(core->reg, core->router);
    focus_conferences_add_routes(core->conferences, core->router);
    focus_room_security_add_routes(core->security, core->router);
    focus_moderation_add_routes(core->moderation, core->router);
    return core;
}

void focus_core_free(FocusCore *core)
{
    if (!core)
        return;
    if (core->late)
        g_info("%u stanza(s) arrived while stopping (IQs refused with service-unavailable)",
               core->late);
    focus_router_free(core->router);
    focus_registry_free(core->reg);
    focus_room_security_free(core->security);
    focus_moderation_free(core->moderation);
    focus_conferences_free(core->conferences);
    focus_bridges_free(core->bridges);
    g_free(core->occupant_jid);
    g_free(core);
}

void focus_core_start(FocusCore *core)
{
    focus_bridges_start(core->bridges);
}

void focus_core_stop(FocusCore *core)
{
    core->stopping = TRUE;
    focus_registry_leave_all(core->reg);
    focus_bridges_leave(core->bridges);
}

void focus_core_on_online(FocusCore *core)
{
    focus_bridges_on_online(core->bridges);
    focus_registry_on_online(core->reg);
}

void focus_core_on_offline(FocusCore *core)
{
    focus_bridges_on_offline(core->bridges);
    focus_registry_on_offline(core->reg);
}

/* While stopping, the rooms have been left and the layers are about to be freed: a request
 * (a room request, Jingle, a lobby request) could only start work that never finishes, or
 * create a room on the way out. Every get/set IQ is refused, the rest dropped. */
static void refuse_late(FocusCore *core, xmpp_stanza_t *stanza)
{
    core->late++;
    const char *type = xmpp_stanza_get_type(stanza);
    if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") != 0 || !xmpp_stanza_get_from(stanza) ||
        (g_strcmp0(type, "get") != 0 && g_strcmp0(type, "set") != 0))
        return;
    focus_link_reply_error(core->link, stanza, PA_ERR_CANCEL, "service-unavailable",
                           "parley-focus is shutting down");
}

void focus_core_receive(FocusCore *core, xmpp_stanza_t *stanza)
{
    if (core->stopping)
        refuse_late(core, stanza);
    else
        focus_router_receive(core->router, stanza);
}

FocusRouter *focus_core_router(FocusCore *core)
{
    return core->router;
}

FocusRegistry *focus_core_registry(FocusCore *core)
{
    return core->reg;
}

FocusBridges *focus_core_bridges(FocusCore *core)
{
    return core->bridges;
}

FocusConferences *focus_core_conferences(FocusCore *core)
{
    return core->conferences;
}

FocusRoomSecurity *focus_core_security(FocusCore *core)
{
    return core->security;
}

FocusModeration *focus_core_moderation(FocusCore *core)
{
    return core->moderation;
}
