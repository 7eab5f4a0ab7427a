/* SPDX-License-Identifier: MIT */
/* The media workers' inbox ring (many producers, one consumer): order, bounds, wakeup
 * signalling with producers that commit out of order, and runs with several producer threads
 * that would hang (and fail on their deadline) if a wakeup were ever lost, or fail on the
 * first slot that arrived out of a producer's order or twice. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bridge/media/ring.h"

static BridgeRingSlot *reserve(BridgeRing *r, guint32 *pos)
{
    BridgeRingSlot *s = bridge_ring_reserve(r, pos);
    g_assert_nonnull(s);
    return s;
}

static void test_bounds_and_order(void)
{
    BridgeRing *r = bridge_ring_new(5);
    g_assert_cmpuint(bridge_ring_capacity(r), ==, 8);
    g_assert_null(bridge_ring_peek(r));
    guint32 pos;
    for (guint i = 0; i < 8; i++) {
        BridgeRingSlot *s = reserve(r, &pos);
        s->conf = i;
        s->len = 1;
        s->data[0] = (guint8)i;
        /* Only the slot the consumer waits at asks for a wakeup. */
        g_assert_cmpint(bridge_ring_commit(r, pos), ==, i == 0);
    }
    g_assert_null(bridge_ring_reserve(r, &pos)); /* full: a worker drops and counts */
    for (guint i = 0; i < 3; i++) {
        const BridgeRingSlot *s = bridge_ring_peek(r);
        g_assert_nonnull(s);
        g_assert_cmpuint(s->conf, ==, i);
        bridge_ring_release(r);
    }
    reserve(r, &pos);
    g_assert_false(bridge_ring_commit(r, pos)); /* not empty: no wakeup needed */
    for (guint i = 3; i < 9; i++) {
        g_assert_nonnull(bridge_ring_peek(r));
        bridge_ring_release(r);
    }
    g_assert_null(bridge_ring_peek(r));
    reserve(r, &pos);
    g_assert_true(bridge_ring_commit(r, pos)); /* empty again */
    bridge_ring_free(r);
}

/* Two producers claim slots 0 and 1 and commit in the opposite order: the consumer sees
 * nothing until slot 0 is published, and only the commit of the slot it waits at wakes it. */
static void test_out_of_order_commit(void)
{
    BridgeRing *r = bridge_ring_new(4);
    guint32 p0, p1;
    BridgeRingSlot *s0 = reserve(r, &p0), *s1 = reserve(r, &p1);
    g_assert_cmpuint(p1, ==, p0 + 1);
    s0->conf = 10;
    s1->conf = 11;
    g_assert_false(bridge_ring_commit(r, p1));
    g_assert_null(bridge_ring_peek(r)); /* slot 0 is not published yet */
    g_assert_true(bridge_ring_commit(r, p0));
    g_assert_cmpuint(bridge_ring_peek(r)->conf, ==, 10);
    bridge_ring_release(r);
    g_assert_cmpuint(bridge_ring_peek(r)->conf, ==, 11);
    bridge_ring_release(r);
    g_assert_null(bridge_ring_peek(r));
    bridge_ring_free(r);
}

enum { N_PRODUCERS = 3, PER_PRODUCER = 100000 };

typedef struct {
    BridgeRing *r;
    int efd;
    guint id;
    guint full;
} Producer;

static gpointer produce(gpointer data)
{
    Producer *p = data;
    for (guint i = 0; i < PER_PRODUCER;) {
        guint32 pos;
        BridgeRingSlot *s = bridge_ring_reserve(p->r, &pos);
        if (!s) {
            p->full++;
            g_thread_yield();
            continue;
        }
        s->conf = p->id;
        memcpy(s->data, &i, sizeof i);
        s->len = sizeof i;
        if (bridge_ring_commit(p->r, pos)) {
            guint64 one = 1;
            g_assert_cmpint(write(p->efd, &one, sizeof one), ==, sizeof one);
        }
        i++;
    }
    return NULL;
}

static void test_producer_threads(void)
{
    BridgeRing *r = bridge_ring_new(64);
    int efd = eventfd(0, EFD_NONBLOCK);
    Producer p[N_PRODUCERS];
    GThread *t[N_PRODUCERS];
    for (guint i = 0; i < N_PRODUCERS; i++) {
        p[i] = (Producer){.r = r, .efd = efd, .id = i};
        t[i] = g_thread_new("producer", produce, &p[i]);
    }
    guint next[N_PRODUCERS] = {0}, total = 0;
    while (total < N_PRODUCERS * PER_PRODUCER) {
        /* Sleep only when the ring looks empty, exactly as a worker does. */
        const BridgeRingSlot *s;
        while ((s = bridge_ring_peek(r))) {
            g_assert_cmpuint(s->conf, <, N_PRODUCERS);
            guint v;
            memcpy(&v, s->data, sizeof v);
            g_assert_cmpuint(v, ==, next[s->conf]); /* each producer's order, nothing twice */
            next[s->conf]++;
            bridge_ring_release(r);
            total++;
        }
        if (total == N_PRODUCERS * PER_PRODUCER)
            break;
        struct pollfd pfd = {.fd = efd, .events = POLLIN};
        int n = poll(&pfd, 1, 10000);
        g_assert_cmpint(n, ==, 1); /* a lost wakeup would time out here */
        guint64 v;
        g_assert_cmpint(read(efd, &v, sizeof v), ==, sizeof v);
    }
    guint full = 0;
    for (guint i = 0; i < N_PRODUCERS; i++) {
        g_thread_join(t[i]);
        g_assert_cmpuint(next[i], ==, PER_PRODUCER);
        full += p[i].full;
    }
    g_test_message("ring full %u times during the run", full);
    close(efd);
    bridge_ring_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge-media/ring/bounds-and-order", test_bounds_and_order);
    g_test_add_func("/bridge-media/ring/out-of-order-commit", test_out_of_order_commit);
    g_test_add_func("/bridge-media/ring/producer-threads", test_producer_threads);
    return g_test_run();
}
