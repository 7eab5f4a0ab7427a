/* SPDX-License-Identifier: MIT */
/* Remote addresses and the flow table (see flows.h). Thread: the table's owner. */
#include "bridge/media/flows.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>

gboolean bridge_addr_from_sockaddr(BridgeAddr *a, const struct sockaddr *sa, socklen_t len)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        a->family = AF_INET;
        a->port = in->sin_port;
        memcpy(a->ip, &in->sin_addr, 4);
        return TRUE;
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        a->family = AF_INET6;
        a->port = in6->sin6_port;
        memcpy(a->ip, &in6->sin6_addr, 16);
        return TRUE;
    }
    return FALSE;
}

socklen_t bridge_addr_to_sockaddr(const BridgeAddr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = a->port;
        memcpy(&in6->sin6_addr, a->ip, 16);
        return sizeof *in6;
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    in->sin_family = AF_INET;
    in->sin_port = a->port;
    memcpy(&in->sin_addr, a->ip, 4);
    return sizeof *in;
}

gboolean bridge_addr_from_string(BridgeAddr *a, const char *ip, guint16 port)
{
    memset(a, 0, sizeof *a);
    a->port = htons(port);
    if (inet_pton(AF_INET, ip, a->ip) == 1) {
        a->family = AF_INET;
        return TRUE;
    }
    if (inet_pton(AF_INET6, ip, a->ip) == 1) {
        a->family = AF_INET6;
        return TRUE;
    }
    memset(a, 0, sizeof *a);
    return FALSE;
}

const char *bridge_addr_to_string(const BridgeAddr *a, char *buf)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof ip);
    g_snprintf(buf, BRIDGE_ADDR_STRLEN, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
               ntohs(a->port));
    return buf;
}

/* ---- the table ---- */

static inline guint64 mix(guint64 h)
{
    h ^= h >> 33;
    h *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static inline guint32 hash_addr(const BridgeFlowTable *t, const BridgeAddr *a)
{
    guint64 w[3] = {0, 0, 0};
    memcpy(w, a, sizeof *a);
    return (guint32)mix(t->seed ^ mix(w[0] ^ mix(w[1] ^ mix(w[2]))));
}

void bridge_flow_table_init(BridgeFlowTable *t, guint max_flows)
{
    max_flows = MAX(max_flows, 16u);
    guint32 cap = 32;
    while (cap < 2 * max_flows && cap < (1u << 30))
        cap <<= 1;
    t->slots = g_new0(BridgeFlow, cap);
    t->mask = cap - 1;
    t->n = 0;
    t->max = MIN(max_flows, cap / 2);
    if (getrandom(&t->seed, sizeof t->seed, GRND_NONBLOCK) != sizeof t->seed)
        t->seed = g_get_monotonic_time() ^ (guint64)(gsize)t;
}

void bridge_flow_table_clear(BridgeFlowTable *t)
{
    g_clear_pointer(&t->slots, g_free);
    t->n = 0;
}

BridgeFlow *bridge_flow_lookup(const BridgeFlowTable *t, const BridgeAddr *a)
{
    for (guint32 i = hash_addr(t, a) & t->mask;; i = (i + 1) & t->mask) {
        BridgeFlow *f = &t->slots[i];
        if (!f->used)
            return NULL;
        if (bridge_addr_equal(&f->addr, a))
            return f;
    }
}

gboolean bridge_flow_set(BridgeFlowTable *t, const BridgeAddr *a, guint owner, BridgeHandle ep,
                         guint cand)
{
    guint32 i = hash_addr(t, a) & t->mask;
    while (t->slots[i].used && !bridge_addr_equal(&t->slots[i].addr, a))
        i = (i + 1) & t->mask;
    BridgeFlow *f = &t->slots[i];
    if (!f->used) {
        if (t->n >= t->max)
            return FALSE;
        t->n++;
        f->used = 1;
        f->addr = *a;
    }
    f->owner = (guint8)owner;
    f->ep = ep;
    f->cand = (guint8)cand;
    return TRUE;
}

gboolean bridge_flow_remove(BridgeFlowTable *t, const BridgeAddr *a, guint owner)
{
    BridgeFlow *f = bridge_flow_lookup(t, a);
    if (!f || f->owner != owner)
        return FALSE;
    /* Backward-shift deletion: pull later members of the probe run into the hole, so lookups
     * never need tombstones. */
    guint32 hole = (guint32)(f - t->slots);
    for (guint32 j = (hole + 1) & t->mask; t->slots[j].used; j = (j + 1) & t->mask) {
        guint32 home = hash_addr(t, &t->slots[j].addr) & t->mask;
        /* Move j into the hole if its home is not in (hole, j] (cyclically). */
        gboolean between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    memset(&t->slots[hole], 0, sizeof t->slots[hole]);
    t->n--;
    return TRUE;
}
