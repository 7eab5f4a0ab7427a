/* SPDX-License-Identifier: MIT */
/* The allocator against Jitsi Videobridge's published behaviour, with three-layer simulcast
 * cameras (180p/360p/720p, each at 7.5/15/30 fps) and screen shares: speaker view (the
 * on-stage source climbs to 360p/30 first, thumbnails wait for it, then go up step by step),
 * tile view (everyone up step by step), last-N by speech order with on-stage and selected
 * sources first, sources without video last, constraints (0 off, -1 unlimited, per source),
 * screen share oversending, an on-stage camera never suspended, inactive layers, and the
 * estimate never exceeded otherwise (a property over many random cases). */
#include <glib.h>
#include <string.h>

#include "bridge/cc/alloc.h"

/* Cumulative bitrates (what a receiver of the layer is sent), as a camera sends them. */
static void camera(BridgeLayerDesc *l, double scale)
{
    static const uint32_t bps[3][3] = {
        {50000, 100000, 150000}, {150000, 300000, 500000}, {500000, 1000000, 1500000}};
    static const float fps[3] = {7.5f, 15, 30};
    for (int e = 0; e < 3; e++)
        for (int t = 0; t < 3; t++) {
            BridgeLayerDesc *d = &l[e * 3 + t];
            d->layer = (BridgeLayerTarget){(int8_t)e, 0, (uint8_t)t};
            d->height = (uint16_t)(180 << e);
            d->height_known = true;
            d->fps = fps[t];
            d->bitrate_bps = (uint32_t)(bps[e][t] * scale);
        }
}

typedef struct {
    BridgeLayerDesc layers[8][9];
    BridgeAllocSource src[8];
    BridgeAllocResult out[8];
    BridgeAllocSummary sum;
    BridgeAllocReceiver rx;
    uint32_t speakers[8];
    unsigned n_speakers;
    unsigned n;
} Case;

static void case_init(Case *c, unsigned n)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    for (unsigned k = 0; k < n; k++) {
        camera(c->layers[k], 1.0);
        c->src[k] = (BridgeAllocSource){.owner = 100 + k, .layers = c->layers[k], .n_layers = 9};
        c->speakers[k] = 100 + k;
    }
    c->n_speakers = n;
    bridge_alloc_receiver_init(&c->rx);
}

static void run(Case *c, uint64_t bwe)
{
    bridge_alloc_run(&c->rx, c->src, c->n, c->speakers, c->n_speakers, bwe, c->out, &c->sum);
}

static void assert_layer(const BridgeAllocResult *r, int enc, int tid)
{
    if (r->target.enc != enc || (enc >= 0 && r->target.tid != tid))
        g_error("target %d/%d, want %d/%d", r->target.enc, r->target.tid, enc, tid);
}

static void test_speaker_view(void)
{
    Case c;
    case_init(&c, 3);
    /* Source 0 on stage at up to 720p, the others thumbnails (default 180p). */
    uint32_t stage[] = {0};
    BridgeAllocConstraints hd = {720, -1};
    c.rx.on_stage = stage;
    c.rx.n_on_stage = 1;
    c.rx.constrained = stage;
    c.rx.constraints = &hd;
    c.rx.n_constraints = 1;

    run(&c, 10000000);
    assert_layer(&c.out[0], 2, 2); /* 720p30 */
    assert_layer(&c.out[1], 0, 2); /* 180p30 */
    assert_layer(&c.out[2], 0, 2);
    g_assert_true(c.out[0].on_stage && c.out[0].forwarded);
    g_assert_cmpuint(c.sum.forwarded, ==, 3);
    g_assert_cmpuint(c.sum.target_bps, ==, 1500000 + 2 * 150000);
    g_assert_false(c.sum.oversending);

    /* 1 Mbit/s: on stage straight to 360p30 (not 720p at 7.5 fps), thumbnails step up in the
     * rest. */
    run(&c, 1000000);
    assert_layer(&c.out[0], 1, 2);
    assert_layer(&c.out[1], 0, 2);
    assert_layer(&c.out[2], 0, 2);
    g_assert_cmpuint(c.sum.target_bps, <=, 1000000);
    /* The ideal is still 720p30: what probing should aim for. */
    g_assert_cmpint(c.out[0].ideal.enc, ==, 2);
    g_assert_cmpuint(c.sum.ideal_bps, ==, 1500000 + 2 * 150000);

    /* 300 kbit/s: the on-stage source cannot reach 360p30, so thumbnails get nothing (they
     * wait instead of starting and stopping). */
    run(&c, 300000);
    assert_layer(&c.out[0], 0, 2);
    g_assert_false(c.out[1].forwarded || c.out[2].forwarded);
    g_assert_true(c.out[1].suspended && c.out[2].suspended);
    g_assert_cmpuint(c.sum.suspended, ==, 2);
    g_assert_cmpuint(c.sum.target_bps, <=, 300000);

    /* 30 kbit/s, less than its lowest layer: the on-stage camera is not suspended (Jitsi's
     * default), it keeps 180p at 7.5 fps over the estimate; thumbnails get nothing. */
    run(&c, 30000);
    assert_layer(&c.out[0], 0, 0);
    g_assert_true(c.out[0].forwarded && !c.out[0].suspended);
    g_assert_false(c.out[1].forwarded || c.out[2].forwarded);
    g_assert_true(c.sum.oversending);
    g_assert_cmpuint(c.sum.target_bps, ==, 50000);
    /* Without a stage, everyone is suspended below the cheapest layer. */
    c.rx.n_on_stage = 0;
    run(&c, 30000);
    g_assert_cmpuint(c.sum.forwarded, ==, 0);
    g_assert_false(c.sum.oversending);
}

static void test_tile_view(void)
{
    Case c;
    case_init(&c, 4);
    c.rx.fallback = (BridgeAllocConstraints){360, -1};
    run(&c, 1200000);
    /* No on-stage source: everyone goes up a step per pass, so nobody is more than a step
     * ahead of a source behind it in the order, and the estimate is respected. */
    g_assert_cmpuint(c.sum.target_bps, <=, 1200000);
    g_assert_cmpuint(c.sum.forwarded, ==, 4);
    for (unsigned k = 1; k < 4; k++)
        g_assert_cmpuint(c.out[k].target_bps, <=, c.out[k - 1].target_bps);
    /* 360p is allowed only at 30 fps, so the steps are 180p 7.5/15/30 then 360p30. */
    for (unsigned k = 0; k < 4; k++)
        g_assert_true(c.out[k].target.enc == 0 ||
                      (c.out[k].target.enc == 1 && c.out[k].target.tid == 2));
    run(&c, 100000000);
    for (unsigned k = 0; k < 4; k++)
        assert_layer(&c.out[k], 1, 2);
}

static void test_last_n(void)
{
    Case c;
    case_init(&c, 4);
    /* Speech order: 103, 101, 100, 102. Last-N 2: the two most recent speakers. */
    uint32_t order[] = {103, 101, 100, 102};
    memcpy(c.speakers, order, sizeof order);
    c.rx.last_n = 2;
    run(&c, 10000000);
    g_assert_true(c.out[3].forwarded && c.out[1].forwarded);
    g_assert_false(c.out[0].forwarded || c.out[2].forwarded);
    g_assert_cmpint(c.out[0].effective_max_height, ==, 0);
    g_assert_cmpint(c.out[3].effective_max_height, ==, 180);
    g_assert_cmpuint(c.out[3].rank, ==, 0);
    /* Not suspended: out of last-N is not a lack of bandwidth. */
    g_assert_false(c.out[0].suspended);

    /* The dominant speaker changes: the videos follow. */
    uint32_t order2[] = {102, 103, 101, 100};
    memcpy(c.speakers, order2, sizeof order2);
    run(&c, 10000000);
    g_assert_true(c.out[2].forwarded && c.out[3].forwarded);
    g_assert_false(c.out[0].forwarded || c.out[1].forwarded);

    /* A selected source takes a place first, and on stage before it. */
    uint32_t sel[] = {0}, stage[] = {1};
    c.rx.selected = sel;
    c.rx.n_selected = 1;
    run(&c, 10000000);
    g_assert_true(c.out[0].forwarded && c.out[2].forwarded);
    c.rx.on_stage = stage;
    c.rx.n_on_stage = 1;
    run(&c, 10000000);
    g_assert_true(c.out[1].forwarded && c.out[0].forwarded);
    g_assert_false(c.out[2].forwarded || c.out[3].forwarded);
    g_assert_cmpuint(c.out[1].rank, ==, 0);
    g_assert_cmpuint(c.out[0].rank, ==, 1);

    /* Last-N 0: nothing; -1: everyone. */
    c.rx.last_n = 0;
    run(&c, 10000000);
    g_assert_cmpuint(c.sum.forwarded, ==, 0);
    c.rx.last_n = -1;
    run(&c, 10000000);
    g_assert_cmpuint(c.sum.forwarded, ==, 4);
}

static void test_no_video_goes_last(void)
{
    Case c;
    case_init(&c, 3);
    /* The dominant speaker's camera is off (signalled, nothing flowing): it does not take
     * the only last-N place. */
    for (int k = 0; k < 9; k++)
        c.layers[0][k].bitrate_bps = 0;
    c.rx.last_n = 1;
    run(&c, 10000000);
    g_assert_false(c.out[0].forwarded);
    g_assert_true(c.out[1].forwarded);
    g_assert_cmpuint(c.out[0].rank, ==, 2);
    /* No layers at all (audio-only participant's video source not yet sending). */
    c.src[1].n_layers = 0;
    run(&c, 10000000);
    g_assert_true(c.out[2].forwarded);
}

static void test_constraints(void)
{
    Case c;
    case_init(&c, 2);
    uint32_t ids[] = {0, 1};
    BridgeAllocConstraints cs[] = {{0, -1}, {-1, -1}};
    c.rx.constrained = ids;
    c.rx.constraints = cs;
    c.rx.n_constraints = 2;
    run(&c, 100000000);
    g_assert_false(c.out[0].forwarded); /* 0: off */
    g_assert_cmpint(c.out[0].effective_max_height, ==, 0);
    assert_layer(&c.out[1], 2, 2); /* -1: unlimited */
    /* 180p asked for: never more, even with bandwidth to spare. */
    cs[1] = (BridgeAllocConstraints){180, -1};
    run(&c, 100000000);
    assert_layer(&c.out[1], 0, 2);
    /* A frame rate limit of 15. */
    cs[1] = (BridgeAllocConstraints){180, 15};
    run(&c, 100000000);
    assert_layer(&c.out[1], 0, 1);
    /* Below the lowest layer: the lowest height is still offered. */
    cs[1] = (BridgeAllocConstraints){90, -1};
    run(&c, 100000000);
    assert_layer(&c.out[1], 0, 2);
}

static void test_inactive_layers(void)
{
    Case c;
    case_init(&c, 1);
    uint32_t stage[] = {0};
    BridgeAllocConstraints hd = {720, -1};
    c.rx.on_stage = stage;
    c.rx.n_on_stage = 1;
    c.rx.constrained = stage;
    c.rx.constraints = &hd;
    c.rx.n_constraints = 1;
    /* The sender stopped its 720p encoding (nobody needed it, or its uplink is short). */
    for (int t = 0; t < 3; t++)
        c.layers[0][6 + t].bitrate_bps = 0;
    run(&c, 100000000);
    assert_layer(&c.out[0], 1, 2);
    g_assert_cmpint(c.out[0].ideal.enc, ==, 1);
    /* Nothing flows yet at all (just signalled): the layers are offered anyway, so that
     * forwarding starts with the first packets. */
    for (int k = 0; k < 9; k++)
        c.layers[0][k].bitrate_bps = 0;
    run(&c, 100000000);
    g_assert_true(c.out[0].forwarded);
}

static void test_screen_share(void)
{
    Case c;
    case_init(&c, 2);
    /* Source 1: a single-layer 1080p screen share at 2 Mbit/s, on stage. */
    BridgeLayerDesc share = {{0, 0, 0}, 1080, true, 5, 2000000};
    c.src[1] = (BridgeAllocSource){.owner = 101, .desktop = true, .layers = &share, .n_layers = 1};
    uint32_t stage[] = {1};
    BridgeAllocConstraints full = {-1, -1};
    c.rx.on_stage = stage;
    c.rx.n_on_stage = 1;
    c.rx.constrained = stage;
    c.rx.constraints = &full;
    c.rx.n_constraints = 1;
    run(&c, 1000000);
    /* Sent even above the estimate: a screen share at a lower resolution is unreadable. */
    g_assert_true(c.out[1].forwarded);
    g_assert_true(c.sum.oversending);
    g_assert_false(c.out[0].forwarded);
    /* Not on stage, it waits for bandwidth like anything else. */
    c.rx.n_on_stage = 0;
    run(&c, 1000000);
    g_assert_false(c.out[1].forwarded);
    g_assert_false(c.sum.oversending);

    /* A simulcast screen share (2 layers) on stage may overshoot by up to 500 kbit/s. */
    BridgeLayerDesc two[2] = {{{0, 0, 0}, 720, true, 5, 400000},
                              {{1, 0, 0}, 1080, true, 5, 1300000}};
    c.src[1].layers = two;
    c.src[1].n_layers = 2;
    c.rx.n_on_stage = 1;
    run(&c, 1000000);
    g_assert_cmpint(c.out[1].target.enc, ==, 1);
    g_assert_true(c.sum.oversending);
    run(&c, 600000);
    g_assert_cmpint(c.out[1].target.enc, ==, 0);
}

/* Property: whatever the sources, constraints and estimate, the targets never cost more than
 * the estimate unless the summary says oversending (on-stage screen share), every target
 * respects its source's maxHeight (or is its lowest layer), and a forwarded source is within
 * last-N. */
static void test_never_exceeds(void)
{
    GRand *r = g_rand_new_with_seed(7);
    for (int iter = 0; iter < 2000; iter++) {
        Case c;
        unsigned n = (unsigned)g_rand_int_range(r, 1, 9);
        case_init(&c, n);
        for (unsigned k = 0; k < n; k++) {
            camera(c.layers[k], g_rand_double_range(r, 0.3, 3.0));
            c.src[k].desktop = g_rand_int_range(r, 0, 6) == 0;
        }
        c.rx.last_n = g_rand_int_range(r, -1, (int)n + 1);
        uint32_t stage[1] = {(uint32_t)g_rand_int_range(r, 0, (int)n)};
        if (g_rand_boolean(r)) {
            c.rx.on_stage = stage;
            c.rx.n_on_stage = 1;
        }
        static const int heights[] = {-1, 0, 180, 360, 720};
        c.rx.fallback.max_height = heights[g_rand_int_range(r, 0, 5)];
        uint64_t bwe = (uint64_t)g_rand_int_range(r, 0, 6000000);
        run(&c, bwe);
        if (!c.sum.oversending)
            g_assert_cmpuint(c.sum.target_bps, <=, bwe);
        unsigned forwarded = 0;
        for (unsigned k = 0; k < n; k++) {
            const BridgeAllocResult *o = &c.out[k];
            if (!o->forwarded)
                continue;
            forwarded++;
            if (c.rx.last_n >= 0)
                g_assert_cmpuint(o->rank, <, (unsigned)c.rx.last_n);
            unsigned h = (unsigned)(180 << o->target.enc);
            g_assert_true(o->effective_max_height != 0);
            g_assert_true(o->effective_max_height < 0 || h <= (unsigned)o->effective_max_height ||
                          o->target.enc == 0);
            g_assert_cmpuint(o->target_bps, <=, o->ideal_bps);
        }
        g_assert_cmpuint(forwarded, ==, c.sum.forwarded);
    }
    g_rand_free(r);
}

static void test_bwe_changed(void)
{
    g_assert_true(bridge_alloc_bwe_changed(0, 1000));
    g_assert_false(bridge_alloc_bwe_changed(1000000, 1100000));
    g_assert_true(bridge_alloc_bwe_changed(1000000, 1200000));
    g_assert_true(bridge_alloc_bwe_changed(1000000, 800000));
    g_assert_cmpint(bridge_alloc_merge_height(0, 180), ==, 180);
    g_assert_cmpint(bridge_alloc_merge_height(720, 180), ==, 720);
    g_assert_cmpint(bridge_alloc_merge_height(720, -1), ==, -1);
}

/* The saw-tooth of a link at its limit: a switch up the estimate takes back within its trial
 * is held off, longer each time in a row; an estimate well above the failed one's, or a
 * switch up that lasts, ends that. Costs that wander with layer bitrates are no switch. */
static void test_upgrade_guard(void)
{
    BridgeAllocUpgradeGuard g = {0};
    const uint64_t lo = 150000, hi = 360000, est = 600000, cap = 187500; /* 1.25 x lo */
    int64_t t = 1000;
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t), ==, UINT64_MAX);
    /* Up at t, down 1 s later with the estimate (to a little more than before): failed,
     * held off 4 s at 1.25 times the cost before the switch. */
    bridge_alloc_upgrade_note(&g, lo, hi, est, true, t);
    bridge_alloc_upgrade_note(&g, hi, lo + 20000, 400000, true, t + 1000);
    g_assert_cmpuint(g.failures, ==, 1);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t + 1000), ==, cap);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t + 4999), ==, cap);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t + 5000), ==, UINT64_MAX);
    /* An estimate half again above the one it failed with is let through at once. */
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, 899999, t + 2000), ==, cap);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, 900000, t + 2000), ==, UINT64_MAX);
    /* Costs wandering under the cap meanwhile are no switch up, nor a failure. */
    bridge_alloc_upgrade_note(&g, lo, lo + 30000, est, true, t + 1500);
    bridge_alloc_upgrade_note(&g, lo + 30000, lo, est, true, t + 2000);
    g_assert_cmpuint(g.failures, ==, 1);
    /* Failing again right after the hold-off doubles it: 8 s, 16 s, 32 s, then 32 s. */
    t += 5000;
    const uint32_t want[] = {8000, 16000, 32000, 32000};
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        bridge_alloc_upgrade_note(&g, lo, hi, est, true, t);
        bridge_alloc_upgrade_note(&g, hi, lo, 400000, true, t + 500);
        g_assert_cmpuint(g.backoff_ms, ==, want[i]);
        g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t + 500 + want[i] - 1), ==, cap);
        t += 500 + want[i];
        g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t), ==, UINT64_MAX);
    }
    g_assert_cmpuint(g.failures, ==, 5);
    /* A switch up that lasts its trial clears the hold-off: the next failure holds 4 s. */
    bridge_alloc_upgrade_note(&g, lo, hi, est, true, t);
    bridge_alloc_upgrade_note(&g, hi, hi, est, true, t + BRIDGE_ALLOC_UPGRADE_TRIAL_MS);
    g_assert_cmpuint(g.backoff_ms, ==, 0);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&g, est, t + 5000), ==, UINT64_MAX);
    t += 10000;
    bridge_alloc_upgrade_note(&g, lo, hi, est, true, t);
    bridge_alloc_upgrade_note(&g, hi, lo, 400000, true, t + 100);
    g_assert_cmpuint(g.backoff_ms, ==, BRIDGE_ALLOC_UPGRADE_BACKOFF_MIN_MS);
    /* Going down for another reason than the estimate (a constraint) is no failure, and
     * neither is a switch down after the trial. */
    BridgeAllocUpgradeGuard h = {0};
    bridge_alloc_upgrade_note(&h, lo, hi, est, false, 0);
    bridge_alloc_upgrade_note(&h, hi, lo, est, false, 100);
    bridge_alloc_upgrade_note(&h, lo, hi, est, true, 200);
    bridge_alloc_upgrade_note(&h, hi, lo, 400000, true, 200 + BRIDGE_ALLOC_UPGRADE_TRIAL_MS);
    g_assert_cmpuint(h.failures, ==, 0);
    g_assert_cmpuint(bridge_alloc_upgrade_cap(&h, est, 300 + BRIDGE_ALLOC_UPGRADE_TRIAL_MS), ==,
                     UINT64_MAX);
    /* Without an estimate (unlimited) nothing is on trial. */
    BridgeAllocUpgradeGuard u = {0};
    bridge_alloc_upgrade_note(&u, lo, hi, 0, false, 0);
    bridge_alloc_upgrade_note(&u, hi, lo, 400000, true, 100);
    g_assert_cmpuint(u.failures, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cc/alloc/speaker-view", test_speaker_view);
    g_test_add_func("/cc/alloc/tile-view", test_tile_view);
    g_test_add_func("/cc/alloc/last-n", test_last_n);
    g_test_add_func("/cc/alloc/no-video-goes-last", test_no_video_goes_last);
    g_test_add_func("/cc/alloc/constraints", test_constraints);
    g_test_add_func("/cc/alloc/inactive-layers", test_inactive_layers);
    g_test_add_func("/cc/alloc/screen-share", test_screen_share);
    g_test_add_func("/cc/alloc/never-exceeds", test_never_exceeds);
    g_test_add_func("/cc/alloc/bwe-changed", test_bwe_changed);
    g_test_add_func("/cc/alloc/upgrade-guard", test_upgrade_guard);
    return g_test_run();
}
