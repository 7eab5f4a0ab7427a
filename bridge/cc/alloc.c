/* SPDX-License-Identifier: MIT */
/* Per-receiver bandwidth allocation (alloc.h). Stateless; any thread. */
#include "bridge/cc/alloc.h"

#include <string.h>

/* One source's allocation while the passes run. */
typedef struct {
    uint32_t src;
    uint8_t cand[BRIDGE_MAX_LAYERS]; /* indices into the source's layers, cheapest first */
    unsigned n_cand;
    int preferred; /* index into cand, -1 none */
    int oversend;  /* index into cand, -1 none */
    int target;    /* index into cand, -1 none */
    bool on_stage;
    BridgeAllocConstraints c;
} Work;

void bridge_alloc_receiver_init(BridgeAllocReceiver *rx)
{
    memset(rx, 0, sizeof *rx);
    rx->last_n = -1;
    rx->fallback = (BridgeAllocConstraints){BRIDGE_ALLOC_THUMBNAIL_HEIGHT, -1};
}

static bool contains(const uint32_t *list, unsigned n, uint32_t v)
{
    for (unsigned k = 0; k < n; k++)
        if (list[k] == v)
            return true;
    return false;
}

static bool sends_video(const BridgeAllocSource *s)
{
    for (unsigned k = 0; k < s->n_layers; k++)
        if (s->layers[k].bitrate_bps > 0)
            return true;
    return false;
}

static unsigned speech_rank(uint32_t owner, const uint32_t *speakers, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (speakers[k] == owner)
            return k;
    return n;
}

/* The priority order: on stage, selected, then by speech activity with silent-video
 * sources last. Returns how many indices went into @order. */
static unsigned prioritize(const BridgeAllocReceiver *rx, const BridgeAllocSource *sources,
                           unsigned n, const uint32_t *speakers, unsigned n_speakers,
                           uint32_t *order)
{
    unsigned m = 0;
    bool taken[BRIDGE_ALLOC_MAX_SOURCES] = {false};
    for (unsigned k = 0; k < rx->n_on_stage; k++)
        if (rx->on_stage[k] < n && !taken[rx->on_stage[k]]) {
            taken[rx->on_stage[k]] = true;
            order[m++] = rx->on_stage[k];
        }
    for (unsigned k = 0; k < rx->n_selected; k++)
        if (rx->selected[k] < n && !taken[rx->selected[k]]) {
            taken[rx->selected[k]] = true;
            order[m++] = rx->selected[k];
        }
    /* The rest: with video before without, each by speech rank, ties in source order
     * (an insertion sort: a conference's sources are few). */
    unsigned first_rest = m;
    for (uint32_t s = 0; s < n; s++) {
        if (taken[s])
            continue;
        bool video = sends_video(&sources[s]);
        unsigned rank = speech_rank(sources[s].owner, speakers, n_speakers);
        unsigned pos = m;
        while (pos > first_rest) {
            const BridgeAllocSource *o = &sources[order[pos - 1]];
            bool o_video = sends_video(o);
            unsigned o_rank = speech_rank(o->owner, speakers, n_speakers);
            if (o_video > video || (o_video == video && o_rank <= rank))
                break;
            order[pos] = order[pos - 1];
            pos--;
        }
        order[pos] = s;
        m++;
    }
    return m;
}

static BridgeAllocConstraints constraints_for(const BridgeAllocReceiver *rx, uint32_t src)
{
    for (unsigned k = 0; k < rx->n_constraints; k++)
        if (rx->constrained[k] == src)
            return rx->constraints[k];
    return rx->fallback;
}

static bool height_ok(int max_height, unsigned h)
{
    return max_height < 0 || (int)h <= max_height;
}

static bool fps_ok(float max_fps, float fps)
{
    return max_fps <= 0 || fps <= max_fps + 0.5f;
}

/* Camera: Jitsi's selection (see the header, point 3). */
static void select_camera(Work *w, const BridgeAllocSource *s)
{
    unsigned min_h = UINT32_MAX;
    float max_fps = 0;
    bool any_active = false;
    for (unsigned k = 0; k < s->n_layers; k++) {
        if (s->layers[k].height < min_h)
            min_h = s->layers[k].height;
        if (s->layers[k].fps > max_fps)
            max_fps = s->layers[k].fps;
        any_active |= s->layers[k].bitrate_bps > 0;
    }
    bool big = w->c.max_height < 0 || w->c.max_height > BRIDGE_ALLOC_THUMBNAIL_HEIGHT;
    int pref_h = big ? BRIDGE_ALLOC_ONSTAGE_PREFERRED_HEIGHT : -1;
    float pref_fps = big ? BRIDGE_ALLOC_ONSTAGE_PREFERRED_FPS : -1;
    if (pref_fps > 0 && max_fps > 0 && max_fps < pref_fps)
        pref_fps = max_fps;
    for (unsigned k = 0; k < s->n_layers; k++) {
        const BridgeLayerDesc *l = &s->layers[k];
        bool below_pref = (int)l->height < pref_h;
        bool fits = height_ok(w->c.max_height, l->height) && fps_ok(w->c.max_frame_rate, l->fps);
        /* Frame rates are measured: allow a little under the preferred 30; none measured
         * (nothing ended a frame in the last second) counts as unknown, hence enough. */
        bool enough_fps = pref_fps < 0 || l->fps <= 0 || l->fps >= pref_fps * 0.8f;
        if (!(below_pref || (fits && enough_fps) || l->height == min_h))
            continue;
        if (any_active && l->bitrate_bps == 0)
            continue;
        /* A frame rate limit holds even at the lowest height (but something is offered). */
        if (!fps_ok(w->c.max_frame_rate, l->fps) && w->n_cand > 0)
            continue;
        w->cand[w->n_cand++] = (uint8_t)k;
    }
    unsigned eff_pref_h = pref_h > (int)min_h ? (unsigned)pref_h : min_h;
    w->preferred = -1;
    for (unsigned i = 0; i < w->n_cand; i++)
        if (s->layers[w->cand[i]].height <= eff_pref_h)
            w->preferred = (int)i;
}

/* Screen share: resolution before frame rate; everything up to maxHeight is preferred. */
static void select_desktop(Work *w, const BridgeAllocSource *s)
{
    bool any_active = false;
    unsigned min_h = UINT32_MAX;
    for (unsigned k = 0; k < s->n_layers; k++) {
        any_active |= s->layers[k].bitrate_bps > 0;
        if (s->layers[k].height < min_h)
            min_h = s->layers[k].height;
    }
    for (unsigned k = 0; k < s->n_layers; k++) {
        const BridgeLayerDesc *l = &s->layers[k];
        if ((!any_active || l->bitrate_bps > 0) && height_ok(w->c.max_height, l->height))
            w->cand[w->n_cand++] = (uint8_t)k;
    }
    if (w->n_cand == 0) /* nothing fits: the lowest resolution */
        for (unsigned k = 0; k < s->n_layers; k++)
            if (s->layers[k].height == min_h && (!any_active || s->layers[k].bitrate_bps > 0))
                w->cand[w->n_cand++] = (uint8_t)k;
    w->preferred = (int)w->n_cand - 1;
    w->oversend = -1;
    if (!w->on_stage || w->n_cand == 0)
        return;
    /* On stage: of the top-resolution layers, the cheapest may overshoot the estimate. */
    unsigned top = 0;
    for (unsigned i = 0; i < w->n_cand; i++)
        if (s->layers[w->cand[i]].height > top)
            top = s->layers[w->cand[i]].height;
    for (unsigned i = 0; i < w->n_cand; i++) {
        const BridgeLayerDesc *l = &s->layers[w->cand[i]];
        if (l->height == top &&
            (w->oversend < 0 || l->bitrate_bps < s->layers[w->cand[w->oversend]].bitrate_bps))
            w->oversend = (int)i;
    }
}

static uint32_t cand_bps(const Work *w, const BridgeAllocSource *s, int i)
{
    return i < 0 ? 0 : s->layers[w->cand[i]].bitrate_bps;
}

/* One improvement step (Jitsi's improve()): returns the extra bits per second it takes. */
static int64_t improve(Work *w, const BridgeAllocSource *s, int64_t remaining, bool allow_oversend)
{
    int64_t initial = cand_bps(w, s, w->target);
    int64_t max_bps = remaining + initial;
    int n = (int)w->n_cand;
    if (n == 0)
        return 0;
    if (w->target == -1 && w->preferred > -1 && w->on_stage) {
        /* On stage: straight to the preferred layer if it fits. */
        for (int i = 0; i < n && i <= w->preferred && cand_bps(w, s, i) <= max_bps; i++)
            w->target = i;
    } else if (w->target + 1 < n && cand_bps(w, s, w->target + 1) < max_bps) {
        w->target++;
    }
    if (w->target > -1) /* a better layer that costs no more: take it */
        for (int i = n - 1; i > w->target; i--)
            if (cand_bps(w, s, i) <= cand_bps(w, s, w->target))
                w->target = i;
    if (allow_oversend && w->oversend >= 0 && w->target < w->oversend) {
        for (int i = w->oversend; i > w->target; i--)
            if ((int64_t)cand_bps(w, s, i) <= max_bps + BRIDGE_ALLOC_MAX_OVERSEND_BPS)
                w->target = i;
        if (w->target < 0 && n == 1)
            w->target = w->oversend; /* a single-layer screen share: send it anyway */
    }
    return (int64_t)cand_bps(w, s, w->target) - initial;
}

static BridgeLayerTarget layer_of(const Work *w, const BridgeAllocSource *s, int i)
{
    return i < 0 ? BRIDGE_LAYER_TARGET_NONE : s->layers[w->cand[i]].layer;
}

void bridge_alloc_run(const BridgeAllocReceiver *rx, const BridgeAllocSource *sources,
                      unsigned n_sources, const uint32_t *speakers, unsigned n_speakers,
                      uint64_t bwe_bps, BridgeAllocResult *out, BridgeAllocSummary *summary)
{
    for (unsigned s = 0; s < n_sources; s++) {
        memset(&out[s], 0, sizeof out[s]);
        out[s].target = out[s].ideal = BRIDGE_LAYER_TARGET_NONE;
        out[s].rank = s;
    }
    unsigned n = n_sources < BRIDGE_ALLOC_MAX_SOURCES ? n_sources : BRIDGE_ALLOC_MAX_SOURCES;
    uint32_t order[BRIDGE_ALLOC_MAX_SOURCES];
    unsigned m = prioritize(rx, sources, n, speakers, n_speakers, order);
    Work work[BRIDGE_ALLOC_MAX_SOURCES];
    for (unsigned i = 0; i < m; i++) {
        Work *w = &work[i];
        const BridgeAllocSource *s = &sources[order[i]];
        memset(w, 0, sizeof *w);
        w->src = order[i];
        w->target = w->preferred = w->oversend = -1;
        w->on_stage = contains(rx->on_stage, rx->n_on_stage, w->src);
        w->c = constraints_for(rx, w->src);
        if (rx->last_n >= 0 && i >= (unsigned)rx->last_n)
            w->c = (BridgeAllocConstraints){0, 0};
        if (w->c.max_height != 0 && s->n_layers > 0) {
            if (s->desktop)
                select_desktop(w, s);
            else
                select_camera(w, s);
        }
    }

    int64_t remaining = bwe_bps > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)bwe_bps, before;
    bool oversending = false;
    do {
        before = remaining;
        for (unsigned i = 0; i < m; i++) {
            Work *w = &work[i];
            if (w->c.max_height == 0)
                continue;
            remaining -= improve(w, &sources[w->src], remaining, i == 0);
            if (remaining < 0)
                oversending = true;
            /* Thumbnails wait until the on-stage source has its preferred layer. */
            if (w->on_stage && w->target < w->preferred)
                break;
        }
    } while (remaining != before);
    /* An on-stage camera is never suspended for want of bandwidth (Jitsi Videobridge's default,
     * enableOnstageVideoSuspend false): below its lowest layer's cost it keeps that layer, so
     * the picture the receiver looks at slows down instead of stopping. */
    for (unsigned i = 0; i < m; i++) {
        Work *w = &work[i];
        if (w->on_stage && w->c.max_height != 0 && w->target < 0 && w->n_cand > 0 &&
            cand_bps(w, &sources[w->src], 0) > 0) {
            w->target = 0;
            oversending = true;
        }
    }

    BridgeAllocSummary sum = {0};
    sum.oversending = oversending;
    for (unsigned i = 0; i < m; i++) {
        const Work *w = &work[i];
        const BridgeAllocSource *s = &sources[w->src];
        BridgeAllocResult *r = &out[w->src];
        r->rank = i;
        r->on_stage = w->on_stage;
        r->effective_max_height = w->c.max_height;
        r->target = layer_of(w, s, w->target);
        r->target_bps = cand_bps(w, s, w->target);
        r->ideal = layer_of(w, s, (int)w->n_cand - 1);
        r->ideal_bps = cand_bps(w, s, (int)w->n_cand - 1);
        r->forwarded = w->target >= 0;
        r->suspended = w->target < 0 && w->n_cand > 0 && cand_bps(w, s, 0) > 0;
        sum.target_bps += r->target_bps;
        sum.ideal_bps += r->ideal_bps;
        sum.forwarded += r->forwarded;
        sum.suspended += r->suspended;
    }
    for (unsigned s = n; s < n_sources; s++)
        out[s].effective_max_height = 0;
    if (summary)
        *summary = sum;
}

uint64_t bridge_alloc_upgrade_cap(const BridgeAllocUpgradeGuard *g, uint64_t estimate_bps,
                                  int64_t now_ms)
{
    if (g->cap_bps == 0 || now_ms >= g->until_ms ||
        (double)estimate_bps >= BRIDGE_ALLOC_UPGRADE_ESCAPE * (double)g->cap_est_bps)
        return UINT64_MAX;
    return g->cap_bps;
}

void bridge_alloc_upgrade_note(BridgeAllocUpgradeGuard *g, uint64_t prev_bps, uint64_t target_bps,
                               uint64_t estimate_bps, bool limited, int64_t now_ms)
{
    if (g->trial_from_bps) {
        uint64_t back = (uint64_t)(BRIDGE_ALLOC_UPGRADE_STEP * (double)g->trial_from_bps);
        if (now_ms - g->trial_at_ms >= BRIDGE_ALLOC_UPGRADE_TRIAL_MS) {
            g->backoff_ms = 0; /* it lasted: the next failure holds off the shortest time */
            g->cap_bps = 0;
            g->trial_from_bps = 0;
        } else if (target_bps <= back && limited) {
            g->backoff_ms = g->backoff_ms == 0 ? BRIDGE_ALLOC_UPGRADE_BACKOFF_MIN_MS
                            : g->backoff_ms >= BRIDGE_ALLOC_UPGRADE_BACKOFF_MAX_MS / 2
                                ? BRIDGE_ALLOC_UPGRADE_BACKOFF_MAX_MS
                                : g->backoff_ms * 2;
            g->cap_bps = back;
            g->cap_est_bps = g->trial_est_bps;
            g->until_ms = now_ms + g->backoff_ms;
            g->failures++;
            g->trial_from_bps = 0;
            return;
        }
    }
    if (estimate_bps && prev_bps &&
        (double)target_bps > BRIDGE_ALLOC_UPGRADE_STEP * (double)prev_bps) {
        g->trial_from_bps = prev_bps;
        g->trial_est_bps = estimate_bps;
        g->trial_at_ms = now_ms;
    }
}
