/* SPDX-License-Identifier: MIT */
/* Dominant speaker identification on synthetic speech: levels every 20 ms per participant
 * (RFC 6464 -dBov, as the audio level extension carries them), speech as talk spurts with
 * short pauses, background noise per participant. What a user notices: the first speaker is
 * found; when someone else starts talking and the first stops, the new one takes over after
 * a realistic delay (not at once, not after seconds); a cough or a short noise from someone
 * else while one person talks never moves the highlight; two people talking over each other
 * do not make it flap; a muted participant (no packets) counts as silent; the recent speakers
 * list is ordered by when each was last dominant. The same decisions come out when the levels
 * are collected and handed over every 100 ms (bridge_speakers_advance, as the bridge does),
 * each at most 100 ms later. */
#include <glib.h>
#include <string.h>

#include "bridge/cc/speaker.h"

#define N 4

typedef struct {
    BridgeSpeakers *s;
    int64_t now;
    uint64_t rng;
    /* per participant: what it does now */
    bool talking[N];
    bool muted[N];
    uint8_t noise[N]; /* background level, -dBov */
    uint8_t speech[N];
    unsigned changes;
    uint32_t dominant;
    bool has_dominant;
    int64_t changed_at;
    /* Batched (batch_ms > 0): levels are kept and handed to bridge_speakers_advance every
     * batch_ms instead of level + tick every 20 ms. */
    int64_t batch_ms, next_flush;
    BridgeSpeakerLevel pending[64];
    unsigned n_pending;
    /* every change: who, when */
    uint32_t hist_dom[64];
    int64_t hist_at[64];
    unsigned n_hist;
} Room;

static unsigned rnd(Room *r, unsigned n)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (unsigned)(r->rng % n);
}

static void room_init(Room *r)
{
    memset(r, 0, sizeof *r);
    r->s = bridge_speakers_new(8);
    g_assert_nonnull(r->s);
    r->now = 1000;
    r->rng = 42;
    for (unsigned k = 0; k < N; k++) {
        g_assert_true(bridge_speakers_add(r->s, 100 + k, r->now));
        r->noise[k] = (uint8_t)(70 + 5 * k); /* quiet rooms, each its own */
        r->speech[k] = 25;                   /* normal speech around -25 dBov */
    }
    g_assert_false(bridge_speakers_add(r->s, 100, r->now));
}

/* Advances @ms milliseconds: a level per participant every 20 ms, a tick every 20 ms (or the
 * levels handed over every batch_ms). */
static void room_run(Room *r, int64_t ms)
{
    for (int64_t t = 0; t < ms; t += 20) {
        for (unsigned k = 0; k < N; k++) {
            if (r->muted[k])
                continue;
            uint8_t level = r->noise[k] + (uint8_t)rnd(r, 6);
            /* Speech: syllables, with 1 in 8 frames a short dip. */
            if (r->talking[k] && rnd(r, 8) != 0)
                level = r->speech[k] + (uint8_t)rnd(r, 10);
            if (r->batch_ms) {
                g_assert_cmpuint(r->n_pending, <, G_N_ELEMENTS(r->pending));
                r->pending[r->n_pending++] = (BridgeSpeakerLevel){100 + k, level, r->now};
            } else {
                bridge_speakers_level(r->s, 100 + k, level, r->now);
            }
        }
        bool changed;
        if (!r->batch_ms) {
            changed = bridge_speakers_tick(r->s, r->now);
        } else if (r->now >= r->next_flush) {
            changed = bridge_speakers_advance(r->s, r->pending, r->n_pending, r->now);
            r->n_pending = 0;
            r->next_flush = r->now + r->batch_ms;
        } else {
            changed = false;
        }
        if (changed) {
            uint32_t d;
            g_assert_true(bridge_speakers_dominant(r->s, &d));
            if (!r->has_dominant || d != r->dominant) {
                r->changes++;
                r->changed_at = r->now;
                if (r->n_hist < G_N_ELEMENTS(r->hist_dom)) {
                    r->hist_dom[r->n_hist] = d;
                    r->hist_at[r->n_hist++] = r->now;
                }
            }
            r->dominant = d;
            r->has_dominant = true;
        }
        r->now += 20;
    }
}

static void test_takeover(void)
{
    Room r;
    room_init(&r);
    r.talking[1] = true;
    room_run(&r, 3000);
    g_assert_true(r.has_dominant);
    g_assert_cmpuint(r.dominant, ==, 101);

    /* Participant 2 starts, participant 1 stops: a change, after a moment. */
    r.talking[1] = false;
    r.talking[2] = true;
    int64_t start = r.now;
    unsigned before = r.changes;
    room_run(&r, 4000);
    g_assert_cmpuint(r.dominant, ==, 102);
    g_assert_cmpuint(r.changes, ==, before + 1);
    int64_t delay = r.changed_at - start;
    g_test_message("takeover after %" G_GINT64_FORMAT " ms", delay);
    /* Not at once (the long time scale wants about half a second of speech outweighing
     * the old speaker's second), and not seconds later. */
    g_assert_cmpint(delay, >=, 500);
    g_assert_cmpint(delay, <=, 2000);

    /* Recent speakers: 102, then 101. */
    uint32_t recent[BRIDGE_SPEAKER_RECENT_MAX];
    unsigned n = bridge_speakers_recent(r.s, recent, G_N_ELEMENTS(recent));
    g_assert_cmpuint(n, >=, 2);
    g_assert_cmpuint(recent[0], ==, 102);
    g_assert_cmpuint(recent[1], ==, 101);
    bridge_speakers_free(r.s);
}

static void test_short_noise_does_not_flap(void)
{
    Room r;
    room_init(&r);
    r.talking[0] = true;
    room_run(&r, 3000);
    g_assert_cmpuint(r.dominant, ==, 100);
    unsigned before = r.changes;
    /* Someone else coughs (louder than the speaker, 200 ms) while the speaker pauses for
     * breath, twice; then a door slams in a third room, also in a pause. Only the long time
     * scale (a second of speech against 200 ms of noise) keeps the speaker. */
    for (int i = 0; i < 2; i++) {
        r.talking[0] = false;
        room_run(&r, 100);
        r.talking[3] = true;
        r.speech[3] = 10;
        room_run(&r, 200);
        r.talking[3] = false;
        room_run(&r, 200);
        r.talking[0] = true;
        room_run(&r, 1500);
    }
    r.talking[0] = false;
    r.talking[2] = true;
    r.speech[2] = 5;
    room_run(&r, 100);
    r.talking[2] = false;
    room_run(&r, 300);
    r.talking[0] = true;
    room_run(&r, 2000);
    g_assert_cmpuint(r.dominant, ==, 100);
    g_assert_cmpuint(r.changes, ==, before);
    bridge_speakers_free(r.s);
}

static void test_crosstalk_is_stable(void)
{
    Room r;
    room_init(&r);
    /* Two people talk over each other for 20 s: the highlight may move, but it does not
     * flap (at most a handful of changes, none within a second of the previous one). */
    r.talking[0] = r.talking[1] = true;
    int64_t last_change = 0;
    unsigned changes = 0;
    for (int i = 0; i < 100; i++) {
        unsigned before = r.changes;
        room_run(&r, 200);
        if (r.changes != before) {
            if (changes > 0)
                g_assert_cmpint(r.changed_at - last_change, >=, 1000);
            last_change = r.changed_at;
            changes++;
        }
    }
    g_test_message("%u changes in 20 s of crosstalk", changes);
    g_assert_cmpuint(changes, <=, 6);
    bridge_speakers_free(r.s);
}

static void test_muted_and_leaving(void)
{
    Room r;
    room_init(&r);
    r.talking[3] = true;
    room_run(&r, 3000);
    g_assert_cmpuint(r.dominant, ==, 103);
    /* The speaker mutes (its packets stop): someone talking takes over. */
    r.muted[3] = true;
    r.talking[0] = true;
    room_run(&r, 3000);
    g_assert_cmpuint(r.dominant, ==, 100);
    /* The dominant speaker leaves: another one is nominated at the next decision. */
    g_assert_true(bridge_speakers_remove(r.s, 100));
    g_assert_false(bridge_speakers_remove(r.s, 100));
    uint32_t d;
    g_assert_false(bridge_speakers_dominant(r.s, &d));
    r.talking[0] = false;
    r.talking[1] = true;
    room_run(&r, 1000);
    g_assert_true(bridge_speakers_dominant(r.s, &d));
    g_assert_cmpuint(d, ==, 101);
    uint32_t recent[BRIDGE_SPEAKER_RECENT_MAX];
    unsigned n = bridge_speakers_recent(r.s, recent, G_N_ELEMENTS(recent));
    for (unsigned k = 0; k < n; k++)
        g_assert_cmpuint(recent[k], !=, 100);
    /* Unknown participants and late levels are ignored. */
    g_assert_false(bridge_speakers_level(r.s, 999, 10, r.now));
    g_assert_false(bridge_speakers_level(r.s, 101, 10, r.now - 1000));
    bridge_speakers_free(r.s);
}

/* A talk: 1 speaks, then 2 takes over, then 0 and 1 talk over each other, then 3 alone. */
static void talk(Room *r)
{
    r->talking[1] = true;
    room_run(r, 3000);
    r->talking[1] = false;
    r->talking[2] = true;
    room_run(r, 4000);
    r->talking[2] = false;
    r->talking[0] = r->talking[1] = true;
    room_run(r, 10000);
    r->talking[0] = r->talking[1] = false;
    r->talking[3] = true;
    room_run(r, 4000);
}

static void test_batched_same_decisions(void)
{
    Room ticked, batched;
    room_init(&ticked);
    room_init(&batched);
    batched.batch_ms = 100;
    batched.next_flush = batched.now;
    talk(&ticked);
    talk(&batched);
    g_test_message("%u changes", ticked.n_hist);
    g_assert_cmpuint(ticked.n_hist, >=, 3);
    g_assert_cmpuint(batched.n_hist, ==, ticked.n_hist);
    for (unsigned i = 0; i < ticked.n_hist; i++) {
        g_assert_cmpuint(batched.hist_dom[i], ==, ticked.hist_dom[i]);
        g_assert_cmpint(batched.hist_at[i] - ticked.hist_at[i], >=, 0);
        g_assert_cmpint(batched.hist_at[i] - ticked.hist_at[i], <, 100);
    }
    bridge_speakers_free(ticked.s);
    bridge_speakers_free(batched.s);
}

static void test_capacity(void)
{
    g_assert_null(bridge_speakers_new(0));
    BridgeSpeakers *s = bridge_speakers_new(2);
    g_assert_true(bridge_speakers_add(s, 1, 0));
    g_assert_true(bridge_speakers_add(s, 2, 0));
    g_assert_false(bridge_speakers_add(s, 3, 0));
    /* One participant alone is dominant at the first decision. */
    g_assert_true(bridge_speakers_remove(s, 2));
    g_assert_true(bridge_speakers_tick(s, 0));
    uint32_t d;
    g_assert_true(bridge_speakers_dominant(s, &d));
    g_assert_cmpuint(d, ==, 1);
    bridge_speakers_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cc/speaker/takeover", test_takeover);
    g_test_add_func("/cc/speaker/short-noise-does-not-flap", test_short_noise_does_not_flap);
    g_test_add_func("/cc/speaker/crosstalk-is-stable", test_crosstalk_is_stable);
    g_test_add_func("/cc/speaker/muted-and-leaving", test_muted_and_leaving);
    g_test_add_func("/cc/speaker/capacity", test_capacity);
    g_test_add_func("/cc/speaker/batched-same-decisions", test_batched_same_decisions);
    return g_test_run();
}
