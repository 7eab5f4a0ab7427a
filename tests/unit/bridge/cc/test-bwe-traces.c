/* SPDX-License-Identifier: MIT */
/* The bandwidth estimator against feedback recorded from real Chromium (traces/README.md):
 * each trace is the estimator's input toward one receiver as the bridge fed it
 * (bridge/media/bwe-record.h: packets sent, transport-cc feedback, round-trip times, probe
 * decisions), replayed call for call into a fresh estimator. What a user would notice:
 *  - a receiver whose downlink is held to 500 kbit/s: the estimate falls to the limit soon
 *    after it is set (else the queue in front of her grows and her video freezes) and stays
 *    near it while it lasts (median within 0.5x..1.4x: not starving her either); once it is
 *    lifted, the estimate grows again (open loop: what was sent then came from the live
 *    estimator, so the reading is asserted, not how fast it ramps);
 *  - a receiver without a limit, on a loaded machine (a starved host holds packets, then
 *    delivers them at once), never has its estimate cut below what it was being sent: no
 *    false over-use.
 * The replay itself is exact: a trace recorded through the recorder from a live estimator
 * replays to the same estimates and probe decisions (record-replay below). The stored traces
 * also carry what the bridge published when they were recorded; how many of those the
 * estimator computes differently now is printed (it changes when bwe.c does).
 *
 * Run with --print TRACE[.gz] to replay any trace and print its timeline (for new traces). */
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/cc/bwe.h"
#include "bridge/media/bwe-record.h"

#define LIMIT_BPS 500000.0
#define FALL_WITHIN_US (3 * G_USEC_PER_SEC) /* from the limit to the estimate at <= 1.4x */
#define MAX_MARKS 8
#define RATE_WINDOW 4096 /* sent packets kept for the sending rate */

typedef struct {
    int64_t t;
    uint64_t estimate; /* as replayed */
    uint64_t sent_bps; /* sent over the last second */
    uint64_t acked_bps;
} Sample;

typedef struct {
    char *path;
    BridgeBwe *bwe;
    int64_t t, t0;
    /* checks of exactness */
    unsigned estimates, estimate_mismatch, probes, probe_mismatch, lines;
    /* figures */
    GArray *samples; /* Sample, one per published estimate */
    char *mark_name[MAX_MARKS];
    int64_t mark_t[MAX_MARKS];
    unsigned n_marks;
    /* sending rate over the last second */
    int64_t rate_t[RATE_WINDOW];
    uint32_t rate_b[RATE_WINDOW];
    unsigned rate_head, rate_tail;
    uint64_t rate_sum;
    PaTccStatus st[8192];
} Replay;

static void rate_push(Replay *r, int64_t t, uint32_t size)
{
    unsigned next = (r->rate_head + 1) % RATE_WINDOW;
    if (next == r->rate_tail) {
        r->rate_sum -= r->rate_b[r->rate_tail];
        r->rate_tail = (r->rate_tail + 1) % RATE_WINDOW;
    }
    r->rate_t[r->rate_head] = t;
    r->rate_b[r->rate_head] = size;
    r->rate_head = next;
    r->rate_sum += size;
}

static uint64_t rate_bps(Replay *r, int64_t now)
{
    while (r->rate_tail != r->rate_head && now - r->rate_t[r->rate_tail] > G_USEC_PER_SEC) {
        r->rate_sum -= r->rate_b[r->rate_tail];
        r->rate_tail = (r->rate_tail + 1) % RATE_WINDOW;
    }
    return r->rate_sum * 8;
}

static void replay_line(Replay *r, char *line)
{
    if (line[0] == '#') {
        const char *t0 = strstr(line, " t0=");
        if (t0)
            r->t = r->t0 = g_ascii_strtoll(t0 + 4, NULL, 10);
        return;
    }
    if (!line[0])
        return;
    r->lines++;
    char kind = line[0];
    char *p = line + 1;
    r->t += g_ascii_strtoll(p, &p, 10);
    switch (kind) {
    case 's': {
        uint16_t seq = (uint16_t)g_ascii_strtoull(p, &p, 10);
        uint32_t size = (uint32_t)g_ascii_strtoull(p, &p, 10);
        bridge_bwe_on_sent(r->bwe, seq, size, r->t);
        rate_push(r, r->t, size);
        break;
    }
    case 'f': {
        uint16_t seq = (uint16_t)g_ascii_strtoull(p, &p, 10);
        size_t n = 0;
        int64_t prev = 0;
        char *tok;
        while ((tok = strtok_r(p, " ", &p)) && n < G_N_ELEMENTS(r->st)) {
            if (tok[0] == '@') {
                seq = (uint16_t)g_ascii_strtoull(tok + 1, NULL, 10);
                continue;
            }
            PaTccStatus *s = &r->st[n++];
            s->seq = seq++;
            if (tok[0] == 'x') {
                *s = (PaTccStatus){.seq = s->seq, .status = PA_TCC_NOT_RECV};
                continue;
            }
            int64_t a =
                tok[0] == '=' ? g_ascii_strtoll(tok + 1, NULL, 10) : prev + 250 * atoll(tok);
            s->delta = (int32_t)((a - prev) / 250);
            s->status = s->delta >= 0 && s->delta <= 255 ? PA_TCC_SMALL : PA_TCC_LARGE;
            s->arrival_us = a;
            prev = a;
        }
        bridge_bwe_on_feedback(r->bwe, r->st, n, r->t);
        break;
    }
    case 'r':
        bridge_bwe_set_rtt(r->bwe, g_ascii_strtoll(p, &p, 10));
        break;
    case 'p': {
        uint64_t wanted = g_ascii_strtoull(p, &p, 10);
        bool due = g_ascii_strtoll(p, &p, 10) != 0;
        BridgeBweProbe pr;
        r->probes++;
        if (bridge_bwe_probe_due(r->bwe, wanted, r->t, &pr) != due)
            r->probe_mismatch++;
        break;
    }
    case 'e': {
        uint64_t published = g_ascii_strtoull(p, &p, 10);
        BridgeBweStats st;
        bridge_bwe_get_stats(r->bwe, &st);
        r->estimates++;
        if (st.estimate_bps != published)
            r->estimate_mismatch++;
        Sample s = {r->t, st.estimate_bps, rate_bps(r, r->t), st.acked_bps};
        g_array_append_val(r->samples, s);
        break;
    }
    case 'm': /* a moment named by whoever stored the trace (traces/README.md) */
        if (r->n_marks < MAX_MARKS) {
            r->mark_name[r->n_marks] = g_strdup(g_strstrip(p));
            r->mark_t[r->n_marks++] = r->t;
        }
        break;
    default:
        break;
    }
}

/* Replays @path (gzip when it ends in .gz) into a fresh estimator. */
static Replay *replay(const char *path, GError **error)
{
    GFile *file = g_file_new_for_path(path);
    GInputStream *in = G_INPUT_STREAM(g_file_read(file, NULL, error));
    g_object_unref(file);
    if (!in)
        return NULL;
    if (g_str_has_suffix(path, ".gz")) {
        GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
        GInputStream *c = g_converter_input_stream_new(in, G_CONVERTER(z));
        g_object_unref(z);
        g_object_unref(in);
        in = c;
    }
    GDataInputStream *data = g_data_input_stream_new(in);
    g_object_unref(in);
    Replay *r = g_new0(Replay, 1);
    r->path = g_strdup(path);
    r->bwe = bridge_bwe_new(NULL);
    r->samples = g_array_new(FALSE, FALSE, sizeof(Sample));
    char *line;
    while ((line = g_data_input_stream_read_line(data, NULL, NULL, error))) {
        replay_line(r, line);
        g_free(line);
    }
    g_object_unref(data);
    if (error && *error) {
        g_free(r->path);
        bridge_bwe_free(r->bwe);
        g_array_unref(r->samples);
        g_free(r);
        return NULL;
    }
    return r;
}

static void replay_free(Replay *r)
{
    for (unsigned i = 0; i < r->n_marks; i++)
        g_free(r->mark_name[i]);
    bridge_bwe_free(r->bwe);
    g_array_unref(r->samples);
    g_free(r->path);
    g_free(r);
}

static int64_t mark(const Replay *r, const char *name)
{
    for (unsigned i = 0; i < r->n_marks; i++)
        if (!strcmp(r->mark_name[i], name))
            return r->mark_t[i];
    g_error("%s: no mark '%s' (traces/README.md)", r->path, name);
    return 0;
}

static const Sample *at(const Replay *r, int64_t t)
{
    const Sample *best = NULL;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t > t)
            break;
        best = s;
    }
    g_assert_nonnull(best);
    return best;
}

static double secs(const Replay *r, int64_t t)
{
    return (double)(t - r->t0) / 1e6;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static char *trace_path(const char *name)
{
    return g_build_filename(TEST_SRCDIR, "bridge", "cc", "traces", name, NULL);
}

static Replay *load(const char *name)
{
    char *path = trace_path(name);
    GError *error = NULL;
    Replay *r = replay(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(r);
    g_free(path);
    BridgeBweStats st;
    bridge_bwe_get_stats(r->bwe, &st);
    g_test_message(
        "%s: %u calls over %.1f s; %u estimates published, %u replayed differently; "
        "%u probe decisions, %u differently (the estimator changed since the recording when "
        "not 0); %" PRIu64 " packets acked, %" PRIu64 " lost, %" PRIu64
        " over-uses, probes %" PRIu64 "/%" PRIu64,
        name, r->lines, secs(r, r->t), r->estimates, r->estimate_mismatch, r->probes,
        r->probe_mismatch, st.packets_acked, st.packets_lost, st.overuses, st.probes_succeeded,
        st.probes);
    g_assert_cmpuint(r->estimates, >, 100);
    return r;
}

static void test_limited(gconstpointer name)
{
    Replay *r = load(name);
    int64_t limit = mark(r, "limit"), lift = mark(r, "lift");
    const Sample *before = at(r, limit);
    g_test_message("before the limit (%.1f s): estimate %" PRIu64 " kbit/s, sent %" PRIu64
                   " kbit/s",
                   secs(r, limit), before->estimate / 1000, before->sent_bps / 1000);
    /* Falls to the limit. */
    int64_t fell = -1;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t >= limit && (double)s->estimate <= 1.4 * LIMIT_BPS) {
            fell = s->t;
            break;
        }
    }
    g_test_message("limit of %.0f kbit/s at %.1f s: estimate at or below 1.4x after %.2f s",
                   LIMIT_BPS / 1000, secs(r, limit),
                   fell < 0 ? -1.0 : (double)(fell - limit) / 1e6);
    g_assert_cmpint(fell, >=, limit);
    g_assert_cmpint(fell - limit, <=, FALL_WITHIN_US);
    /* Near it while it lasts. */
    GArray *held = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t lo = UINT64_MAX, hi = 0;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t < limit || s->t >= lift)
            continue;
        g_array_append_val(held, s->estimate);
        lo = MIN(lo, s->estimate);
        hi = MAX(hi, s->estimate);
    }
    g_assert_cmpuint(held->len, >, 100);
    qsort(held->data, held->len, sizeof(uint64_t), cmp_u64);
    uint64_t median = g_array_index(held, uint64_t, held->len / 2);
    g_test_message("limited for %.1f s: estimate median %" PRIu64 " kbit/s (min %" PRIu64
                   ", max %" PRIu64 ")",
                   (double)(lift - limit) / 1e6, median / 1000, lo / 1000, hi / 1000);
    g_assert_cmpfloat((double)median, >=, 0.5 * LIMIT_BPS);
    g_assert_cmpfloat((double)median, <=, 1.4 * LIMIT_BPS);
    g_array_unref(held);
    /* Grows once it is lifted (until the random loss that follows). */
    int64_t loss = mark(r, "loss"), loss_end = mark(r, "loss-end");
    const Sample *lifted = at(r, lift);
    uint64_t peak = 0;
    int64_t peak_t = lift;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t >= lift && s->t < loss && s->estimate > peak) {
            peak = s->estimate;
            peak_t = s->t;
        }
    }
    g_test_message("lifted at %.1f s: estimate %" PRIu64 " kbit/s then, %" PRIu64
                   " kbit/s at most before the loss (at +%.1f s)",
                   secs(r, lift), lifted->estimate / 1000, peak / 1000,
                   (double)(peak_t - lift) / 1e6);
    g_assert_cmpfloat((double)peak, >=, 2.0 * LIMIT_BPS);
    g_assert_cmpuint(peak, >, lifted->estimate);
    /* Figures only: 2% random loss (the trace's last part). */
    uint64_t loss_lo = UINT64_MAX;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t >= loss && s->t < loss_end)
            loss_lo = MIN(loss_lo, s->estimate);
    }
    g_test_message("2%% random loss from %.1f s: estimate %" PRIu64 " kbit/s then, %" PRIu64
                   " kbit/s at least, %" PRIu64 " kbit/s when it ended (%.1f s)",
                   secs(r, loss), at(r, loss)->estimate / 1000, loss_lo / 1000,
                   at(r, loss_end)->estimate / 1000, secs(r, loss_end));
    replay_free(r);
}

static void test_unlimited(gconstpointer name)
{
    Replay *r = load(name);
    /* From the first second with feedback on: what was sent over the last second is a rate
     * the path carried (nothing limited it), so an estimate below it is a false over-use. */
    int64_t from = g_array_index(r->samples, Sample, 0).t + G_USEC_PER_SEC;
    unsigned below = 0, n = 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    const Sample *worst = NULL;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t < from)
            continue;
        n++;
        lo = MIN(lo, s->estimate);
        hi = MAX(hi, s->estimate);
        if (s->estimate < s->sent_bps) {
            below++;
            if (!worst || (double)s->estimate / (double)s->sent_bps <
                              (double)worst->estimate / (double)worst->sent_bps)
                worst = s;
        }
    }
    g_test_message("%s: estimate between %" PRIu64 " and %" PRIu64
                   " kbit/s over %u samples; below what was sent in %u",
                   (const char *)name, lo / 1000, hi / 1000, n, below);
    if (worst)
        g_test_message("worst at %.1f s: estimate %" PRIu64 " kbit/s, sent %" PRIu64 " kbit/s",
                       secs(r, worst->t), worst->estimate / 1000, worst->sent_bps / 1000);
    g_assert_cmpuint(n, >, 100);
    if (g_str_has_prefix(name, "unlimited-stall")) {
        /* Known (traces/README.md): an over-use during a 320 ms stall of the browser cuts to
         * 85% of what was acknowledged during the stall, far below what the path carries.
         * What holds: the estimate is back above what the receiver was sent before the dip
         * within 3 s (probing), so the picture drops for a moment, not for good. */
        g_assert_nonnull(worst);
        const Sample *first = NULL;
        uint64_t before = 0;
        for (guint i = 0; i < r->samples->len && !first; i++) {
            const Sample *s = &g_array_index(r->samples, Sample, i);
            if (s->t >= from && s->estimate < s->sent_bps)
                first = s;
            else
                before = MAX(before, s->t > worst->t - 2 * G_USEC_PER_SEC ? s->sent_bps : 0);
        }
        g_assert_nonnull(first);
        if (!first)
            return;
        int64_t back = -1;
        for (guint i = 0; i < r->samples->len && back < 0; i++) {
            const Sample *s = &g_array_index(r->samples, Sample, i);
            if (s->t > first->t && s->estimate >= before)
                back = s->t - first->t;
        }
        g_test_message("the dip from %.1f s: back above the %" PRIu64
                       " kbit/s sent before it after %.1f s",
                       secs(r, first->t), before / 1000, (double)back / G_USEC_PER_SEC);
        g_assert_cmpint(back, >=, 0);
        g_assert_cmpint(back, <=, 3 * G_USEC_PER_SEC);
        replay_free(r);
        return;
    }
    g_assert_cmpuint(below, ==, 0);
    replay_free(r);
}

/* The recorder and the replay together: a live estimator fed a synthetic path (a bottleneck
 * of 1 Mbit/s, then 3 Mbit/s, 1% loss, feedback every 50 ms with arrivals in 250 us ticks,
 * the sequence numbers wrapping, probing when due) while everything is recorded; the replay
 * of that trace computes the same estimates and probe decisions, and ends where it did. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static double rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / (double)(1ull << 53);
}

static void test_record_replay(void)
{
    char *dir = g_dir_make_tmp("bwe-record-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_setenv("PARLEY_BWE_RECORD", dir, TRUE);
    BridgeBweRecord *rec = bridge_bwe_record_open("room", "ep");
    g_unsetenv("PARLEY_BWE_RECORD");
    g_assert_nonnull(rec);
    BridgeBwe *live = bridge_bwe_new(NULL);
    static int64_t arrival[65536];
    static PaTccStatus st[2048];
    int64_t now = 1000 * G_USEC_PER_SEC, link_free = now, probe_until = 0;
    uint64_t probe_rate = 0;
    uint16_t next = 65000, fb_base = 65000;
    double budget = 0;
    unsigned published = 0, due_count = 0, feedbacks = 0;
    for (int step = 0; step < 30 * 500; step++) { /* 2 ms steps, 30 s */
        now += 2000;
        double capacity = now < 1010 * G_USEC_PER_SEC ? 1e6 : 3e6;
        uint64_t est = bridge_bwe_estimate(live);
        double rate = now < probe_until ? (double)probe_rate : MIN((double)est, 2.5e6);
        budget += rate * 0.002;
        while (budget >= 1200 * 8) { /* send, through the bottleneck */
            budget -= 1200 * 8;
            uint16_t seq = next++;
            bridge_bwe_record_sent(rec, seq, 1200, now);
            bridge_bwe_on_sent(live, seq, 1200, now);
            link_free = MAX(link_free, now) + (int64_t)(1200 * 8 * 1e6 / capacity);
            bool lost = rnd() < 0.01 || link_free - now > 300000;
            arrival[seq] = lost ? 0 : (link_free + 20000 + 7 * G_USEC_PER_SEC) / 250 * 250;
        }
        if (step % 25 == 0 && fb_base != next) { /* feedback every 50 ms */
            size_t n = 0;
            for (uint16_t q = fb_base; q != next && n < G_N_ELEMENTS(st); q++) {
                if (feedbacks % 40 == 7 && q == fb_base + 1)
                    continue; /* a status missing: the trace says where the next one is */
                st[n++] = (PaTccStatus){.seq = q,
                                        .status = arrival[q] ? PA_TCC_SMALL : PA_TCC_NOT_RECV,
                                        .arrival_us = arrival[q]};
            }
            fb_base = next;
            feedbacks++;
            bridge_bwe_record_feedback(rec, st, n, now + 20000);
            bridge_bwe_on_feedback(live, st, n, now + 20000);
        }
        if (step % 500 == 0) {
            bridge_bwe_record_rtt(rec, 40000 + step, now);
            bridge_bwe_set_rtt(live, 40000 + step);
        }
        if (step % 25 == 0) { /* the worker's tick */
            bridge_bwe_record_estimate(rec, bridge_bwe_estimate(live), now);
            published++;
            BridgeBweProbe pr;
            if (now >= probe_until && bridge_bwe_estimate(live) < 2500000) {
                bool due = bridge_bwe_probe_due(live, 2500000, now, &pr);
                bridge_bwe_record_probe(rec, 2500000, due, now);
                if (due) {
                    due_count++;
                    probe_until = now + pr.duration_us;
                    probe_rate = pr.rate_bps;
                }
            }
        }
    }
    bridge_bwe_record_close(rec);
    char *path = g_build_filename(dir, "room-ep.bwe", NULL);
    GError *error = NULL;
    Replay *r = replay(path, &error);
    g_assert_no_error(error);
    g_test_message("live: %u estimates published, %u probes, final estimate %" PRIu64
                   " kbit/s; replayed: %u estimates (%u differ), %u probe decisions (%u differ)",
                   published, due_count, bridge_bwe_estimate(live) / 1000, r->estimates,
                   r->estimate_mismatch, r->probes, r->probe_mismatch);
    g_assert_cmpuint(r->estimates, ==, published);
    g_assert_cmpuint(r->estimate_mismatch, ==, 0);
    g_assert_cmpuint(r->probe_mismatch, ==, 0);
    g_assert_cmpuint(due_count, >, 0);
    g_assert_cmpuint(bridge_bwe_estimate(r->bwe), ==, bridge_bwe_estimate(live));
    BridgeBweStats a, b;
    bridge_bwe_get_stats(live, &a);
    bridge_bwe_get_stats(r->bwe, &b);
    g_assert_cmpuint(a.packets_lost, >, 0);
    g_assert_cmpuint(a.packets_lost, ==, b.packets_lost);
    g_assert_cmpuint(a.packets_acked, ==, b.packets_acked);
    g_assert_cmpuint(a.overuses, ==, b.overuses);
    replay_free(r);
    bridge_bwe_free(live);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* --print TRACE: the timeline every 500 ms and at each mark. */
static int print_trace(const char *path)
{
    GError *error = NULL;
    Replay *r = replay(path, &error);
    if (!r) {
        fprintf(stderr, "%s: %s\n", path, error->message);
        g_error_free(error);
        return 1;
    }
    printf("# %s: %u calls; estimates %u (%u differ from the recorded), probe decisions %u (%u "
           "differ)\n",
           path, r->lines, r->estimates, r->estimate_mismatch, r->probes, r->probe_mismatch);
    for (unsigned i = 0; i < r->n_marks; i++)
        printf("# mark %s at %.2f s\n", r->mark_name[i], secs(r, r->mark_t[i]));
    printf("# t_s estimate_kbps sent_kbps acked_kbps\n");
    int64_t next = 0;
    for (guint i = 0; i < r->samples->len; i++) {
        const Sample *s = &g_array_index(r->samples, Sample, i);
        if (s->t < next)
            continue;
        printf("%.2f %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", secs(r, s->t), s->estimate / 1000,
               s->sent_bps / 1000, s->acked_bps / 1000);
        next = s->t + 500000;
    }
    replay_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--print"))
        return print_trace(argv[2]);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge/cc/bwe-traces/record-replay", test_record_replay);
    /* Each recording: a receiver held to 500 kbit/s, and one without a limit, in the same
     * meeting; the second on a machine loaded far beyond its 2 cores (traces/README.md). */
    g_test_add_data_func("/bridge/cc/bwe-traces/limited", "limited.bwe.gz", test_limited);
    g_test_add_data_func("/bridge/cc/bwe-traces/unlimited", "unlimited.bwe.gz", test_unlimited);
    g_test_add_data_func("/bridge/cc/bwe-traces/limited-loaded", "limited-loaded.bwe.gz",
                         test_limited);
    g_test_add_data_func("/bridge/cc/bwe-traces/unlimited-loaded", "unlimited-loaded.bwe.gz",
                         test_unlimited);
    g_test_add_data_func("/bridge/cc/bwe-traces/unlimited-stall", "unlimited-stall.bwe.gz",
                         test_unlimited);
    return g_test_run();
}
