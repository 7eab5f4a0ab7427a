/* SPDX-License-Identifier: MIT */
/* conference-modify and healthcheck IQs from the focus.
 *
 * Thread: control thread. A request is validated completely before anything changes, so an
 * error reply means nothing happened. Its string ids are looked up in the registry once, here;
 * from then on conferences and endpoints are named by handle (the media plane's calls and
 * events, the pending reply's items). Endpoint creation is asynchronous (the media plane
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
    BridgeHandle handle; /* ITEM_CREATED: the endpoint's */
} PendingItem;

struct _BridgePending {
    xmpp_stanza_t *request; /* minimal copy: iq with id, from, to */
    char *conference_id;    /* for logs */
    BridgeHandle conference;
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

/* A pending reply to @iq about conference @conference_id (whose handle is @conference, or
 * NONE when it is gone), owned by c->pendings. */
static BridgePending *pending_new(BridgeControl *c, xmpp_stanza_t *iq, const char *conference_id,
                                  BridgeHandle conference)
{
    BridgePending *p = g_new0(BridgePending, 1);
    p->request = xmpp_iq_new(bridge_xmpp_ctx(c->xmpp), xmpp_stanza_get_type(iq),
                             xmpp_stanza_get_id(iq) ? xmpp_stanza_get_id(iq) : "");
    if (xmpp_stanza_get_from(iq))
        xmpp_stanza_set_from(p->request, xmpp_stanza_get_from(iq));
    if (xmpp_stanza_get_to(iq))
        xmpp_stanza_set_to(p->request, xmpp_stanza_get_to(iq));
    p->conference_id = g_strdup(conference_id);
    p->conference = conference;
    p->items = g_array_new(FALSE, TRUE, sizeof(PendingItem));
    g_array_set_clear_func(p->items, item_clear);
    g_ptr_array_add(c->pendings, p);
    return p;
}

static void pending_add(BridgePending *p, const char *id, ItemKind kind, BridgeHandle handle)
{
    PendingItem it = {g_strdup(id), kind, handle};
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

/* A failed request is rolled back: the endpoints it created are expired, and the focus gets
 * an error. */
static void pending_fail(BridgeControl *c, BridgePending *p)
{
    g_warning("room=%s: conference-modify %s failed: %s", p->conference_id,
              xmpp_stanza_get_id(p->request), p->failure);
    reply_error(c, p->request, PA_COLIBRI_ERROR_INTERNAL, NULL, p->failure);
    for (guint i = 0; i < p->items->len; i++) {
        PendingItem *it = &g_array_index(p->items, PendingItem, i);
        BridgeRegEndpoint *ep =
            it->kind == ITEM_CREATED ? bridge_reg_endpoint_get(&c->reg, it->handle) : NULL;
        if (ep)
            bridge_control_expire_endpoint(c, ep, TRUE, "its conference-modify failed");
    }
}

/* Sends the reply for a request whose endpoints all have transports (or one failed), then
 * frees it. */
static void pending_finish(BridgeControl *c, BridgePending *p)
{
    g_ptr_array_remove_fast(c->pendings, p); /* no free func: we own it from here */
    for (guint i = 0; i < p->items->len; i++) {
        PendingItem *it = &g_array_index(p->items, PendingItem, i);
        BridgeRegEndpoint *ep =
            it->kind == ITEM_CREATED ? bridge_reg_endpoint_get(&c->reg, it->handle) : NULL;
        if (ep && ep->pending == p)
            ep->pending = NULL;
    }
    if (p->failure) {
        pending_fail(c, p);
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
            BridgeRegEndpoint *ep = bridge_reg_endpoint_get(&c->reg, it->handle);
            g_assert(ep && ep->state != BRIDGE_REG_EP_GATHERING);
            oe->has_transport = TRUE;
            oe->has_ice = TRUE;
            pa_transport_copy(&oe->ice, &ep->local);
        }
    }
    BridgeRegConference *conf = bridge_reg_conference_get(&c->reg, p->conference);
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
    /* No endpoint may point at a freed reply. */
    guint pos = 0;
    BridgeRegEndpoint *ep;
    while ((ep = bridge_handle_table_next(&c->reg.endpoints, &pos)))
        ep->pending = NULL;
}

/* @p can never be completed: it fails with @failure (unless it failed already). */
static void pending_failed(BridgeControl *c, BridgePending *p, char *failure)
{
    if (!p->failure)
        p->failure = failure;
    else
        g_free(failure);
    pending_done_one(c, p);
}

/* ---- expiry ---- */

/* Ends @conf on the bridge: it has no endpoints left. */
static void conference_end(BridgeControl *c, BridgeRegConference *conf, const char *why)
{
    g_message("room=%s: conference ended (%s)", conf->id, why);
    if (c->selection)
        bridge_selection_conference_removed(c->selection, conf);
    bridge_reg_conference_remove(&c->reg, conf);
    bridge_control_conference_ended(c);
}

static gboolean empty_expired(gpointer data)
{
    BridgeControl *c = data;
    /* Find the conference whose timer this is (the source is current while it runs). */
    GSource *self = g_main_current_source();
    guint pos = 0;
    BridgeRegConference *conf;
    while ((conf = bridge_handle_table_next(&c->reg.conferences, &pos)))
        if (conf->empty_timer == self)
            break;
    if (conf) {
        g_clear_pointer(&conf->empty_timer, g_source_unref);
        if (g_hash_table_size(conf->endpoints) == 0)
            conference_end(c, conf, "empty since its endpoints were dropped, and not re-used");
    }
    return G_SOURCE_REMOVE;
}

/* @conf lost its last endpoint to the media plane: the focus re-invites those participants
 * at once and may allocate into it again without create, so it stays for a while. */
static void conference_keep_empty(BridgeControl *c, BridgeRegConference *conf)
{
    if (conf->empty_timer)
        return;
    guint s = (guint)c->cfg->bridge_empty_conference_seconds;
    g_info("room=%s: no endpoints left; kept %u s for the focus to re-invite", conf->id, s);
    conf->empty_timer = g_timeout_source_new_seconds(s);
    g_source_set_callback(conf->empty_timer, empty_expired, c, NULL);
    g_source_attach(conf->empty_timer, c->context);
}

static void conference_cancel_empty(BridgeRegConference *conf)
{
    if (conf->empty_timer) {
        g_source_destroy(conf->empty_timer);
        g_clear_pointer(&conf->empty_timer, g_source_unref);
    }
}

/* Removes @ep (see bridge_control_expire_endpoint); @keep_empty: a conference left without
 * endpoints stays (conference_keep_empty()). Returns TRUE when the conference ended. */
static gboolean remove_endpoint(BridgeControl *c, BridgeRegEndpoint *ep, gboolean tell_media,
                                const char *why, gboolean keep_empty)
{
    BridgeHandle conf_handle = ep->conference->handle;
    g_message("room=%s ep=%s: endpoint expired (%s)", ep->conference->id, ep->id, why);
    if (tell_media)
        bridge_media_endpoint_expire(c->media, ep->handle);
    if (c->selection)
        bridge_selection_endpoint_removed(c->selection, ep);
    if (c->channels)
        bridge_channels_endpoint_expired(c->channels, ep);
    BridgePending *p = ep->pending;
    char *failure =
        p ? g_strdup_printf("endpoint %s expired before its transport was ready (%s)", ep->id, why)
          : NULL;
    bridge_reg_endpoint_remove(&c->reg, ep);
    if (p)
        pending_failed(c, p, failure); /* may expire more endpoints (its rollback) */
    BridgeRegConference *conf = bridge_reg_conference_get(&c->reg, conf_handle);
    if (conf && g_hash_table_size(conf->endpoints) == 0 && keep_empty && !c->graceful &&
        c->cfg->bridge_empty_conference_seconds > 0) {
        conference_keep_empty(c, conf);
    } else if (conf && g_hash_table_size(conf->endpoints) == 0) {
        conference_end(c, conf, "last endpoint expired");
        return TRUE;
    } else if (conf && c->channels) {
        bridge_channels_sources_changed(c->channels, conf); /* its sources are gone */
    }
    return conf == NULL;
}

void bridge_control_end_empty_conferences(BridgeControl *c)
{
    g_autoptr(GPtrArray) empty = g_ptr_array_new();
    guint pos = 0;
    BridgeRegConference *conf;
    while ((conf = bridge_handle_table_next(&c->reg.conferences, &pos)))
        if (g_hash_table_size(conf->endpoints) == 0)
            g_ptr_array_add(empty, conf);
    for (guint i = 0; i < empty->len; i++)
        conference_end(c, empty->pdata[i], "empty, and the bridge is shutting down");
}

void bridge_control_expire_endpoint(BridgeControl *c, BridgeRegEndpoint *ep, gboolean tell_media,
                                    const char *why)
{
    remove_endpoint(c, ep, tell_media, why, FALSE);
}

gboolean bridge_control_drop_endpoint(BridgeControl *c, BridgeRegEndpoint *ep, const char *why)
{
    return remove_endpoint(c, ep, FALSE, why, TRUE);
}

void bridge_control_expire_conference(BridgeControl *c, BridgeRegConference *conf, const char *why)
{
    BridgeHandle handle = conf->handle;
    g_autoptr(GArray) eps = g_array_new(FALSE, FALSE, sizeof(BridgeHandle));
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, conf->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        g_array_append_val(eps, ((BridgeRegEndpoint *)v)->handle);
    for (guint i = 0; i < eps->len; i++) {
        BridgeRegEndpoint *ep =
            bridge_reg_endpoint_get(&c->reg, g_array_index(eps, BridgeHandle, i));
        if (ep)
            bridge_control_expire_endpoint(c, ep, TRUE, why);
    }
    /* Expiring its last endpoint ended it, unless it had none. */
    conf = bridge_reg_conference_get(&c->reg, handle);
    if (conf)
        conference_end(c, conf, why);
}

/* ---- media plane: endpoint ready ---- */

/* The endpoint's colibri-ws URL, from http.public_url and bridge.id. */
static char *websocket_url(BridgeControl *c, const BridgeRegEndpoint *ep)
{
    g_autofree char *conf_e = g_uri_escape_string(ep->conference->id, NULL, FALSE);
    g_autofree char *ep_e = g_uri_escape_string(ep->id, NULL, FALSE);
    const char *base = c->cfg->http_public_url;
    gboolean tls = g_str_has_prefix(base, "https://");
    return g_strdup_printf("%s://%s/colibri-ws/%s/%s/%s?pwd=%s", tls ? "wss" : "ws",
                           base + (tls ? 8 : 7), c->cfg->bridge_id, conf_e, ep_e, ep->ws_password);
}

void bridge_control_endpoint_ready(BridgeHandle endpoint, const PaTransport *local,
                                   const GError *error, gpointer user_data)
{
    BridgeControl *c = user_data;
    BridgeRegEndpoint *ep = c->stopping ? NULL : bridge_reg_endpoint_get(&c->reg, endpoint);
    if (!ep || ep->state != BRIDGE_REG_EP_GATHERING)
        return; /* expired meanwhile, or the bridge is stopping (nobody to answer) */
    if (error) {
        g_warning("room=%s ep=%s: media plane could not create the endpoint: %s",
                  ep->conference->id, ep->id, error->message);
        /* The media plane dropped it already; the rollback in pending_finish expires it here. */
        BridgePending *p = g_steal_pointer(&ep->pending);
        if (p)
            pending_failed(c, p, g_strdup_printf("endpoint %s: %s", ep->id, error->message));
        return;
    }
    pa_transport_copy(&ep->local, local);
    ep->local.websocket_url = websocket_url(c, ep);
    ep->state = BRIDGE_REG_EP_READY;
    g_info("room=%s ep=%s: transport ready (%u candidates, ufrag %s)", ep->conference->id, ep->id,
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

/* The media plane strips mid/rid from forwarded packets using each endpoint's own extension
 * ids. Without <rtp-hdrext> in the request it keeps the Jitsi default ids. */
static void set_media_hdrext(BridgeControl *c, const BridgeRegEndpoint *ep)
{
    PaHdrextMap map;
    pa_hdrext_map_init(&map);
    guint n = 0;
    for (guint i = 0; i < ep->media->len; i++) {
        const PaMediaDesc *m = &g_array_index(ep->media, PaMediaDesc, i);
        for (guint j = 0; m->hdrexts && j < m->hdrexts->len; j++) {
            const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, j);
            pa_hdrext_map_set_uri(&map, h->uri, h->id);
            n++;
        }
    }
    if (n > 0)
        bridge_media_endpoint_set_hdrext(c->media, ep->handle, &map);
}

/* Keeps the latest credentials and fingerprint, accumulates candidates (trickle), and hands
 * the transport to the media plane. */
static void apply_transport(BridgeControl *c, BridgeRegEndpoint *ep, const PaTransport *t)
{
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
    bridge_media_endpoint_set_remote(c->media, ep->handle, t);
    g_info("room=%s ep=%s: remote transport (%s%u candidates%s)", ep->conference->id, ep->id,
           t->ufrag ? "credentials, " : "", t->candidates->len,
           t->fingerprint ? ", fingerprint" : "");
}

/* Appends @v to @ssrcs unless it is there already. */
static void add_ssrc(GArray *ssrcs, guint32 v, gboolean video)
{
    for (guint n = 0; n < ssrcs->len; n++)
        if (g_array_index(ssrcs, BridgeMediaSsrc, n).ssrc == v)
            return;
    BridgeMediaSsrc s = {v, video};
    g_array_append_val(ssrcs, s);
}

/* Stores the endpoint's announced sources (taking @sources), tells the media plane their
 * SSRCs, and the channels that the conference's sources changed. */
static void apply_sources(BridgeControl *c, BridgeRegEndpoint *ep, GArray *sources)
{
    g_autoptr(GArray) ssrcs = g_array_new(FALSE, FALSE, sizeof(BridgeMediaSsrc));
    for (guint i = 0; i < sources->len; i++) {
        const PaMediaSource *ms = &g_array_index(sources, PaMediaSource, i);
        for (guint j = 0; j < ms->sources->len; j++)
            add_ssrc(ssrcs, g_array_index(ms->sources, PaMediaSsrc, j).ssrc, ms->video);
        /* Group members (RTX, SIM) are usually listed as sources too; add any that are not,
         * so RTCP for them routes. */
        for (guint j = 0; j < ms->groups->len; j++) {
            const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, j);
            for (guint k = 0; k < g->ssrcs->len; k++)
                add_ssrc(ssrcs, g_array_index(g->ssrcs, guint32, k), ms->video);
        }
    }
    bridge_media_endpoint_set_ssrcs(c->media, ep->handle, (const BridgeMediaSsrc *)ssrcs->data,
                                    ssrcs->len);
    g_info("room=%s ep=%s: %u sources, %u SSRCs", ep->conference->id, ep->id, sources->len,
           ssrcs->len);
    if (ep->sources)
        g_array_unref(ep->sources);
    ep->sources = sources;
    if (c->channels)
        bridge_channels_sources_changed(c->channels, ep->conference);
}

/* Stores what an update carries and forwards the transport and SSRCs to the media plane. */
static void apply_update(BridgeControl *c, BridgeRegEndpoint *ep, PaColibriEndpoint *req)
{
    gboolean media_changed = req->media->len > 0;
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
        set_media_hdrext(c, ep);
    }
    if (req->has_ice)
        apply_transport(c, ep, &req->ice);
    if (req->has_sources) {
        apply_sources(c, ep, g_steal_pointer(&req->sources));
        req->sources = pa_media_sources_new();
    }
    if (c->selection && (req->has_sources || media_changed || ep->state == BRIDGE_REG_EP_GATHERING))
        bridge_selection_endpoint_updated(c->selection, ep);
}

/* Why a request cannot be applied. */
typedef struct {
    PaColibriError error;
    const char *endpoint; /* UNKNOWN_ENDPOINT: the endpoint id (borrowed from the request) */
    char *text;
} Refusal;

/* Checks the request as a whole against the registry; FALSE with @r filled when it must be
 * refused (nothing has changed then). @conf is the request's conference, NULL if unknown. */
static gboolean validate_modify(BridgeControl *c, const PaColibriConferenceModify *m,
                                BridgeRegConference *conf, Refusal *r)
{
    if (m->n_relays > 0) {
        r->error = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
        r->text = g_strdup("relays (Octo) are not supported");
    } else if (m->create && m->expire) {
        r->error = PA_COLIBRI_ERROR_BAD_REQUEST;
        r->text = g_strdup("create and expire in one request");
    } else if (m->create && conf) {
        r->error = PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS;
        r->text = g_strdup_printf("conference %s already exists", m->meeting_id);
    } else if (m->create && c->graceful) {
        r->error = PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN;
        r->text = g_strdup("in graceful shutdown");
    } else if (!m->create && !conf) {
        r->error = PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND;
        r->text = g_strdup_printf("conference %s not found", m->meeting_id);
    }
    for (guint i = 0; !r->text && i < m->endpoints->len; i++) {
        const PaColibriEndpoint *e = &g_array_index(m->endpoints, PaColibriEndpoint, i);
        BridgeRegEndpoint *existing = bridge_reg_endpoint_find(conf, e->id);
        if (e->expire)
            continue; /* unknown endpoints are fine: expiring is idempotent */
        if (e->create && existing) {
            r->error = PA_COLIBRI_ERROR_ENDPOINT_CONFLICT;
            r->text = g_strdup_printf("endpoint %s already exists", e->id);
        } else if (!e->create && !existing) {
            r->error = PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT;
            r->endpoint = e->id;
            r->text = g_strdup_printf("endpoint %s not found", e->id);
        } else if (e->sctp) {
            r->error = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
            r->text = g_strdup("SCTP is not supported: leave the data content out (colibri-ws "
                               "carries the bridge channel)");
        } else if (e->ice_restart) {
            r->error = PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED;
            r->text = g_strdup("ICE restart is not supported: expire and re-create the endpoint");
        }
    }
    return r->text == NULL;
}

/* Creates endpoint @e of @conf for reply @p: the registry entry (its handle), the media
 * plane's endpoint (gathering starts), then what the request says about it. */
static void create_endpoint(BridgeControl *c, BridgePending *p, BridgeRegConference *conf,
                            PaColibriEndpoint *e)
{
    conference_cancel_empty(conf);
    BridgeRegEndpoint *ep = bridge_reg_endpoint_add(&c->reg, conf, e->id);
    g_message("room=%s ep=%s: endpoint created%s%s", conf->id, ep->id,
              e->stats_id ? ", stats-id " : "", e->stats_id ? e->stats_id : "");
    pending_add(p, e->id, ITEM_CREATED, ep->handle);
    p->with_sources = TRUE;
    ep->pending = p;
    p->waiting++;
    bridge_media_endpoint_create(c->media, conf->handle, ep->handle, conf->id, ep->id);
    apply_update(c, ep, e);
}

/* Who sends @iq: the focus's own bare JID when it comes through the brewery (the same after
 * a restart, whatever its nickname), else the sender's bare JID (transfer full). */
static char *request_owner(BridgeControl *c, xmpp_stanza_t *iq)
{
    const char *from = xmpp_stanza_get_from(iq);
    char *real = bridge_xmpp_brewery_real_jid(c->xmpp, from);
    return real ? real : pa_jid_bare(from);
}

/* A focus creates a conference for a room (@m->name) while an older one of the same room from
 * the same focus is still here: the focus has restarted (or re-created a conference it could
 * not expire), and nothing will ever expire the old one. It goes now, with its endpoints. */
static void expire_superseded(BridgeControl *c, const PaColibriConferenceModify *m,
                              const char *owner)
{
    if (!m->name || !owner)
        return;
    g_autoptr(GArray) old = g_array_new(FALSE, FALSE, sizeof(BridgeHandle));
    guint pos = 0;
    BridgeRegConference *conf;
    while ((conf = bridge_handle_table_next(&c->reg.conferences, &pos)))
        if (g_strcmp0(conf->name, m->name) == 0 && g_strcmp0(conf->owner, owner) == 0)
            g_array_append_val(old, conf->handle);
    for (guint i = 0; i < old->len; i++) {
        conf = bridge_reg_conference_get(&c->reg, g_array_index(old, BridgeHandle, i));
        if (conf) {
            g_autofree char *why =
                g_strdup_printf("superseded by conference %s of the same room", m->meeting_id);
            bridge_control_expire_conference(c, conf, why);
        }
    }
}

/* Applies a validated request (creating the conference if asked) and answers it, now or
 * once every endpoint it created has its transport. */
static void apply_modify(BridgeControl *c, xmpp_stanza_t *iq, PaColibriConferenceModify *m,
                         BridgeRegConference *conf)
{
    if (m->create) {
        g_autofree char *owner = request_owner(c, iq);
        expire_superseded(c, m, owner);
        conf = bridge_reg_conference_add(&c->reg, m->meeting_id, m->name);
        conf->owner = g_steal_pointer(&owner);
        g_message("room=%s: conference created (name %s)", conf->id, m->name ? m->name : "none");
    }
    BridgeHandle conf_handle = conf->handle;
    /* News about this conference goes to whoever manages it now. */
    g_free(conf->focus_jid);
    conf->focus_jid = g_strdup(xmpp_stanza_get_from(iq));
    BridgePending *p = pending_new(c, iq, m->meeting_id, conf_handle);
    p->building = TRUE;
    p->with_sources = m->create;
    for (guint i = 0; i < m->endpoints->len; i++) {
        PaColibriEndpoint *e = &g_array_index(m->endpoints, PaColibriEndpoint, i);
        /* Expiring an earlier endpoint may have ended the conference. */
        conf = bridge_reg_conference_get(&c->reg, conf_handle);
        if (e->expire) {
            pending_add(p, e->id, ITEM_EXPIRED, BRIDGE_HANDLE_NONE);
            BridgeRegEndpoint *ep = bridge_reg_endpoint_find(conf, e->id);
            if (ep)
                bridge_control_expire_endpoint(c, ep, TRUE, "expired by the focus");
        } else if (!conf) {
            /* Validation saw it alive. */
            if (!p->failure)
                p->failure =
                    g_strdup_printf("conference %s ended during the request", m->meeting_id);
            break;
        } else if (e->create) {
            create_endpoint(c, p, conf, e);
        } else {
            pending_add(p, e->id, ITEM_UPDATED, BRIDGE_HANDLE_NONE);
            apply_update(c, bridge_reg_endpoint_find(conf, e->id), e);
        }
    }
    /* A non-create request that leaves the conference empty ends it (as JVB does). */
    conf = bridge_reg_conference_get(&c->reg, conf_handle);
    if (conf && !m->create && g_hash_table_size(conf->endpoints) == 0)
        conference_end(c, conf, "no endpoints left");
    p->building = FALSE;
    if (p->waiting == 0)
        pending_finish(c, p);
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
    if (pa_colibri_parse_modify(iq, &m, &why) != PA_COLIBRI_OK) {
        log_refused(c, "malformed conference-modify from %s: %s", from, why);
        reply_error(c, iq, PA_COLIBRI_ERROR_BAD_REQUEST, NULL, why);
        pa_colibri_modify_clear(&m);
        return;
    }
    /* The one lookup by meeting-id; endpoints by id within it, likewise once. */
    BridgeRegConference *conf = bridge_reg_conference_find(&c->reg, m.meeting_id);
    Refusal r = {0};
    if (!validate_modify(c, &m, conf, &r)) {
        if (r.error == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT ||
            r.error == PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND)
            g_info("room=%s: conference-modify refused: %s", m.meeting_id, r.text);
        else
            log_refused(c, "room=%s: conference-modify refused: %s", m.meeting_id, r.text);
        reply_error(c, iq, r.error, r.endpoint, r.text);
        g_free(r.text);
    } else if (m.expire) {
        bridge_control_expire_conference(c, conf, "expired by the focus");
        pending_finish(c, pending_new(c, iq, m.meeting_id, BRIDGE_HANDLE_NONE));
    } else {
        apply_modify(c, iq, &m, conf);
    }
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
    if (c->stopping || !c->xmpp)
        return FALSE; /* BridgeXmpp refuses IQs itself once stopping */
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
