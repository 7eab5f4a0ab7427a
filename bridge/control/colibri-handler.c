/* SPDX-License-Identifier: MIT */
/* conference-modify and healthcheck IQs from the focus.
 *
 * Thread: control thread. A request is validated completely before anything changes, so an
 * error reply means nothing happened. Endpoint creation is asynchronous (the media plane
 * gathers candidates on a worker): the reply waits in a BridgePending until every endpoint
 * created by the request has its transport, then goes out in one conference-modified. */
#include <string.h>

#include "bridge/control/control-priv.h"
#include "common/colibri/colibri.h"
#include "common/xmpp/jid.h"
#include "common/rtp/hdrext.h"
#include "common/xmpp/stanza.h"

#define NS_HEALTHCHECK "http://jitsi.org/protocol/healthcheck"

typedef enum {
    ITEM_CREATED,
    ITEM_EXPIRED,
    ITEM_UPDATED,
} ItemKind;

typedef struct {
    char *id;
    ItemKind kind;
} PendingItem;

struct _BridgePending {
    xmpp_stanza_t *request; /* minimal copy: iq with id, from, to */
    char *conference_id;
    GArray *items;         /* of PendingItem, in request order */
    guint waiting;         /* created endpoints without a transport yet */
    gboolean with_sources; /* include the feedback sources */
    char *failure;         /* set once an endpoint of this request failed */
    gboolean building;     /* handle_modify is still applying the request: do not finish */
};

static void item_clear(gpointer p)
{
    g_free(((PendingItem *)p)->id);
}

static void pending_free(BridgePending *p)
{
    if (p->request)
        xmpp_stanza_release(p->request);
    g_free(p->conference_id);
    g_array_unref(p->items);
    g_free(p->failure);
    g_free(p);
}

static BridgePending *pending_new(BridgeControl *c, xmpp_stanza_t *iq, const char *conference_id)
{
    BridgePending *p = g_new0(BridgePending, 1);
    p->request = xmpp_iq_new(bridge_xmpp_ctx(c->xmpp), xmpp_stanza_get_type(iq),
                             xmpp_stanza_get_id(iq) ? xmpp_stanza_get_id(iq) : "");
    if (xmpp_stanza_get_from(iq))
        xmpp_stanza_set_from(p->request, xmpp_stanza_get_from(iq));
    if (xmpp_stanza_get_to(iq))
        xmpp_stanza_set_to(p->request, xmpp_stanza_get_to(iq));
    p->conference_id = g_strdup(conference_id);
    p->items = g_array_new(FALSE, TRUE, sizeof(PendingItem));
    g_array_set_clear_func(p->items, item_clear);
    return p;
}

static void pending_add(BridgePending *p, const char *id, ItemKind kind)
{
    PendingItem it = {g_strdup(id), kind};
    g_array_append_val(p->items, it);
}

static void send_and_release(BridgeControl *c, xmpp_stanza_t *st)
{
    if (!bridge_xmpp_send(c->xmpp, st))
        g_warning("XMPP offline: reply %s to %s dropped", xmpp_stanza_get_id(st),
                  xmpp_stanza_get_to(st));
    xmpp_stanza_release(st);
}

static void reply_error(BridgeControl *c, xmpp_stanza_t *request, PaColibriError e,
                        const char *endpoint_id, const char *text)
{
    send_and_release(
        c, pa_colibri_error_reply(bridge_xmpp_ctx(c->xmpp), request, e, endpoint_id, text));
}

static void add_feedback_sources(PaColibriConferenceModified *out, const BridgeRegConference *conf)
{
    out->has_sources = TRUE;
    PaMediaSource *a = pa_media_sources_add(out->sources, FALSE, "jvb-a0");
    pa_media_source_add_ssrc(a, conf->feedback_audio_ssrc, "jvb-a0",
                             "mixedmslabel mixedlabelaudio0");
    PaMediaSource *v = pa_media_sources_add(out->sources, TRUE, "jvb-v0");
    pa_media_source_add_ssrc(v, conf->feedback_video_ssrc, "jvb-v0",
                             "mixedmslabel mixedlabelvideo0");
}

/* Sends the reply for a request whose endpoints all have transports (or one failed), then
 * frees it. A failed request is rolled back: the endpoints it created are expired. */
static void pending_finish(BridgeControl *c, BridgePending *p)
{
    g_ptr_array_remove_fast(c->pendings, p); /* no free func: we own it from here */
    BridgeRegConference *conf = bridge_reg_conference_lookup(&c->reg, p->conference_id);
    for (guint i = 0; i < p->items->len; i++) {
        PendingItem *it = &g_array_index(p->items, PendingItem, i);
        BridgeRegEndpoint *ep =
            it->kind == ITEM_CREATED ? bridge_reg_endpoint_lookup(conf, it->id) : NULL;
        if (ep && ep->pending == p)
            ep->pending = NULL;
    }
    if (p->failure) {
        g_warning("room=%s: conference-modify %s failed: %s", p->conference_id,
                  xmpp_stanza_get_id(p->request), p->failure);
        reply_error(c, p->request, PA_COLIBRI_ERROR_INTERNAL, NULL, p->failure);
        for (guint i = 0; i < p->items->len; i++) {
            PendingItem *it = &g_array_index(p->items, PendingItem, i);
            if (it->kind == ITEM_CREATED)
                bridge_control_expire_endpoint(c, p->conference_id, it->id, TRUE,
                                               "its conference-modify failed");
        }
        pending_free(p);
        return;
    }

    PaColibriConferenceModified out;
    pa_colibri_modified_init(&out);
    for (guint i = 0; i < p->items->len; i++) {
        PendingItem *it = &g_array_index(p->items, PendingItem, i);
        PaColibriEndpoint *oe = pa_colibri_endpoints_add(out.endpoints, it->id);
        if (it->kind == ITEM_EXPIRED) {
            oe->expire = TRUE;
        } else if (it->kind == ITEM_CREATED) {
            BridgeRegEndpoint *ep = bridge_reg_endpoint_lookup(conf, it->id);
            g_assert(ep && ep->state != BRIDGE_REG_EP_GATHERING);
            oe->has_transport = TRUE;
            oe->has_ice = TRUE;
            pa_transport_copy(&oe->ice, &ep->local);
        }
    }
    if (p->with_sources && conf)
        add_feedback_sources(&out, conf);
    xmpp_ctx_t *ctx = bridge_xmpp_ctx(c->xmpp);
    xmpp_stanza_t *reply = pa_stanza_iq_result(ctx, p->request);
    xmpp_stanza_t *body = pa_colibri_build_modified(ctx, &out);
    xmpp_stanza_add_child(reply, body);
    xmpp_stanza_release(body);
    send_and_release(c, reply);
    pa_colibri_modified_clear(&out);
    pending_free(p);
}

/* One created endpoint of @p got its transport or failed. */
static void pending_done_one(BridgeControl *c, BridgePending *p)
{
    g_assert(p->waiting > 0);
    if (--p->waiting == 0 && !p->building)
        pending_finish(c, p);
}

void bridge_control_drop_pendings(BridgeControl *c)
{
    while (c->pendings->len > 0) {
        BridgePending *p = g_ptr_array_steal_index_fast(c->pendings, c->pendings->len - 1);
        pending_free(p);
    }
}

static void pending_endpoint_failed(BridgeControl *c, BridgeRegEndpoint *ep, const char *why)
{
    BridgePending *p = ep->pending;
    if (!p)
        return;
    ep->pending = NULL;
    if (!p->failure)
        p->failure = g_strdup_printf("endpoint %s: %s", ep->id, why);
    pending_done_one(c, p);
}

/* ---- expiry ---- */

void bridge_control_expire_endpoint(BridgeControl *c, const char *conference_id,
                                    const char *endpoint_id, gboolean tell_media, const char *why)
{
    BridgeRegConference *conf = bridge_reg_conference_lookup(&c->reg, conference_id);
    BridgeRegEndpoint *ep = bridge_reg_endpoint_lookup(conf, endpoint_id);
    if (!ep)
        return;
    g_autofree char *conf_id = g_strdup(conference_id);
    g_autofree char *ep_id = g_strdup(endpoint_id);
    g_message("room=%s ep=%s: endpoint expired (%s)", conf_id, ep_id, why);
    if (tell_media)
        bridge_media_endpoint_expire(c->media, conf_id, ep_id);
    if (c->channels)
        bridge_channels_endpoint_expired(c->channels, conf_id, ep_id);
    BridgePending *p = ep->pending;
    bridge_reg_endpoint_remove(&c->reg, conf, ep_id);
    if (p) {
        /* Reply still waiting for this endpoint: it can never be completed. */
        if (!p->failure)
            p->failure = g_strdup_printf("endpoint %s expired before its transport was ready (%s)",
                                         ep_id, why);
        pending_done_one(c, p);
    }
    conf = bridge_reg_conference_lookup(&c->reg, conf_id);
    if (conf && c->channels)
        bridge_channels_sources_changed(c->channels, conf_id); /* its sources are gone */
    if (conf && g_hash_table_size(conf->endpoints) == 0) {
        g_message("room=%s: conference ended (last endpoint expired)", conf_id);
        bridge_reg_conference_remove(&c->reg, conf_id);
        bridge_control_conference_ended(c);
    }
}

void bridge_control_expire_conference(BridgeControl *c, const char *conference_id, const char *why)
{
    BridgeRegConference *conf = bridge_reg_conference_lookup(&c->reg, conference_id);
    if (!conf)
        return;
    g_autofree char *conf_id = g_strdup(conference_id);
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, conf->endpoints);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(ids, g_strdup(k));
    for (guint i = 0; i < ids->len; i++)
        bridge_control_expire_endpoint(c, conf_id, ids->pdata[i], TRUE, why);
    if (bridge_reg_conference_lookup(&c->reg, conf_id)) {
        g_message("room=%s: conference ended (%s)", conf_id, why);
        bridge_reg_conference_remove(&c->reg, conf_id);
        bridge_control_conference_ended(c);
    }
}

/* ---- media plane: endpoint ready ---- */

static void on_endpoint_ready(const char *conference_id, const char *endpoint_id,
                              const PaTransport *local, const GError *error, gpointer user_data)
{
    BridgeControl *c = user_data;
    BridgeRegConference *conf = bridge_reg_conference_lookup(&c->reg, conference_id);
    BridgeRegEndpoint *ep = bridge_reg_endpoint_lookup(conf, endpoint_id);
    if (!ep || ep->state != BRIDGE_REG_EP_GATHERING)
        return; /* expired meanwhile */
    if (error) {
        g_warning("room=%s ep=%s: media plane could not create the endpoint: %s", conference_id,
                  endpoint_id, error->message);
        /* The media plane dropped it already; the rollback in pending_finish expires it here. */
        pending_endpoint_failed(c, ep, error->message);
        return;
    }
    pa_transport_copy(&ep->local, local);
    g_autofree char *conf_e = g_uri_escape_string(conference_id, NULL, FALSE);
    g_autofree char *ep_e = g_uri_escape_string(endpoint_id, NULL, FALSE);
    const char *base = c->cfg->http_public_url;
    const char *scheme_rest = g_str_has_prefix(base, "https://") ? base + 8 : base + 7;
    ep->local.websocket_url = g_strdup_printf(
        "%s://%s/colibri-ws/%s/%s/%s?pwd=%s", g_str_has_prefix(base, "https://") ? "wss" : "ws",
        scheme_rest, c->cfg->bridge_id, conf_e, ep_e, ep->ws_password);
    ep->state = BRIDGE_REG_EP_READY;
    g_info("room=%s ep=%s: transport ready (%u candidates, ufrag %s)", conference_id, endpoint_id,
           local->candidates ? local->candidates->len : 0, local->ufrag ? local->ufrag : "?");
    BridgePending *p = ep->pending;
    if (p) {
        ep->pending = NULL;
        pending_done_one(c, p);
    }
}

/* ---- conference-modify ---- */

static gboolean sender_is_focus(BridgeControl *c, const char *from)
{
    if (!from)
        return FALSE;
    g_autofree char *bare = pa_jid_bare(from);
    /* In the brewery the MUC rewrites the sender to the focus's occupant JID; its real JID is
     * in the occupant's presence (the brewery is non-anonymous). */
    g_autofree char *real = bridge_xmpp_brewery_real_jid(c->xmpp, from);
    for (char **j = c->cfg->xmpp_focus_jids; *j; j++) {
        if ((bare && pa_jid_equal(bare, *j)) || (real && pa_jid_equal(real, *j)))
            return TRUE;
    }
    return FALSE;
}

static void log_refused(BridgeControl *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void log_refused(BridgeControl *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_log_peerv(&c->refused_rl, g_get_monotonic_time(), G_LOG_LEVEL_WARNING, fmt, ap);
    va_end(ap);
}

/* Stores what an update carries and forwards the transport and SSRCs to the media plane. */

/* The media plane strips mid/rid from forwarded packets using each endpoint's own extension
 * ids. Without <rtp-hdrext> in the request it keeps the Jitsi default ids. */
static void set_media_hdrext(BridgeControl *c, const char *conf_id, const char *ep_id,
                             GArray *media)
{
    PaHdrextMap map;
    pa_hdrext_map_init(&map);
    guint n = 0;
    for (guint i = 0; i < media->len; i++) {
        const PaMediaDesc *m = &g_array_index(media, PaMediaDesc, i);
        for (guint j = 0; m->hdrexts && j < m->hdrexts->len; j++) {
            const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, j);
            pa_hdrext_map_set_uri(&map, h->uri, h->id);
            n++;
        }
    }
    if (n > 0)
        bridge_media_endpoint_set_hdrext(c->media, conf_id, ep_id, &map);
}

static void apply_update(BridgeControl *c, BridgeRegConference *conf, BridgeRegEndpoint *ep,
                         PaColibriEndpoint *req)
{
    if (req->stats_id) {
        g_free(ep->stats_id);
        ep->stats_id = g_steal_pointer(&req->stats_id);
    }
    if (req->capabilities && req->capabilities[0]) {
        g_strfreev(ep->capabilities);
        ep->capabilities = g_steal_pointer(&req->capabilities);
        req->capabilities = g_new0(char *, 1);
    }
    if (req->media->len > 0) {
        if (ep->media)
            g_array_unref(ep->media);
        ep->media = g_steal_pointer(&req->media);
        req->media = g_array_new(FALSE, TRUE, sizeof(PaMediaDesc));
        set_media_hdrext(c, conf->id, ep->id, ep->media);
    }
    if (req->has_ice) {
        const PaTransport *t = &req->ice;
        /* Keep the latest values; candidates accumulate (trickle). */
        if (t->ufrag) {
            g_free(ep->remote.ufrag);
            ep->remote.ufrag = g_strdup(t->ufrag);
            g_free(ep->remote.pwd);
            ep->remote.pwd = g_strdup(t->pwd);
        }
        if (t->fingerprint) {
            g_free(ep->remote.fingerprint_hash);
            g_free(ep->remote.fingerprint);
            g_free(ep->remote.setup);
            ep->remote.fingerprint_hash = g_strdup(t->fingerprint_hash);
            ep->remote.fingerprint = g_strdup(t->fingerprint);
            ep->remote.setup = g_strdup(t->setup);
        }
        ep->remote.rtcp_mux |= t->rtcp_mux;
        if (t->candidates->len)
            g_array_append_vals(ep->remote.candidates, t->candidates->data, t->candidates->len);
        bridge_media_endpoint_set_remote(c->media, conf->id, ep->id, t);
        g_info("room=%s ep=%s: remote transport (%s%u candidates%s)", conf->id, ep->id,
               t->ufrag ? "credentials, " : "", t->candidates->len,
               t->fingerprint ? ", fingerprint" : "");
    }
    if (req->has_sources) {
        GArray *ssrcs = g_array_new(FALSE, FALSE, sizeof(BridgeMediaSsrc));
        for (guint i = 0; i < req->sources->len; i++) {
            const PaMediaSource *ms = &g_array_index(req->sources, PaMediaSource, i);
            for (guint j = 0; j < ms->sources->len; j++) {
                BridgeMediaSsrc s = {g_array_index(ms->sources, PaMediaSsrc, j).ssrc, ms->video};
                g_array_append_val(ssrcs, s);
            }
            /* Group members (RTX, SIM) are usually listed as sources too; add any that are
             * not, so RTCP for them routes. */
            for (guint j = 0; j < ms->groups->len; j++) {
                const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, j);
                for (guint k = 0; k < g->ssrcs->len; k++) {
                    guint32 v = g_array_index(g->ssrcs, guint32, k);
                    gboolean dup = FALSE;
                    for (guint n = 0; n < ssrcs->len && !dup; n++)
                        dup = g_array_index(ssrcs, BridgeMediaSsrc, n).ssrc == v;
                    if (!dup) {
                        BridgeMediaSsrc s = {v, ms->video};
                        g_array_append_val(ssrcs, s);
                    }
                }
            }
        }
        bridge_media_endpoint_set_ssrcs(c->media, conf->id, ep->id,
                                        (const BridgeMediaSsrc *)ssrcs->data, ssrcs->len);
        g_info("room=%s ep=%s: %u sources, %u SSRCs", conf->id, ep->id, req->sources->len,
               ssrcs->len);
        g_array_unref(ssrcs);
        if (ep->sources)
            g_array_unref(ep->sources);
        ep->sources = g_steal_pointer(&req->sources);
        req->sources = pa_media_sources_new();
        if (c->channels)
            bridge_channels_sources_changed(c->channels, conf->id);
    }
}

static void handle_modify(BridgeControl *c, xmpp_stanza_t *iq)
{
    const char *from = xmpp_stanza_get_from(iq);
    if (!sender_is_focus(c, from)) {
        log_refused(c, "conference-modify from %s refused: not a configured focus JID",
                    from ? from : "(no sender)");
        reply_error(c, iq, PA_COLIBRI_ERROR_FORBIDDEN, NULL,
                    "only the focus may allocate on this bridge");
        return;
    }

    PaColibriConferenceModify m;
    g_autofree char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modify(iq, &m, &why);
    if (st != PA_COLIBRI_OK) {
        log_refused(c, "malformed conference-modify from %s: %s", from, why);
        reply_error(c, iq, PA_COLIBRI_ERROR_BAD_REQUEST, NULL, why);
        pa_colibri_modify_clear(&m);
        return;
    }

    BridgeRegConference *conf = bridge_reg_conference_lookup(&c->reg, m.meeting_id);
    /* PA_COLIBRI_ERROR_* value 0 is a real error: track failure separately. */
    gboolean failed = TRUE;
    PaColibriError err = PA_COLIBRI_ERROR_UNSPECIFIED;
    const char *err_ep = NULL;
    g_autofree char *err_text = NULL;

    /* Validate everything first: an error reply means nothing changed. */
    if (m.n_relays > 0) {
        err = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
        err_text = g_strdup("relays (Octo) are not supported");
    } else if (m.create && m.expire) {
        err = PA_COLIBRI_ERROR_BAD_REQUEST;
        err_text = g_strdup("create and expire in one request");
    } else if (m.create && conf) {
        err = PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS;
        err_text = g_strdup_printf("conference %s already exists", m.meeting_id);
    } else if (m.create && c->graceful) {
        err = PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN;
        err_text = g_strdup("in graceful shutdown");
    } else if (!m.create && !conf) {
        err = PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND;
        err_text = g_strdup_printf("conference %s not found", m.meeting_id);
    } else {
        failed = FALSE;
    }
    for (guint i = 0; !failed && i < m.endpoints->len; i++) {
        PaColibriEndpoint *e = &g_array_index(m.endpoints, PaColibriEndpoint, i);
        BridgeRegEndpoint *existing = bridge_reg_endpoint_lookup(conf, e->id);
        if (e->expire)
            continue; /* unknown endpoints are fine: expiring is idempotent */
        failed = TRUE;
        if (e->create && existing) {
            err = PA_COLIBRI_ERROR_ENDPOINT_CONFLICT;
            err_text = g_strdup_printf("endpoint %s already exists", e->id);
        } else if (!e->create && !existing) {
            err = PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT;
            err_ep = e->id;
            err_text = g_strdup_printf("endpoint %s not found", e->id);
        } else if (e->sctp) {
            err = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
            err_text = g_strdup("SCTP is not supported: leave the data content out (colibri-ws "
                                "carries the bridge channel)");
        } else if (e->ice_restart) {
            err = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
            err_text = g_strdup("ICE restart is not supported: expire and re-create the endpoint");
        } else {
            failed = FALSE;
        }
    }
    if (failed) {
        if (err == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT ||
            err == PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND)
            g_info("room=%s: conference-modify refused: %s", m.meeting_id, err_text);
        else
            log_refused(c, "room=%s: conference-modify refused: %s", m.meeting_id, err_text);
        reply_error(c, iq, err, err_ep, err_text);
        pa_colibri_modify_clear(&m);
        return;
    }

    /* Apply. */
    if (m.expire) {
        bridge_control_expire_conference(c, m.meeting_id, "expired by the focus");
        BridgePending *p = pending_new(c, iq, m.meeting_id);
        g_ptr_array_add(c->pendings, p);
        pending_finish(c, p);
        pa_colibri_modify_clear(&m);
        return;
    }
    if (m.create) {
        conf = bridge_reg_conference_add(&c->reg, m.meeting_id, m.name);
        g_message("room=%s: conference created (name %s)", conf->id, m.name ? m.name : "none");
    }
    BridgePending *p = pending_new(c, iq, m.meeting_id);
    g_ptr_array_add(c->pendings, p);
    p->building = TRUE;
    p->with_sources = m.create;
    for (guint i = 0; i < m.endpoints->len; i++) {
        PaColibriEndpoint *e = &g_array_index(m.endpoints, PaColibriEndpoint, i);
        if (e->expire) {
            pending_add(p, e->id, ITEM_EXPIRED);
            bridge_control_expire_endpoint(c, m.meeting_id, e->id, TRUE, "expired by the focus");
            /* The conference may be gone now; later items see that. */
            conf = bridge_reg_conference_lookup(&c->reg, m.meeting_id);
            continue;
        }
        if (!conf) {
            /* Expiring an earlier endpoint ended the conference; validation saw it alive. */
            if (!p->failure)
                p->failure =
                    g_strdup_printf("conference %s ended during the request", m.meeting_id);
            break;
        }
        if (e->create) {
            BridgeRegEndpoint *ep = bridge_reg_endpoint_add(&c->reg, conf, e->id);
            g_message("room=%s ep=%s: endpoint created%s%s", conf->id, ep->id,
                      e->stats_id ? ", stats-id " : "", e->stats_id ? e->stats_id : "");
            pending_add(p, e->id, ITEM_CREATED);
            p->with_sources = TRUE;
            ep->pending = p;
            p->waiting++;
            bridge_media_endpoint_create(c->media, conf->id, ep->id, on_endpoint_ready, c);
            /* on_endpoint_ready may have run synchronously (immediate failure): look again. */
            ep = bridge_reg_endpoint_lookup(conf, e->id);
            if (ep)
                apply_update(c, conf, ep, e);
        } else {
            pending_add(p, e->id, ITEM_UPDATED);
            apply_update(c, conf, bridge_reg_endpoint_lookup(conf, e->id), e);
        }
    }
    /* A non-create request that leaves the conference empty ends it (as JVB does). */
    conf = bridge_reg_conference_lookup(&c->reg, m.meeting_id);
    if (conf && !m.create && g_hash_table_size(conf->endpoints) == 0) {
        g_message("room=%s: conference ended (no endpoints left)", conf->id);
        bridge_reg_conference_remove(&c->reg, m.meeting_id);
        bridge_control_conference_ended(c);
    }
    p->building = FALSE;
    if (p->waiting == 0)
        pending_finish(c, p);
    pa_colibri_modify_clear(&m);
}

static void handle_healthcheck(BridgeControl *c, xmpp_stanza_t *iq)
{
    g_autofree char *reason = NULL;
    xmpp_ctx_t *ctx = bridge_xmpp_ctx(c->xmpp);
    if (bridge_control_healthy(c, &reason)) {
        send_and_release(c, pa_stanza_iq_result(ctx, iq));
    } else {
        g_warning("healthcheck from %s: unhealthy: %s", xmpp_stanza_get_from(iq), reason);
        send_and_release(
            c, pa_stanza_error_reply(ctx, iq, PA_ERR_WAIT, "internal-server-error", reason, NULL));
    }
}

gboolean bridge_control_handle_iq(BridgeControl *c, xmpp_stanza_t *iq)
{
    if (pa_stanza_child(iq, "conference-modify", PA_NS_COLIBRI2)) {
        handle_modify(c, iq);
        return TRUE;
    }
    if (pa_stanza_child(iq, "healthcheck", NS_HEALTHCHECK)) {
        handle_healthcheck(c, iq);
        return TRUE;
    }
    return FALSE;
}
