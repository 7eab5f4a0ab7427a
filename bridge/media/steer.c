/* SPDX-License-Identifier: MIT */
/* Steering the media port: a classic BPF program attached to each address's SO_REUSEPORT
 * group (SO_ATTACH_REUSEPORT_CBPF) picks, for every datagram, the socket of the worker that
 * owns its flow, so a packet is read by the thread that processes it and the inbox hand-over
 * (worker.c) is only a fallback.
 *
 * What the program knows is what the bridge controls: the table of peer addresses that have
 * validated, rebuilt here as a binary search over 32-bit keys hashed from the source address
 * and port (read from the IP header with SKF_NET_OFF; a collision or an IP header with options
 * only costs a hand-over), and the bridge's own ICE ufrags, whose first character names the
 * worker: a connectivity check whose first attribute is USERNAME (browsers put it first) goes
 * to the right worker before its address is known. Anything else gets an index past the group
 * and the kernel falls back to its own hash (junk spreads over the workers, and is dropped
 * there before any per-endpoint work).
 *
 * Threads: the control thread. Workers report flow changes as results (media.c); the program
 * is rebuilt at most every STEER_DELAY_MS, and at most STEER_MAX_FLOWS flows are steered (the
 * rest are handed over): a classic program has at most 4096 instructions. */
#include "bridge/media/media-priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <string.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define STEER_DELAY_MS 10
#define STEER_MAX_FLOWS 1000
#define STEER_KEY_MUL 0x9E3779B1u
#define STEER_MISS 0xffffffffu
#define LEAF_KEYS 4

struct _BridgeSteer {
    BridgeMedia *media;
    GHashTable *flows[2];  /* per family (0: IPv4, 1: IPv6): BridgeAddr * -> worker + 1 */
    GSource *timer_source; /* pending rebuild, on the control context */
    int last_errno;
    gboolean active[BRIDGE_MAX_LOCAL_ADDRS];
    guint64 rebuilds;
};

typedef struct {
    guint32 key;
    guint32 worker;
} KeyEntry;

/* The key the program computes for a datagram from @a. */
static guint32 steer_key(const BridgeAddr *a)
{
    guint32 k = 0, w;
    if (a->family == AF_INET6) {
        for (guint i = 0; i < 4; i++) {
            memcpy(&w, a->ip + 4 * i, 4);
            k ^= ntohl(w);
        }
    } else {
        memcpy(&w, a->ip, 4);
        k = ntohl(w);
    }
    return k ^ ((guint32)ntohs(a->port) * STEER_KEY_MUL);
}

static guint addr_hash(gconstpointer p)
{
    return steer_key(p);
}

static gboolean addr_eq(gconstpointer a, gconstpointer b)
{
    return bridge_addr_equal(a, b);
}

/* ---- program building ---- */

typedef struct {
    struct sock_filter *ins;
    guint n, cap;
    GArray *to_miss; /* indices of "ja miss" instructions to patch */
    gboolean overflow;
} Prog;

static guint emit(Prog *p, guint16 code, guint8 jt, guint8 jf, guint32 k)
{
    if (p->n == p->cap) {
        p->overflow = TRUE;
        return p->n - 1;
    }
    p->ins[p->n] = (struct sock_filter){code, jt, jf, k};
    return p->n++;
}

static int cmp_key(const void *a, const void *b)
{
    guint32 x = ((const KeyEntry *)a)->key, y = ((const KeyEntry *)b)->key;
    return x < y ? -1 : x > y;
}

/* A binary search over keys[lo, hi): leaves of up to LEAF_KEYS comparisons; inner nodes jump
 * with BPF_JA, whose offset has 32 bits (conditional jumps only have 8). */
static void emit_tree(Prog *p, const KeyEntry *keys, guint lo, guint hi)
{
    if (hi - lo <= LEAF_KEYS) {
        for (guint i = lo; i < hi; i++) {
            emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, keys[i].key);
            emit(p, BPF_RET | BPF_K, 0, 0, keys[i].worker);
        }
        guint ja = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
        g_array_append_val(p->to_miss, ja);
        return;
    }
    guint mid = lo + (hi - lo) / 2;
    /* A >= keys[mid] -> the "ja right" just after; otherwise skip it into the left half. */
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, keys[mid].key);
    guint ja = emit(p, BPF_JMP | BPF_JA, 0, 0, 0);
    emit_tree(p, keys, lo, mid);
    p->ins[ja].k = p->n - ja - 1;
    emit_tree(p, keys, mid, hi);
}

/* The STUN part: the worker named by the first character of the ufrag in a USERNAME that is
 * the first attribute (ice.c: bridge_ice_credentials). */
static void emit_stun(Prog *p)
{
    /* Layout (jump offsets count from the next instruction):
     *  0 ldb [0]        1 jge 4 -> 10    2 ldh [20]      3 jeq 6 else -> 10   4 ldb [24]
     *  5 jge 'a' -> 12  6 jge 'A' -> 15  7 jge '0' -> 17  8 jeq '+' -> 11     9 jeq '/' -> 14
     * 10 ret miss      11 ret 62        12 A -= 'a' - 26 13 ret A            14 ret 63
     * 15 A -= 'A'      16 ret A         17 A += 52 - '0' 18 ret A */
    emit(p, BPF_LD | BPF_B | BPF_ABS, 0, 0, 0);
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 8, 0, 4); /* not STUN -> miss */
    emit(p, BPF_LD | BPF_H | BPF_ABS, 0, 0, 20);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 6, 0x0006); /* not USERNAME -> miss */
    emit(p, BPF_LD | BPF_B | BPF_ABS, 0, 0, 24);
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 6, 0, 'a');
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 8, 0, 'A');
    emit(p, BPF_JMP | BPF_JGE | BPF_K, 9, 0, '0');
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, '+');
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, 4, 0, '/');
    emit(p, BPF_RET | BPF_K, 0, 0, STEER_MISS);
    emit(p, BPF_RET | BPF_K, 0, 0, 62);
    emit(p, BPF_ALU | BPF_SUB | BPF_K, 0, 0, 'a' - 26); /* 'a'.. */
    emit(p, BPF_RET | BPF_A, 0, 0, 0);
    emit(p, BPF_RET | BPF_K, 0, 0, 63);
    emit(p, BPF_ALU | BPF_SUB | BPF_K, 0, 0, 'A'); /* 'A'.. */
    emit(p, BPF_RET | BPF_A, 0, 0, 0);
    emit(p, BPF_ALU | BPF_ADD | BPF_K, 0, 0, 52 - '0'); /* '0'.. */
    emit(p, BPF_RET | BPF_A, 0, 0, 0);
}

static void emit_key(Prog *p, int family)
{
    if (family == AF_INET6) {
        emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (guint32)(SKF_NET_OFF + 8));
        for (guint i = 1; i < 4; i++) {
            emit(p, BPF_MISC | BPF_TAX, 0, 0, 0);
            emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (guint32)(SKF_NET_OFF + 8 + 4 * i));
            emit(p, BPF_ALU | BPF_XOR | BPF_X, 0, 0, 0);
        }
        emit(p, BPF_MISC | BPF_TAX, 0, 0, 0);
        emit(p, BPF_LD | BPF_H | BPF_ABS, 0, 0, (guint32)(SKF_NET_OFF + 40));
    } else {
        emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (guint32)(SKF_NET_OFF + 12));
        emit(p, BPF_MISC | BPF_TAX, 0, 0, 0);
        emit(p, BPF_LD | BPF_H | BPF_ABS, 0, 0, (guint32)(SKF_NET_OFF + 20));
    }
    emit(p, BPF_ALU | BPF_MUL | BPF_K, 0, 0, STEER_KEY_MUL);
    emit(p, BPF_ALU | BPF_XOR | BPF_X, 0, 0, 0);
}

/* Builds the program for @family from the flows (TRUE when it fits) into @p. */
static gboolean build(BridgeSteer *s, int family, Prog *p)
{
    GHashTable *flows = s->flows[family == AF_INET6];
    GArray *keys = g_array_sized_new(FALSE, FALSE, sizeof(KeyEntry), g_hash_table_size(flows));
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, flows);
    while (g_hash_table_iter_next(&it, &k, &v) && keys->len < STEER_MAX_FLOWS) {
        KeyEntry e = {steer_key(k), GPOINTER_TO_UINT(v) - 1};
        g_array_append_val(keys, e);
    }
    g_array_sort(keys, cmp_key);
    /* Two flows with one key: keep the first (the other is handed over). */
    guint j = 0;
    for (guint i = 0; i < keys->len; i++)
        if (j == 0 ||
            g_array_index(keys, KeyEntry, j - 1).key != g_array_index(keys, KeyEntry, i).key)
            g_array_index(keys, KeyEntry, j++) = g_array_index(keys, KeyEntry, i);
    g_array_set_size(keys, j);

    p->n = 0;
    p->overflow = FALSE;
    g_array_set_size(p->to_miss, 0);
    if (keys->len) {
        emit_key(p, family);
        emit_tree(p, (const KeyEntry *)keys->data, 0, keys->len);
    }
    guint miss = p->n;
    for (guint i = 0; i < p->to_miss->len; i++) {
        guint at = g_array_index(p->to_miss, guint, i);
        p->ins[at].k = miss - at - 1;
    }
    emit_stun(p);
    g_array_unref(keys);
    return !p->overflow;
}

static void apply(BridgeSteer *s)
{
    BridgeMedia *m = s->media;
    Prog p = {.cap = BPF_MAXINSNS, .to_miss = g_array_new(FALSE, FALSE, sizeof(guint))};
    p.ins = g_new(struct sock_filter, p.cap);
    for (int fam = 0; fam < 2; fam++) {
        int family = fam ? AF_INET6 : AF_INET;
        gboolean any = FALSE;
        for (guint a = 0; a < m->n_addrs; a++)
            any |= m->addrs[a].family == family;
        if (!any)
            continue;
        if (!build(s, family, &p)) {
            g_warning("media port: steering program too large; flows beyond it are handed over");
            continue;
        }
        struct sock_fprog prog = {.len = (unsigned short)p.n, .filter = p.ins};
        for (guint a = 0; a < m->n_addrs; a++) {
            if (m->addrs[a].family != family)
                continue;
            /* The group shares one program: attaching it to any member sets it for all. */
            int fd = m->fds[a * m->n_workers];
            gboolean ok =
                setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) == 0;
            if (!ok) {
                s->last_errno = errno;
                if (s->active[a])
                    g_warning("media port: SO_ATTACH_REUSEPORT_CBPF failed: %s", g_strerror(errno));
            }
            s->active[a] = ok;
        }
    }
    s->rebuilds++;
    g_array_unref(p.to_miss);
    g_free(p.ins);
}

static gboolean on_timer(gpointer data)
{
    BridgeSteer *s = data;
    g_source_unref(s->timer_source);
    s->timer_source = NULL;
    apply(s);
    return G_SOURCE_REMOVE;
}

BridgeSteer *bridge_steer_new(BridgeMedia *m)
{
    BridgeSteer *s = g_new0(BridgeSteer, 1);
    s->media = m;
    for (int i = 0; i < 2; i++)
        s->flows[i] = g_hash_table_new_full(addr_hash, addr_eq, g_free, NULL);
    apply(s);
    gboolean any = FALSE;
    for (guint a = 0; a < m->n_addrs; a++)
        any |= s->active[a];
    if (!any) {
        g_message("media port: no kernel steering (SO_ATTACH_REUSEPORT_CBPF: %s); datagrams "
                  "that reach the wrong worker are handed over",
                  g_strerror(s->last_errno));
        bridge_steer_free(s);
        return NULL;
    }
    return s;
}

void bridge_steer_free(BridgeSteer *s)
{
    if (!s)
        return;
    if (s->timer_source) {
        g_source_destroy(s->timer_source);
        g_source_unref(s->timer_source);
    }
    for (int i = 0; i < 2; i++)
        g_hash_table_unref(s->flows[i]);
    g_free(s);
}

void bridge_steer_flow(BridgeSteer *s, const BridgeAddr *addr, guint worker, gboolean add)
{
    GHashTable *t = s->flows[addr->family == AF_INET6];
    if (add) {
        g_hash_table_replace(t, g_memdup2(addr, sizeof *addr), GUINT_TO_POINTER(worker + 1));
    } else {
        gpointer v = g_hash_table_lookup(t, addr);
        if (!v || GPOINTER_TO_UINT(v) - 1 != worker)
            return; /* another worker owns it by now */
        g_hash_table_remove(t, addr);
    }
    if (!s->timer_source) {
        s->timer_source = g_timeout_source_new(STEER_DELAY_MS);
        g_source_set_callback(s->timer_source, on_timer, s, NULL);
        g_source_attach(s->timer_source, s->media->control);
    }
}

gboolean bridge_steer_active(BridgeSteer *s)
{
    if (!s)
        return FALSE;
    for (guint a = 0; a < s->media->n_addrs; a++)
        if (s->active[a])
            return TRUE;
    return FALSE;
}
