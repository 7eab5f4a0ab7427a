/* SPDX-License-Identifier: MIT */
/* The media plane's SPSC fan-out ring: order, bounds, wakeup signalling, and a two-thread run
 * that would hang (and fail on its deadline) if a wakeup were ever lost. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bridge/media/ring.h"

static void test_bounds_and_order(void)
{
    BridgeRing *r = bridge_ring_new(5);
    g_assert_cmpuint(bridge_ring_capacity(r), ==, 8);
    g_assert_null(bridge_ring_peek(r));
    for (guint i = 0; i < 8; i++) {
        BridgeRingSlot *s = bridge_ring_reserve(r);
        g_assert_nonnull(s);
        s->conf = i;
        s->len = 1;
        s->data[0] = (guint8)i;
        /* Only the push into an empty ring asks for a wakeup. */
        g_assert_cmpint(bridge_ring_commit(r), ==, i == 0);
    }
    g_assert_null(bridge_ring_reserve(r)); /* full: the caller drops and counts */
    for (guint i = 0; i < 3; i++) {
        const BridgeRingSlot *s = bridge_ring_peek(r);
        g_assert_nonnull(s);
        g_assert_cmpuint(s->conf, ==, i);
        bridge_ring_release(r);
    }
    g_assert_nonnull(bridge_ring_reserve(r));
    g_assert_false(bridge_ring_commit(r)); /* not empty: no wakeup needed */
    for (guint i = 3; i < 9; i++) {
        const BridgeRingSlot *s = bridge_ring_peek(r);
        g_assert_nonnull(s);
        bridge_ring_release(r);
    }
    g_assert_null(bridge_ring_peek(r));
    BridgeRingSlot *s = bridge_ring_reserve(r);
    g_assert_nonnull(s);
    g_assert_true(bridge_ring_commit(r)); /* empty again */
    bridge_ring_free(r);
}

typedef struct {
    BridgeRing *r;
    int efd;
    guint n;
    guint full;
} Run;

static gpointer producer(gpointer data)
{
    Run *run = data;
    for (guint i = 0; i < run->n;) {
        BridgeRingSlot *s = bridge_ring_reserve(run->r);
        if (!s) {
            run->full++;
            g_thread_yield();
            continue;
        }
        s->conf = i;
        memcpy(s->data, &i, sizeof i);
        s->len = sizeof i;
        if (bridge_ring_commit(run->r)) {
            guint64 one = 1;
            g_assert_cmpint(write(run->efd, &one, sizeof one), ==, sizeof one);
        }
        i++;
    }
    return NULL;
}

static void test_two_threads(void)
{
    Run run = {.r = bridge_ring_new(64), .efd = eventfd(0, EFD_NONBLOCK), .n = 200000};
    GThread *t = g_thread_new("producer", producer, &run);
    guint expect = 0;
    while (expect < run.n) {
        /* Sleep only when the ring looks empty, exactly as a worker does. */
        const BridgeRingSlot *s;
        while ((s = bridge_ring_peek(run.r))) {
            g_assert_cmpuint(s->conf, ==, expect);
            guint v;
            memcpy(&v, s->data, sizeof v);
            g_assert_cmpuint(v, ==, expect);
            bridge_ring_release(run.r);
            expect++;
        }
        if (expect == run.n)
            break;
        struct pollfd p = {.fd = run.efd, .events = POLLIN};
        int n = poll(&p, 1, 5000);
        g_assert_cmpint(n, ==, 1); /* a lost wakeup would time out here */
        guint64 v;
        g_assert_cmpint(read(run.efd, &v, sizeof v), ==, sizeof v);
    }
    g_thread_join(t);
    g_test_message("ring full %u times during the run", run.full);
    close(run.efd);
    bridge_ring_free(run.r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge-media/ring/bounds-and-order", test_bounds_and_order);
    g_test_add_func("/bridge-media/ring/two-threads", test_two_threads);
    return g_test_run();
}
