/* SPDX-License-Identifier: MIT */
/* MPSC ring (see ring.h), after Dmitry Vyukov's bounded queue: each slot carries a sequence
 * number. Slot i starts at i. A producer may fill the slot at position p when its sequence is
 * p (a compare-and-swap on head decides which producer gets p); it publishes it by setting the
 * sequence to p + 1. The consumer takes position t when the sequence is t + 1 and hands the
 * slot to the next lap by setting it to t + capacity. head and tail are free-running 32-bit
 * counters (index = counter & mask).
 *
 * Wakeups: a producer's store of the sequence and its load of tail, and the consumer's store
 * of tail and its load of the sequence, are the two halves of a Dekker-style handshake, so
 * all four are sequentially consistent: either the consumer sees the new slot, or the
 * producer sees tail at its position (everything before it taken) and wakes the consumer. */
#include "bridge/media/ring.h"

#include <stdatomic.h>

struct _BridgeRing {
    guint32 mask;
    BridgeRingSlot *slots;
    _Atomic guint32 *seq;
    _Alignas(64) _Atomic guint32 head; /* producers */
    _Alignas(64) _Atomic guint32 tail; /* consumer */
};

BridgeRing *bridge_ring_new(guint slots)
{
    guint n = 2;
    while (n < slots && n < (1u << 20))
        n <<= 1;
    BridgeRing *r = g_aligned_alloc0(1, sizeof *r, 64);
    r->mask = n - 1;
    r->slots = g_aligned_alloc0(n, sizeof *r->slots, 64);
    r->seq = g_new(_Atomic guint32, n);
    for (guint i = 0; i < n; i++)
        atomic_init(&r->seq[i], i);
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return r;
}

void bridge_ring_free(BridgeRing *r)
{
    if (!r)
        return;
    g_aligned_free(r->slots);
    g_free(r->seq);
    g_aligned_free(r);
}

guint bridge_ring_capacity(const BridgeRing *r)
{
    return r->mask + 1;
}

BridgeRingSlot *bridge_ring_reserve(BridgeRing *r, guint32 *pos)
{
    guint32 p = atomic_load_explicit(&r->head, memory_order_relaxed);
    for (;;) {
        guint32 seq = atomic_load_explicit(&r->seq[p & r->mask], memory_order_acquire);
        gint32 dif = (gint32)(seq - p);
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&r->head, &p, p + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
            /* another producer took p: p now holds the current head */
        } else if (dif < 0) {
            return NULL; /* the consumer has not freed this slot yet: full */
        } else {
            p = atomic_load_explicit(&r->head, memory_order_relaxed);
        }
    }
    *pos = p;
    return &r->slots[p & r->mask];
}

gboolean bridge_ring_commit(BridgeRing *r, guint32 pos)
{
    atomic_store_explicit(&r->seq[pos & r->mask], pos + 1, memory_order_seq_cst);
    return atomic_load_explicit(&r->tail, memory_order_seq_cst) == pos;
}

const BridgeRingSlot *bridge_ring_peek(BridgeRing *r)
{
    guint32 t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    guint32 seq = atomic_load_explicit(&r->seq[t & r->mask], memory_order_seq_cst);
    if (seq != t + 1)
        return NULL;
    return &r->slots[t & r->mask];
}

void bridge_ring_release(BridgeRing *r)
{
    guint32 t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->seq[t & r->mask], t + r->mask + 1, memory_order_release);
    atomic_store_explicit(&r->tail, t + 1, memory_order_seq_cst);
}
