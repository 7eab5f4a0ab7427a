/* SPDX-License-Identifier: MIT */
/* Layer selection, last-N and dominant speaker on the control thread (selection.h).
 * Control thread only: every object here belongs to the BridgeSelection. */
#include "bridge/control/selection.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/cc/alloc.h"
#include "bridge/cc/speaker.h"
#include "bridge/control/sources.h"
#include "bridge/forward/layer.h"
#include "common/media/media-desc.h"

/* Speech activity: the worker keeps every audio level (one per 20 ms packet); the control
 * thread looks at them SPEAKER_TICK_MS apart, only while there are conferences, and the
 * speaker module replays them in its own 20 ms steps (bridge_speakers_advance: decisions come
 * at most one tick later than with a 20 ms timer, which would wake the thread 50 times a
 * second). */
#define SPEAKER_TICK_MS 100
#define REALLOC_EVERY_S 2
#define UNLIMITED_BPS G_GUINT64_CONSTANT(10000000000) /* no estimate yet: 10 Gbit/s */
#define BWE_POLL_TICKS 2 /* estimates looked at every 2 speaker ticks (200 ms) */
#define UPGRADE_ROOM 0.8 /* a switch up costs at most this share of the budget */
#define BWE_HOLD 5       /* the allocation uses the lowest of the last 5 looks (1 s) */

/* One video source of the conference. */
typedef struct {
    BridgeHandle owner;
    char *name;
    BridgeMediaVideoSource ms; /* vidx, encodings, RTX */
    int sent_height;           /* SenderSourceConstraints last sent + 2 (0: never) */
} SelSource;

typedef struct {
    BridgeHandle handle;
    BridgeSpeakers *speakers;
    guint capacity;
    GPtrArray *sources; /* SelSource * (owned) */
    GArray *vidx_used;  /* gboolean per vidx */
    gboolean has_dominant;
    guint32 dominant;
    gboolean dirty;
} SelConf;

typedef struct {
    BridgeHandle handle;
    BridgeHandle conf;
    guint level_cursor;         /* the media plane's audio levels read so far */
    BridgeMediaTarget *targets; /* last posted to the worker */
    guint n_targets;
    gboolean posted;
    char **forwarded; /* ForwardedSources now (sorted) */
    char **last_n;    /* the last LastNEndpointsChangeEvent's list, NULL before */
    guint n_forwarded, n_paused;
    guint64 bps;
    /* Bandwidth estimate toward it (0: no transport-cc feedback yet, allocated as unlimited):
     * the one the last allocation used, and the latest one seen. */
    guint64 alloc_bwe_bps, bwe_bps;
    guint64 ideal_bps;  /* what its ideal allocation costs */
    guint64 budget_bps; /* what the layers got of the estimate (0: unlimited) */
    /* The estimates of the last BWE_HOLD looks: the allocation follows a fall at once and a
     * rise once it held for 1 s, so a sawtooth estimate does not switch layers up and down. */
    guint64 held[BWE_HOLD];
    guint n_held, held_pos;
    gboolean limited;     /* the estimate kept it below its ideal allocation */
    gboolean oversending; /* its allocation exceeds the estimate (on-stage floor, screen share) */
    BridgeAllocUpgradeGuard upgrade; /* switches up the link could not carry */
} SelEp;

struct _BridgeSelection {
    BridgeRegistry *reg;
    BridgeMedia *media;
    BridgeChannels *ch;
    GMainContext *ctx;
    GHashTable *confs;                        /* handle -> SelConf (owned) */
    GHashTable *eps;                          /* handle -> SelEp (owned) */
    GSource *idle, *speaker_timer, *periodic; /* the timers: only while there are conferences */
    guint ticks;
    GArray *levels; /* BridgeSpeakerLevel: scratch for one conference's tick */
    BridgeSelectionStats stats;
};

static void schedule(BridgeSelection *s);
static void timers_update(BridgeSelection *s);

/* ---- state ---- */

static void source_free(SelSource *src)
{
    g_free(src->name);
    g_free(src);
}

static void conf_free(SelConf *c)
{
    bridge_speakers_free(c->speakers);
    g_ptr_array_unref(c->sources);
    g_array_unref(c->vidx_used);
    g_free(c);
}

static void ep_free(SelEp *e)
{
    g_free(e->targets);
    g_strfreev(e->forwarded);
    g_strfreev(e->last_n);
    g_free(e);
}

static SelConf *conf_get(BridgeSelection *s, BridgeHandle h)
{
    SelConf *c = g_hash_table_lookup(s->confs, GUINT_TO_POINTER(h));
    if (!c) {
        c = g_new0(SelConf, 1);
        c->handle = h;
        c->sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
        c->vidx_used = g_array_new(FALSE, TRUE, sizeof(gboolean));
        g_hash_table_insert(s->confs, GUINT_TO_POINTER(h), c);
        timers_update(s);
    }
    return c;
}

static SelEp *ep_get(BridgeSelection *s, const BridgeRegEndpoint *ep)
{
    SelEp *e = g_hash_table_lookup(s->eps, GUINT_TO_POINTER(ep->handle));
    if (!e) {
        e = g_new0(SelEp, 1);
        e->handle = ep->handle;
        e->conf = ep->conference->handle;
        e->forwarded = g_new0(char *, 1);
        g_hash_table_insert(s->eps, GUINT_TO_POINTER(ep->handle), e);
    }
    return e;
}

static guint vidx_take(SelConf *c)
{
    for (guint i = 0; i < c->vidx_used->len; i++)
        if (!g_array_index(c->vidx_used, gboolean, i)) {
            g_array_index(c->vidx_used, gboolean, i) = TRUE;
            return i;
        }
    gboolean t = TRUE;
    g_array_append_val(c->vidx_used, t);
    return c->vidx_used->len - 1;
}

static void vidx_release(SelConf *c, guint v)
{
    if (v < c->vidx_used->len)
        g_array_index(c->vidx_used, gboolean, v) = FALSE;
}

/* Makes room in the speaker identification for @n participants (re-created larger: the
 * speech history restarts, which only happens as a conference grows past a power of two). */
static void speakers_fit(BridgeSelection *s, SelConf *c, const BridgeRegConference *rc)
{
    guint n = g_hash_table_size(rc->endpoints);
    if (c->speakers && n <= c->capacity)
        return;
    guint cap = MAX(8u, c->capacity);
    while (cap < n)
        cap *= 2;
    bridge_speakers_free(c->speakers);
    c->speakers = bridge_speakers_new(cap);
    c->capacity = cap;
    gint64 now_ms = g_get_monotonic_time() / 1000;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, rc->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        bridge_speakers_add(c->speakers, ((BridgeRegEndpoint *)v)->handle, now_ms);
    (void)s;
}

/* ---- an endpoint's video sources (sources.h says what they mean) ---- */

void bridge_selection_endpoint_updated(BridgeSelection *s, BridgeRegEndpoint *ep)
{
    SelConf *c = conf_get(s, ep->conference->handle);
    ep_get(s, ep);
    speakers_fit(s, c, ep->conference);
    bridge_speakers_add(c->speakers, ep->handle, g_get_monotonic_time() / 1000); /* or there */
    /* The endpoint's sources now, keeping the index of one that stays (same name and
     * primary SSRC), so its receivers' projections carry on. */
    g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
    for (guint i = 0; i < c->sources->len;) {
        SelSource *src = g_ptr_array_index(c->sources, i);
        if (src->owner == ep->handle)
            g_ptr_array_add(old, g_ptr_array_steal_index(c->sources, i));
        else
            i++;
    }
    BridgeMediaVideoSource mine[BRIDGE_MEDIA_MAX_VIDEO];
    guint n_mine = 0;
    for (guint i = 0; ep->sources && i < ep->sources->len && n_mine < BRIDGE_MEDIA_MAX_VIDEO; i++) {
        const PaMediaSource *ms = &g_array_index(ep->sources, PaMediaSource, i);
        BridgeMediaVideoSource v;
        if (!ms->video || !ms->id || !bridge_source_encodings(ms, &v))
            continue;
        SelSource *src = NULL;
        for (guint k = 0; k < old->len; k++) {
            SelSource *o = g_ptr_array_index(old, k);
            if (g_strcmp0(o->name, ms->id) == 0 && o->ms.ssrcs[0] == v.ssrcs[0]) {
                src = g_ptr_array_steal_index(old, k);
                break;
            }
        }
        if (!src) {
            src = g_new0(SelSource, 1);
            src->owner = ep->handle;
            src->name = g_strdup(ms->id);
            v.vidx = vidx_take(c);
        } else {
            v.vidx = src->ms.vidx;
        }
        src->ms = v;
        g_ptr_array_add(c->sources, src);
        mine[n_mine++] = v;
    }
    for (guint k = 0; k < old->len; k++)
        vidx_release(c, ((SelSource *)g_ptr_array_index(old, k))->ms.vidx);
    guint8 codec[128], rtx[128];
    bridge_source_codec_maps(ep->media, codec, rtx);
    bridge_media_endpoint_set_video(s->media, ep->handle, mine, n_mine, codec, rtx);
    c->dirty = TRUE;
    schedule(s);
}

void bridge_selection_endpoint_removed(BridgeSelection *s, BridgeRegEndpoint *ep)
{
    SelConf *c = g_hash_table_lookup(s->confs, GUINT_TO_POINTER(ep->conference->handle));
    if (c) {
        for (guint i = 0; i < c->sources->len;) {
            SelSource *src = g_ptr_array_index(c->sources, i);
            if (src->owner == ep->handle) {
                vidx_release(c, src->ms.vidx);
                g_ptr_array_remove_index(c->sources, i);
            } else {
                i++;
            }
        }
        if (c->speakers)
            bridge_speakers_remove(c->speakers, ep->handle);
        if (c->has_dominant && c->dominant == ep->handle)
            c->has_dominant = FALSE;
        c->dirty = TRUE;
        schedule(s);
    }
    g_hash_table_remove(s->eps, GUINT_TO_POINTER(ep->handle));
}

void bridge_selection_conference_removed(BridgeSelection *s, BridgeRegConference *conf)
{
    g_hash_table_remove(s->confs, GUINT_TO_POINTER(conf->handle));
    timers_update(s);
}

/* ---- allocation ---- */

/* What @src sends: measured by its worker, else assumed from its place in the SIM group. */
static guint source_layers(BridgeSelection *s, const SelSource *src, BridgeLayerDesc *out)
{
    guint n =
        bridge_media_endpoint_layers(s->media, src->owner, src->ms.vidx, out, BRIDGE_MAX_LAYERS);
    if (n)
        return n;
    static const guint32 assumed_bps[] = {150000, 500000, 1500000, 2500000};
    for (guint e = 0; e < src->ms.n_encodings; e++) {
        out[e] = (BridgeLayerDesc){
            .layer = {(int8_t)e, 0, BRIDGE_MAX_TEMPORAL - 1},
            .height = (guint16)(180u << e),
            .fps = 30.0f,
            .bitrate_bps = assumed_bps[e],
        };
    }
    return src->ms.n_encodings;
}

static gboolean is_desktop(const BridgeRegEndpoint *owner, const char *name)
{
    const BridgeChannelPrefs *p = owner ? bridge_channels_prefs(owner) : NULL;
    if (!p || !p->video_types)
        return FALSE;
    gpointer v;
    if (!g_hash_table_lookup_extended(p->video_types, name, NULL, &v))
        return FALSE;
    int t = GPOINTER_TO_INT(v);
    return t == BRIDGE_VIDEO_TYPE_DESKTOP || t == BRIDGE_VIDEO_TYPE_DESKTOP_HIGH_FPS;
}

/* Indices (into @list) of the named sources. */
static guint name_indices(char **names, SelSource **list, guint n, guint32 *out)
{
    guint m = 0;
    for (char **p = names; p && *p && m < n; p++)
        for (guint i = 0; i < n; i++)
            if (strcmp(list[i]->name, *p) == 0) {
                out[m++] = i;
                break;
            }
    return m;
}

static gboolean targets_equal(const SelEp *e, const BridgeMediaTarget *t, guint n)
{
    if (!e->posted || e->n_targets != n)
        return FALSE;
    for (guint i = 0; i < n; i++) {
        const BridgeMediaTarget *a = &e->targets[i], *b = &t[i];
        if (a->vidx != b->vidx || a->primary_ssrc != b->primary_ssrc ||
            a->target.enc != b->target.enc || a->target.sid != b->target.sid ||
            a->target.tid != b->target.tid)
            return FALSE;
    }
    return TRUE;
}

/* Scratch of one conference's allocation round. */
typedef struct {
    SelSource **list;
    BridgeAllocSource *srcs;
    BridgeLayerDesc *layers; /* BRIDGE_MAX_LAYERS per source */
    BridgeAllocResult *res;
    guint32 *idx;
    BridgeAllocConstraints *cons;
    int *heights; /* per conference source: merged effective maxHeight */
} Round;

static void send_last_n(BridgeSelection *s, BridgeRegEndpoint *rx, SelEp *e, SelSource **list,
                        const BridgeAllocResult *res, guint n)
{
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (guint rank = 0; rank < n; rank++)
        for (guint i = 0; i < n; i++) {
            if (res[i].rank != rank || !res[i].forwarded)
                continue;
            BridgeRegEndpoint *o = bridge_reg_endpoint_get(s->reg, list[i]->owner);
            if (o && !g_ptr_array_find_with_equal_func(ids, o->id, g_str_equal, NULL))
                g_ptr_array_add(ids, o->id);
        }
    g_ptr_array_add(ids, NULL);
    if (e->last_n && g_strv_equal((const char *const *)e->last_n, (const char *const *)ids->pdata))
        return;
    g_autoptr(GPtrArray) entering = g_ptr_array_new();
    for (guint i = 0; ids->pdata[i]; i++)
        if (!e->last_n || !g_strv_contains((const char *const *)e->last_n, ids->pdata[i]))
            g_ptr_array_add(entering, ids->pdata[i]);
    g_ptr_array_add(entering, NULL);
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, rx->conference->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (v != rx)
            g_ptr_array_add(all, ((BridgeRegEndpoint *)v)->id);
    g_ptr_array_add(all, NULL);
    g_autofree char *text = bridge_channel_last_n_endpoints((const char *const *)ids->pdata,
                                                            (const char *const *)entering->pdata,
                                                            (const char *const *)all->pdata);
    if (bridge_channels_send(s->ch, rx, text)) {
        g_strfreev(e->last_n);
        e->last_n = g_strdupv((char **)ids->pdata);
    }
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The estimate an allocation uses: the lowest of the recent looks and @now. */
static guint64 held_estimate(const SelEp *e, guint64 now)
{
    guint64 v = now;
    for (guint i = 0; i < e->n_held; i++)
        v = MIN(v, e->held[i]);
    return v;
}

static void allocate_receiver(BridgeSelection *s, SelConf *c, BridgeRegEndpoint *rx,
                              const guint32 *speakers, guint n_speakers, Round *r)
{
    SelEp *e = ep_get(s, rx);
    guint n = 0;
    for (guint i = 0; i < c->sources->len && n < BRIDGE_ALLOC_MAX_SOURCES; i++) {
        SelSource *src = g_ptr_array_index(c->sources, i);
        if (src->owner == rx->handle)
            continue;
        BridgeLayerDesc *l = r->layers + (gsize)n * BRIDGE_MAX_LAYERS;
        r->list[n] = src;
        r->srcs[n] = (BridgeAllocSource){
            .owner = src->owner,
            .desktop = is_desktop(bridge_reg_endpoint_get(s->reg, src->owner), src->name),
            .layers = l,
            .n_layers = source_layers(s, src, l),
        };
        n++;
    }
    BridgeAllocReceiver ar;
    bridge_alloc_receiver_init(&ar);
    const BridgeChannelPrefs *p = bridge_channels_prefs(rx);
    guint32 *on_stage = r->idx, *selected = r->idx + n, *constrained = r->idx + 2 * n;
    if (p) {
        ar.last_n = p->last_n;
        ar.fallback.max_height = p->default_constraints.max_height;
        ar.fallback.max_frame_rate = (float)p->default_constraints.max_frame_rate;
        ar.n_on_stage = name_indices(p->on_stage_sources, r->list, n, on_stage);
        ar.on_stage = on_stage;
        ar.n_selected = name_indices(p->selected_sources, r->list, n, selected);
        ar.selected = selected;
        guint m = 0;
        for (guint i = 0; p->constraints && i < n; i++) {
            BridgeVideoConstraints *vc = g_hash_table_lookup(p->constraints, r->list[i]->name);
            if (!vc)
                continue;
            constrained[m] = i;
            r->cons[m] = (BridgeAllocConstraints){vc->max_height, (float)vc->max_frame_rate};
            m++;
        }
        ar.constrained = constrained;
        ar.constraints = r->cons;
        ar.n_constraints = m;
    }
    /* Until the receiver's first transport-cc feedback there is no estimate: the allocation
     * is unlimited, as for a receiver that never sends feedback (docs/bridge.md). */
    BridgeMediaBwe bw;
    guint64 avail = UNLIMITED_BPS;
    if (bridge_media_endpoint_bwe(s->media, rx->handle, &bw)) {
        e->bwe_bps = bw.estimate_bps;
        bw.estimate_bps = held_estimate(e, bw.estimate_bps);
        /* The estimate covers everything on the wire; the layers share what audio,
         * retransmissions and unlayered video leave (at least half of it). */
        avail = MAX(bw.estimate_bps / 2,
                    bw.estimate_bps > bw.other_bps ? bw.estimate_bps - bw.other_bps : 0);
    }
    e->alloc_bwe_bps = bw.estimate_bps;
    e->budget_bps = bw.estimate_bps ? avail : 0;
    BridgeAllocSummary sum;
    bridge_alloc_run(&ar, r->srcs, n, speakers, n_speakers, avail, r->res, &sum);
    /* A switch up must fit with room to spare (its cost at most 80% of the budget) and not
     * be one the link could not carry a moment ago (bridge_alloc_upgrade_cap), or the
     * receiver keeps what it has: right at the estimate, the next over-use takes it down
     * again, and every switch up costs a key frame on a full link. */
    gint64 now_ms = g_get_monotonic_time() / 1000;
    if (bw.estimate_bps && e->posted && sum.target_bps > e->bps) {
        guint64 room = MIN((guint64)(UPGRADE_ROOM * (double)avail),
                           bridge_alloc_upgrade_cap(&e->upgrade, bw.estimate_bps, now_ms));
        if (sum.target_bps > room) {
            room = MAX(room, e->bps);
            bridge_alloc_run(&ar, r->srcs, n, speakers, n_speakers, room, r->res, &sum);
        }
    }
    s->stats.allocations++;
    e->ideal_bps = sum.ideal_bps;
    e->oversending = sum.oversending;
    e->limited = bw.estimate_bps && sum.target_bps < sum.ideal_bps;
    bridge_alloc_upgrade_note(&e->upgrade, e->posted ? e->bps : 0, sum.target_bps, bw.estimate_bps,
                              e->limited, now_ms);
    /* Below its ideal, the worker probes toward an estimate that would allow it: the ideal
     * with the room a switch up needs, plus what the receiver gets besides layered video. */
    bridge_media_endpoint_set_wanted(
        s->media, rx->handle,
        e->limited ? (guint64)((double)sum.ideal_bps / UPGRADE_ROOM) + bw.other_bps : 0);

    g_autofree BridgeMediaTarget *t = g_new0(BridgeMediaTarget, MAX(n, 1));
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint i = 0; i < n; i++) {
        const SelSource *src = r->list[i];
        t[i].vidx = src->ms.vidx;
        t[i].primary_ssrc = src->ms.ssrcs[0];
        memcpy(t[i].ssrcs, src->ms.ssrcs, sizeof t[i].ssrcs);
        t[i].rtx_ssrc = src->ms.rtx[0];
        t[i].target = r->res[i].target;
        if (r->res[i].forwarded)
            g_ptr_array_add(names, src->name);
        guint k;
        if (g_ptr_array_find(c->sources, src, &k))
            r->heights[k] =
                bridge_alloc_merge_height(r->heights[k], r->res[i].effective_max_height);
    }
    if (!targets_equal(e, t, n)) {
        bridge_media_endpoint_set_targets(s->media, rx->handle, t, n);
        g_free(e->targets);
        e->targets = g_steal_pointer(&t);
        e->n_targets = n;
        e->posted = TRUE;
        s->stats.targets_posted++;
    }
    g_ptr_array_sort(names, cmp_str);
    g_ptr_array_add(names, NULL);
    g_strfreev(e->forwarded);
    e->forwarded = g_strdupv((char **)names->pdata);
    e->n_forwarded = sum.forwarded;
    e->n_paused = n - sum.forwarded;
    e->bps = sum.target_bps;
    send_last_n(s, rx, e, r->list, r->res, n);
}

/* SenderSourceConstraints to each sender whose merged height changed. */
static void send_sender_constraints(BridgeSelection *s, SelConf *c, const int *heights)
{
    for (guint k = 0; k < c->sources->len; k++) {
        SelSource *src = g_ptr_array_index(c->sources, k);
        if (src->sent_height == heights[k] + 2)
            continue;
        BridgeRegEndpoint *o = bridge_reg_endpoint_get(s->reg, src->owner);
        g_autofree char *text = bridge_channel_sender_source_constraints(src->name, heights[k]);
        if (o && bridge_channels_send(s->ch, o, text))
            src->sent_height = heights[k] + 2;
    }
}

static void run_conf(BridgeSelection *s, SelConf *c)
{
    c->dirty = FALSE;
    BridgeRegConference *rc = bridge_reg_conference_get(s->reg, c->handle);
    if (!rc)
        return;
    guint32 speakers[BRIDGE_SPEAKER_RECENT_MAX];
    guint n_speakers =
        c->speakers ? bridge_speakers_recent(c->speakers, speakers, G_N_ELEMENTS(speakers)) : 0;
    guint n = MAX(c->sources->len, 1);
    Round r = {
        .list = g_new0(SelSource *, n),
        .srcs = g_new0(BridgeAllocSource, n),
        .layers = g_new0(BridgeLayerDesc, (gsize)n * BRIDGE_MAX_LAYERS),
        .res = g_new0(BridgeAllocResult, n),
        .idx = g_new0(guint32, 3 * n),
        .cons = g_new0(BridgeAllocConstraints, n),
        .heights = g_new0(int, n),
    };
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, rc->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        allocate_receiver(s, c, v, speakers, n_speakers, &r);
    send_sender_constraints(s, c, r.heights);
    bridge_channels_sources_changed(s->ch, rc);
    g_free(r.list);
    g_free(r.srcs);
    g_free(r.layers);
    g_free(r.res);
    g_free(r.idx);
    g_free(r.cons);
    g_free(r.heights);
}

static gboolean on_idle(gpointer data)
{
    BridgeSelection *s = data;
    g_clear_pointer(&s->idle, g_source_unref);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->confs);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((SelConf *)v)->dirty)
            run_conf(s, v);
    return G_SOURCE_REMOVE;
}

static void schedule(BridgeSelection *s)
{
    if (s->idle)
        return;
    s->idle = g_idle_source_new();
    g_source_set_callback(s->idle, on_idle, s, NULL);
    g_source_attach(s->idle, s->ctx);
}

static gboolean on_periodic(gpointer data)
{
    BridgeSelection *s = data;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->confs);
    while (g_hash_table_iter_next(&it, NULL, &v))
        ((SelConf *)v)->dirty = TRUE;
    schedule(s);
    return G_SOURCE_CONTINUE;
}

/* ---- dominant speaker ---- */

static void announce_speaker(BridgeSelection *s, SelConf *c, BridgeRegConference *rc)
{
    BridgeRegEndpoint *dom = bridge_reg_endpoint_get(s->reg, c->dominant);
    if (!dom)
        return;
    guint32 recent[BRIDGE_SPEAKER_RECENT_MAX];
    guint n = bridge_speakers_recent(c->speakers, recent, G_N_ELEMENTS(recent));
    g_autoptr(GPtrArray) prev = g_ptr_array_new();
    for (guint i = 0; i < n; i++) {
        BridgeRegEndpoint *o = bridge_reg_endpoint_get(s->reg, recent[i]);
        if (o && o != dom)
            g_ptr_array_add(prev, o->id);
    }
    g_ptr_array_add(prev, NULL);
    g_autofree char *text =
        bridge_channel_dominant_speaker(dom->id, (const char *const *)prev->pdata, FALSE);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, rc->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        bridge_channels_send(s->ch, v, text);
    g_info("room=%s: dominant speaker %s", rc->id, dom->id);
}

static void speaker_conf(BridgeSelection *s, SelConf *c, gint64 now_ms)
{
    BridgeRegConference *rc = bridge_reg_conference_get(s->reg, c->handle);
    if (!rc || !c->speakers)
        return;
    g_array_set_size(s->levels, 0);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, rc->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        BridgeRegEndpoint *ep = v;
        SelEp *e = g_hash_table_lookup(s->eps, GUINT_TO_POINTER(ep->handle));
        if (!e)
            continue;
        BridgeMediaAudioLevel lv[BRIDGE_MEDIA_AUDIO_LEVELS];
        guint n = bridge_media_endpoint_audio_levels(s->media, ep->handle, &e->level_cursor, lv,
                                                     G_N_ELEMENTS(lv));
        for (guint k = 0; k < n; k++) {
            BridgeSpeakerLevel one = {ep->handle, lv[k].level, lv[k].at_ms};
            g_array_append_val(s->levels, one);
        }
    }
    if (g_hash_table_size(rc->endpoints) < 2)
        return; /* levels read (the cursors stay current), nobody to compare */
    gboolean changed = bridge_speakers_advance(
        c->speakers, (BridgeSpeakerLevel *)(void *)s->levels->data, s->levels->len, now_ms);
    if (!changed)
        return;
    guint32 dom;
    if (!bridge_speakers_dominant(c->speakers, &dom) || (c->has_dominant && dom == c->dominant))
        return;
    c->dominant = dom;
    c->has_dominant = TRUE;
    s->stats.speaker_changes++;
    announce_speaker(s, c, rc);
    c->dirty = TRUE; /* the speech order drives last-N */
    schedule(s);
}

/* Re-allocates the conferences of receivers whose estimate moved by more than
 * BRIDGE_ALLOC_BWE_CHANGE since their last allocation (or arrived). */
static void poll_estimates(BridgeSelection *s)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->eps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        SelEp *e = v;
        BridgeMediaBwe bw;
        if (!bridge_media_endpoint_bwe(s->media, e->handle, &bw))
            continue;
        e->bwe_bps = bw.estimate_bps;
        e->held[e->held_pos] = bw.estimate_bps;
        e->held_pos = (e->held_pos + 1) % BWE_HOLD;
        e->n_held = MIN(e->n_held + 1, BWE_HOLD);
        if (!bridge_alloc_bwe_changed(e->alloc_bwe_bps, held_estimate(e, bw.estimate_bps)))
            continue;
        SelConf *c = g_hash_table_lookup(s->confs, GUINT_TO_POINTER(e->conf));
        if (c && !c->dirty) {
            c->dirty = TRUE;
            s->stats.bwe_reallocations++;
            schedule(s);
        }
    }
}

static gboolean on_speaker_tick(gpointer data)
{
    BridgeSelection *s = data;
    gint64 now_ms = g_get_monotonic_time() / 1000;
    if (++s->ticks % BWE_POLL_TICKS == 0)
        poll_estimates(s);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->confs);
    while (g_hash_table_iter_next(&it, NULL, &v))
        speaker_conf(s, v, now_ms);
    return G_SOURCE_CONTINUE;
}

static void timer_set(GSource **slot, GSource *fresh, GSourceFunc cb, BridgeSelection *s)
{
    if (*slot) {
        g_source_destroy(*slot);
        g_clear_pointer(slot, g_source_unref);
    }
    if (fresh) {
        g_source_set_callback(fresh, cb, s, NULL);
        g_source_attach(fresh, s->ctx);
        *slot = fresh;
    }
}

/* The selection's timers run while it has conferences: an idle bridge does not wake. */
static void timers_update(BridgeSelection *s)
{
    gboolean want = g_hash_table_size(s->confs) > 0;
    if (want == (s->speaker_timer != NULL))
        return;
    timer_set(&s->speaker_timer, want ? g_timeout_source_new(SPEAKER_TICK_MS) : NULL,
              on_speaker_tick, s);
    timer_set(&s->periodic, want ? g_timeout_source_new_seconds(REALLOC_EVERY_S) : NULL,
              on_periodic, s);
}

/* ---- channel hooks ---- */

static char **hook_forwarded(const BridgeRegEndpoint *ep, gpointer data)
{
    BridgeSelection *s = data;
    SelEp *e = g_hash_table_lookup(s->eps, GUINT_TO_POINTER(ep->handle));
    return e ? g_strdupv(e->forwarded) : g_new0(char *, 1);
}

static void hook_prefs(BridgeRegEndpoint *ep, gpointer data)
{
    BridgeSelection *s = data;
    SelConf *c = g_hash_table_lookup(s->confs, GUINT_TO_POINTER(ep->conference->handle));
    if (c) {
        c->dirty = TRUE;
        schedule(s);
    }
}

static void hook_opened(BridgeRegEndpoint *ep, gpointer data)
{
    BridgeSelection *s = data;
    SelEp *e = g_hash_table_lookup(s->eps, GUINT_TO_POINTER(ep->handle));
    if (e)
        g_clear_pointer(&e->last_n, g_strfreev); /* the new connection gets it again */
    SelConf *c = g_hash_table_lookup(s->confs, GUINT_TO_POINTER(ep->conference->handle));
    if (c && c->has_dominant && c->dominant != ep->handle) {
        BridgeRegEndpoint *dom = bridge_reg_endpoint_get(s->reg, c->dominant);
        g_autofree char *text = dom ? bridge_channel_dominant_speaker(dom->id, NULL, FALSE) : NULL;
        if (text)
            bridge_channels_send(s->ch, ep, text);
    }
    hook_prefs(ep, data);
}

/* ---- API ---- */

BridgeSelection *bridge_selection_new(BridgeRegistry *reg, BridgeMedia *media,
                                      BridgeChannels *channels, GMainContext *context)
{
    BridgeSelection *s = g_new0(BridgeSelection, 1);
    s->reg = reg;
    s->media = media;
    s->ch = channels;
    s->ctx = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
    s->confs = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)conf_free);
    s->eps = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)ep_free);
    s->levels = g_array_new(FALSE, FALSE, sizeof(BridgeSpeakerLevel));
    BridgeChannelHooks hooks = {hook_forwarded, hook_prefs, hook_opened};
    bridge_channels_set_hooks(channels, &hooks, s);
    return s;
}

void bridge_selection_free(BridgeSelection *s)
{
    if (!s)
        return;
    BridgeChannelHooks none = {NULL, NULL, NULL};
    bridge_channels_set_hooks(s->ch, &none, NULL);
    if (s->idle) {
        g_source_destroy(s->idle);
        g_source_unref(s->idle);
    }
    timer_set(&s->speaker_timer, NULL, NULL, s);
    timer_set(&s->periodic, NULL, NULL, s);
    g_array_unref(s->levels);
    g_hash_table_unref(s->confs);
    g_hash_table_unref(s->eps);
    g_main_context_unref(s->ctx);
    g_free(s);
}

const guint64 bridge_selection_bwe_bucket_bps[BRIDGE_SELECTION_BWE_BUCKETS] = {
    250000, 500000, 1000000, 2000000, 4000000, 8000000, 16000000,
};

static gint cmp_ep_id(gconstpointer a, gconstpointer b)
{
    const BridgeRegEndpoint *x = *(BridgeRegEndpoint *const *)a,
                            *y = *(BridgeRegEndpoint *const *)b;
    int c = strcmp(x->conference->id, y->conference->id);
    return c ? c : strcmp(x->id, y->id);
}

char *bridge_selection_endpoints_json(BridgeSelection *s)
{
    g_autoptr(GPtrArray) eps = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->eps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        BridgeRegEndpoint *ep = bridge_reg_endpoint_get(s->reg, ((SelEp *)v)->handle);
        if (ep)
            g_ptr_array_add(eps, ep);
    }
    g_ptr_array_sort(eps, cmp_ep_id);
    json_t *arr = json_array();
    for (guint i = 0; i < eps->len; i++) {
        BridgeRegEndpoint *ep = g_ptr_array_index(eps, i);
        SelEp *e = g_hash_table_lookup(s->eps, GUINT_TO_POINTER(ep->handle));
        BridgeMediaBwe bw;
        gboolean has = bridge_media_endpoint_bwe(s->media, ep->handle, &bw);
        json_t *fw = json_array();
        for (char **p = e->forwarded; p && *p; p++)
            json_array_append_new(fw, json_string(*p));
        json_t *o =
            json_pack("{s:s, s:s, s:o, s:I, s:I, s:b, s:b, s:I, s:I}", "conference",
                      ep->conference->id, "endpoint", ep->id, "forwarded_sources", fw,
                      "allocated_bps", (json_int_t)e->bps, "ideal_bps", (json_int_t)e->ideal_bps,
                      "limited_by_estimate", e->limited, "oversending", e->oversending, "forwarded",
                      (json_int_t)e->n_forwarded, "paused", (json_int_t)e->n_paused);
        json_object_set_new(o, "allocation_estimate_bps",
                            json_integer((json_int_t)e->alloc_bwe_bps));
        json_object_set_new(o, "allocation_budget_bps", json_integer((json_int_t)e->budget_bps));
        /* Switches up the link could not carry, and how long the next is still held off. */
        gint64 now_ms = g_get_monotonic_time() / 1000;
        json_object_set_new(o, "upgrades_failed", json_integer(e->upgrade.failures));
        json_object_set_new(o, "upgrade_held_ms",
                            json_integer(e->upgrade.cap_bps && e->upgrade.until_ms > now_ms
                                             ? e->upgrade.until_ms - now_ms
                                             : 0));
        if (has) {
            json_object_set_new(
                o, "bwe",
                json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I}",
                          "estimate_bps", (json_int_t)bw.estimate_bps, "delay_bps",
                          (json_int_t)bw.delay_bps, "loss_bps", (json_int_t)bw.loss_bps,
                          "acked_bps", (json_int_t)bw.acked_bps, "rtt_us", (json_int_t)bw.rtt_us,
                          "loss_fraction", bw.loss_permille / 1000.0, "packets_acked",
                          (json_int_t)bw.packets_acked, "packets_lost", (json_int_t)bw.packets_lost,
                          "probes", (json_int_t)bw.probes, "probes_succeeded",
                          (json_int_t)bw.probes_succeeded, "overuses", (json_int_t)bw.overuses,
                          "padding_bytes", (json_int_t)bw.padding_bytes));
            json_object_set_new(json_object_get(o, "bwe"), "other_bps",
                                json_integer((json_int_t)bw.other_bps));
        } else {
            json_object_set_new(o, "bwe", json_null());
        }
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:o}", "endpoints", arr);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    char *out = g_strconcat(text ? text : "{}", "\n", NULL);
    free(text);
    return out;
}

void bridge_selection_get_stats(BridgeSelection *s, BridgeSelectionStats *out)
{
    BridgeSelectionStats st = s->stats;
    st.forwarded_sources = st.paused_sources = st.forwarded_bps = 0;
    st.bwe_receivers = st.bwe_limited = st.bwe_sum_bps = st.bwe_min_bps = 0;
    memset(st.bwe_buckets, 0, sizeof st.bwe_buckets);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->eps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        SelEp *e = v;
        st.forwarded_sources += e->n_forwarded;
        st.paused_sources += e->n_paused;
        st.forwarded_bps += e->bps;
        if (!e->bwe_bps)
            continue;
        st.bwe_receivers++;
        st.bwe_limited += e->limited;
        st.bwe_sum_bps += e->bwe_bps;
        if (!st.bwe_min_bps || e->bwe_bps < st.bwe_min_bps)
            st.bwe_min_bps = e->bwe_bps;
        for (guint b = 0; b < BRIDGE_SELECTION_BWE_BUCKETS; b++)
            if (e->bwe_bps <= bridge_selection_bwe_bucket_bps[b])
                st.bwe_buckets[b]++;
    }
    *out = st;
}
