/* SPDX-License-Identifier: MIT */
/* The audio levels a media worker hands to the control thread (BridgeEpShared's ring): every
 * level in order, a reader that fell behind gets the newest ones, the reader's capacity is
 * respected, and a writer thread racing a reader never shows the reader a level out of order,
 * twice, or torn. */
#include "bridge/media/media-priv.h"

#define N BRIDGE_MEDIA_AUDIO_LEVELS

static void test_in_order(void)
{
    BridgeEpShared *s = bridge_ep_shared_new();
    BridgeMediaAudioLevel out[N];
    guint cursor = 0;
    g_assert_cmpuint(bridge_ep_shared_read_levels(s, &cursor, out, N), ==, 0);
    for (guint i = 0; i < 5; i++)
        bridge_ep_shared_push_level(s, 1000 + 20 * i, (guint8)(10 + i));
    g_assert_cmpuint(bridge_ep_shared_read_levels(s, &cursor, out, N), ==, 5);
    for (guint i = 0; i < 5; i++) {
        g_assert_cmpint(out[i].at_ms, ==, 1000 + 20 * i);
        g_assert_cmpuint(out[i].level, ==, 10 + i);
    }
    g_assert_cmpuint(bridge_ep_shared_read_levels(s, &cursor, out, N), ==, 0); /* all read */
    /* A level above 127 keeps its 7 bits (RFC 6464 has no more). */
    bridge_ep_shared_push_level(s, 2000, 0xff);
    g_assert_cmpuint(bridge_ep_shared_read_levels(s, &cursor, out, N), ==, 1);
    g_assert_cmpuint(out[0].level, ==, 127);
    g_assert_cmpint(out[0].at_ms, ==, 2000);
    bridge_ep_shared_unref(s);
}

static void test_behind_and_capacity(void)
{
    BridgeEpShared *s = bridge_ep_shared_new();
    BridgeMediaAudioLevel out[N];
    guint cursor = 0;
    for (guint i = 0; i < 3 * N + 2; i++)
        bridge_ep_shared_push_level(s, i, (guint8)(i % 128));
    /* 50 written, the reader at 0: it gets the newest N - 1, oldest first. */
    guint n = bridge_ep_shared_read_levels(s, &cursor, out, N);
    g_assert_cmpuint(n, ==, N - 1);
    for (guint i = 0; i < n; i++)
        g_assert_cmpint(out[i].at_ms, ==, 3 * N + 2 - (N - 1) + i);
    g_assert_cmpuint(cursor, ==, 3 * N + 2);
    /* A reader with room for 2 reads 2 at a time, losing none. */
    for (guint i = 0; i < 5; i++)
        bridge_ep_shared_push_level(s, 100 + i, 1);
    gint64 expect = 100;
    for (guint round = 0; round < 3; round++) {
        n = bridge_ep_shared_read_levels(s, &cursor, out, 2);
        g_assert_cmpuint(n, ==, round < 2 ? 2 : 1);
        for (guint i = 0; i < n; i++)
            g_assert_cmpint(out[i].at_ms, ==, expect++);
    }
    bridge_ep_shared_unref(s);
}

/* The writer pushes levels whose time is their index and whose level is the index's low 7
 * bits (a torn word would break that pairing); the reader checks order and pairing. */
#define RACE_LEVELS 2000000

static gpointer writer(gpointer data)
{
    BridgeEpShared *s = data;
    for (gint64 i = 1; i <= RACE_LEVELS; i++)
        bridge_ep_shared_push_level(s, i, (guint8)(i & 0x7f));
    return NULL;
}

static void test_race(void)
{
    BridgeEpShared *s = bridge_ep_shared_new();
    GThread *t = g_thread_new("levels-writer", writer, s);
    BridgeMediaAudioLevel out[N];
    guint cursor = 0;
    gint64 last = 0, seen = 0;
    while (last < RACE_LEVELS) {
        guint n = bridge_ep_shared_read_levels(s, &cursor, out, N);
        for (guint i = 0; i < n; i++) {
            g_assert_cmpint(out[i].at_ms, >, last); /* in order, never twice */
            g_assert_cmpuint(out[i].level, ==, out[i].at_ms & 0x7f);
            last = out[i].at_ms;
            seen++;
        }
    }
    g_thread_join(t);
    g_assert_cmpint(last, ==, RACE_LEVELS);
    g_test_message("levels seen by the reader: %" G_GINT64_FORMAT " of %d", seen, RACE_LEVELS);
    g_assert_cmpint(seen, >, 0);
    bridge_ep_shared_unref(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/levels/in-order", test_in_order);
    g_test_add_func("/media/levels/behind-and-capacity", test_behind_and_capacity);
    g_test_add_func("/media/levels/race", test_race);
    return g_test_run();
}
