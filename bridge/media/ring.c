/* SPDX-License-Identifier: MIT */
/* SPSC ring (see ring.h). head is written by the producer only, tail by the consumer only;
 * both are free-running 32-bit counters (index = counter & mask). The empty-before check in
 * commit and the consumer's re-check of head after storing tail are the two halves of a
 * Dekker-style handshake, so both use sequentially consistent atomics: either the consumer
 * sees the new slot, or the producer sees the ring empty and wakes it. */
#include "bridge/media/ring.h"

#include <stdatomic.h>

struct _BridgeRing {
    guint32 mask;
    BridgeRingSlot *slots;
    _Alignas(64) _Atomic guint32 head; /* producer */
    _Alignas(64) _Atomic guint32 tail; /* consumer */
};

BridgeRing *bridge_ring_new(guint slots)
{
    guint n = 2;
    while (n < slots && n < (1u << 20))
        n <<= 1;
    BridgeRing *r = g_aligned_alloc0(1, sizeof *r, 64);
    r->mask = n - 1;
    r->slots = g_new0(BridgeRingSlot, n);
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return r;
}

void bridge_ring_free(BridgeRing *r)
{
    if (!r)
        return;
    g_free(r->slots);
    g_aligned_free(r);
}

guint bridge_ring_capacity(const BridgeRing *r)
{
    return r->mask + 1;
}

BridgeRingSlot *bridge_ring_reserve(BridgeRing *r)
{
    guint32 head = atomic_load_explicit(&r->head, memory_order_relaxed);
    guint32 tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail > r->mask)
        return NULL;
    return &r->slots[head & r->mask];
}

gboolean bridge_ring_commit(BridgeRing *r)
{
    guint32 head = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, head + 1, memory_order_seq_cst);
    return atomic_load_explicit(&r->tail, memory_order_seq_cst) == head;
}

const BridgeRingSlot *bridge_ring_peek(BridgeRing *r)
{
    guint32 tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    guint32 head = atomic_load_explicit(&r->head, memory_order_seq_cst);
    if (head == tail)
        return NULL;
    return &r->slots[tail & r->mask];
}

void bridge_ring_release(BridgeRing *r)
{
    guint32 tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_seq_cst);
}
