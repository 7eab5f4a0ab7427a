/* SPDX-License-Identifier: MIT */
/* srtp-bench: what the bridge's crypto costs on this machine. Prints, side by side for
 * libsrtp2's built-in crypto (NSS in Debian's build) and Parley's OpenSSL crypto types
 * (bridge/srtp/srtp-openssl.c, the default), nanoseconds per SRTP protect and unprotect for
 * both profiles at 200 and 1200 bytes of payload, and the time of one DTLS handshake (bridge
 * client <-> bridge server in memory, ECDHE + ECDSA P-256 both ways). Outside sanitizer
 * builds it also counts heap allocations per protect and per unprotect. A benchmark, not a
 * test: it asserts nothing about time.
 *
 *   srtp-bench [--iterations N] [--handshakes N]
 *
 * Single-threaded; run it on an otherwise idle machine for stable figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge/dtls/dtls.h"
#include "bridge/srtp/srtp.h"

#ifdef SRTP_BENCH_COUNT_ALLOCS
/* Counts heap allocations made while `counting` is set, to show what the crypto backend
 * allocates per packet. glibc only (its __libc_* entry points); off in sanitizer builds,
 * which bring their own malloc. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
static gboolean counting;
static guint64 allocations;
void *malloc(size_t n)
{
    allocations += counting;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    allocations += counting;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    allocations += counting;
    return __libc_realloc(p, n);
}
#endif

#define BATCH 256
#define MAX_PKT 1500

static gint64 clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gint64 now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* CPU time of this thread: on a shared machine it leaves out the time other processes had the
 * core, so per-packet costs stay comparable between runs. */
static gint64 cpu_ns(void)
{
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static void make_keys(BridgeSrtpProfile p, BridgeSrtpKeys *a, BridgeSrtpKeys *b)
{
    memset(a, 0, sizeof *a);
    a->profile = p;
    a->key_salt_len = p == BRIDGE_SRTP_AEAD_AES_128_GCM ? 28 : 30;
    for (gsize i = 0; i < a->key_salt_len; i++) {
        a->local[i] = (guint8)g_random_int();
        a->remote[i] = (guint8)g_random_int();
    }
    *b = *a;
    memcpy(b->local, a->remote, sizeof b->local);
    memcpy(b->remote, a->local, sizeof b->remote);
}

static gsize make_rtp(guint8 *buf, guint16 seq, gsize payload)
{
    memset(buf, 0, 12);
    buf[0] = 0x80;
    buf[1] = 96;
    buf[2] = (guint8)(seq >> 8);
    buf[3] = (guint8)seq;
    buf[8] = 0xca, buf[9] = 0xfe, buf[10] = 0xba, buf[11] = 0xbe;
    for (gsize i = 0; i < payload; i++)
        buf[12 + i] = (guint8)(i + seq);
    return 12 + payload;
}

typedef struct {
    double protect_ns, unprotect_ns;         /* thread CPU time per packet */
    double protect_allocs, unprotect_allocs; /* heap allocations per call; < 0: not counted */
} RoundTrip;

/* Protect and unprotect through the public API, in batches, on the crypto currently chosen:
 * the sender protects BATCH packets (timed), the receiver unprotects them (timed
 * separately), thread CPU time. Returns FALSE on any failure. */
static gboolean bench_round_trip(BridgeSrtpProfile p, gsize payload, guint iterations,
                                 RoundTrip *out)
{
    out->protect_allocs = out->unprotect_allocs = -1; /* unknown */
    BridgeSrtpKeys ka, kb;
    make_keys(p, &ka, &kb);
    BridgeSrtp *tx = bridge_srtp_new(&ka, NULL), *rx = bridge_srtp_new(&kb, NULL);
    if (tx == NULL || rx == NULL)
        return FALSE;
    guint8(*pkts)[MAX_PKT] = g_malloc(BATCH * MAX_PKT);
    gsize lens[BATCH];
    gint64 t_protect = 0, t_unprotect = 0;
    guint done = 0, seq = 0;
    gboolean ok = TRUE;
    for (int warm = 1; warm >= 0; warm--) {
        guint target = warm ? BATCH : iterations;
        for (done = 0; done < target && ok; done += BATCH) {
            for (guint i = 0; i < BATCH; i++)
                lens[i] = make_rtp(pkts[i], (guint16)seq++, payload);
            gint64 t0 = cpu_ns();
            for (guint i = 0; i < BATCH; i++)
                ok = ok && bridge_srtp_protect(tx, pkts[i], &lens[i], MAX_PKT) == BRIDGE_SRTP_OK;
            gint64 t1 = cpu_ns();
            for (guint i = 0; i < BATCH; i++)
                ok = ok && bridge_srtp_unprotect(rx, pkts[i], &lens[i]) == BRIDGE_SRTP_OK;
            gint64 t2 = cpu_ns();
#ifdef SRTP_BENCH_COUNT_ALLOCS
            if (!warm && done == 0) { /* one batch, after the streams exist */
                for (guint i = 0; i < BATCH; i++)
                    lens[i] = make_rtp(pkts[i], (guint16)seq++, payload);
                allocations = 0;
                counting = TRUE;
                for (guint i = 0; i < BATCH; i++)
                    ok =
                        ok && bridge_srtp_protect(tx, pkts[i], &lens[i], MAX_PKT) == BRIDGE_SRTP_OK;
                counting = FALSE;
                out->protect_allocs = (double)allocations / BATCH;
                allocations = 0;
                counting = TRUE;
                for (guint i = 0; i < BATCH; i++)
                    ok = ok && bridge_srtp_unprotect(rx, pkts[i], &lens[i]) == BRIDGE_SRTP_OK;
                counting = FALSE;
                out->unprotect_allocs = (double)allocations / BATCH;
            }
#endif
            if (!warm) {
                t_protect += t1 - t0;
                t_unprotect += t2 - t1;
            }
        }
    }
    out->protect_ns = (double)t_protect / done;
    out->unprotect_ns = (double)t_unprotect / done;
    g_free(pkts);
    bridge_srtp_free(tx);
    bridge_srtp_free(rx);
    return ok;
}

#define REPEATS 5

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v)
{
    qsort(v, REPEATS, sizeof *v, cmp_double);
    return v[REPEATS / 2];
}

/* ---- DTLS handshake -------------------------------------------------------------------- */

typedef struct {
    BridgeDtls *dtls;
    GQueue inbox;
} Side;

static void on_send(const guint8 *data, gsize len, gpointer user_data)
{
    Side *to = user_data;
    g_queue_push_tail(&to->inbox, g_bytes_new(data, len));
}

static gboolean drain(Side *s)
{
    gboolean moved = FALSE;
    GBytes *b;
    while ((b = g_queue_pop_head(&s->inbox)) != NULL) {
        bridge_dtls_handle(s->dtls, g_bytes_get_data(b, NULL), g_bytes_get_size(b));
        g_bytes_unref(b);
        moved = TRUE;
    }
    return moved;
}

/* One full handshake between two BridgeDtls in memory; returns its duration or -1. */
static gint64 one_handshake(const BridgeDtlsCert *cs, const BridgeDtlsCert *cc)
{
    Side srv = {0}, cli = {0};
    g_queue_init(&srv.inbox);
    g_queue_init(&cli.inbox);
    gint64 t0 = cpu_ns();
    srv.dtls = bridge_dtls_new(cs, BRIDGE_DTLS_ROLE_SERVER, on_send, &cli);
    cli.dtls = bridge_dtls_new(cc, BRIDGE_DTLS_ROLE_CLIENT, on_send, &srv);
    bridge_dtls_set_remote_fingerprint(srv.dtls, "sha-256", bridge_dtls_cert_fingerprint(cc));
    bridge_dtls_set_remote_fingerprint(cli.dtls, "sha-256", bridge_dtls_cert_fingerprint(cs));
    bridge_dtls_start(cli.dtls);
    for (int i = 0; i < 32 && (drain(&srv) | drain(&cli)); i++)
        ;
    BridgeSrtpKeys k;
    gboolean ok =
        bridge_dtls_get_srtp_keys(srv.dtls, &k) && bridge_dtls_get_srtp_keys(cli.dtls, &k);
    gint64 t = cpu_ns() - t0;
    if (!ok)
        fprintf(stderr, "srtp-bench: handshake failed: server '%s', client '%s'\n",
                bridge_dtls_error(srv.dtls), bridge_dtls_error(cli.dtls));
    bridge_dtls_free(srv.dtls);
    bridge_dtls_free(cli.dtls);
    g_queue_clear_full(&srv.inbox, (GDestroyNotify)g_bytes_unref);
    g_queue_clear_full(&cli.inbox, (GDestroyNotify)g_bytes_unref);
    return ok ? t : -1;
}

int main(int argc, char **argv)
{
    gint iterations = 50000, handshakes = 50;
    GOptionEntry entries[] = {
        {"iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, "packets per measurement", "N"},
        {"handshakes", 'd', 0, G_OPTION_ARG_INT, &handshakes, "DTLS handshakes to time", "N"},
        {NULL}};
    GOptionContext *ctx = g_option_context_new("- Parley bridge crypto benchmark");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || iterations < BATCH ||
        handshakes < 1) {
        fprintf(stderr, "srtp-bench: %s\n",
                error != NULL ? error->message : "--iterations >= 256, --handshakes >= 1");
        return 2;
    }
    g_option_context_free(ctx);

    bridge_srtp_global_init();
    const BridgeSrtpCrypto cryptos[] = {BRIDGE_SRTP_CRYPTO_LIBSRTP, BRIDGE_SRTP_CRYPTO_OPENSSL};
    const char *names[G_N_ELEMENTS(cryptos)];
    for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++) {
        if (!bridge_srtp_set_crypto(cryptos[c])) {
            fprintf(stderr, "srtp-bench: libsrtp refused the switch of crypto\n");
            return 1;
        }
        names[c] = bridge_srtp_backend();
    }
    printf("SRTP crypto: libsrtp2 built-in = %s, Parley = %s (the bridge's default)\n",
           bridge_srtp_builtin_backend(), BRIDGE_SRTP_OPENSSL_BACKEND);
    printf("ns per packet (12-byte RTP header + payload) through bridge_srtp_(un)protect, thread "
           "CPU time,\nmedian of %d runs of %d packets; allocs = heap allocations per protect / "
           "per unprotect\n\n",
           REPEATS, iterations);
    printf("%-24s %7s |", "", "");
    for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++)
        printf(" %-33.33s |", names[c]);
    printf(" %s\n", "speed-up");
    printf("%-24s %7s |", "profile", "payload");
    for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++)
        printf(" %8s %9s %14s |", "protect", "unprotect", "allocs");
    printf(" %8s %9s\n", "protect", "unprotect");

    const BridgeSrtpProfile profiles[] = {BRIDGE_SRTP_AEAD_AES_128_GCM,
                                          BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80};
    const gsize sizes[] = {200, 1200};
    int rc = 0;
    /* Let the CPU clock settle before the first figure. */
    RoundTrip ignored;
    bench_round_trip(profiles[0], 1200, (guint)iterations, &ignored);
    for (gsize p = 0; p < G_N_ELEMENTS(profiles); p++) {
        for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
            printf("%-24s %7zu |", bridge_srtp_profile_name(profiles[p]), sizes[s]);
            double prot[G_N_ELEMENTS(cryptos)], unprot[G_N_ELEMENTS(cryptos)];
            for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++) {
                bridge_srtp_set_crypto(cryptos[c]);
                double pr[REPEATS], un[REPEATS];
                RoundTrip rt = {0};
                for (int r = 0; r < REPEATS; r++) {
                    if (!bench_round_trip(profiles[p], sizes[s], (guint)iterations, &rt)) {
                        fprintf(stderr, "srtp-bench: %s round trip on %s failed\n",
                                bridge_srtp_profile_name(profiles[p]), names[c]);
                        return 1;
                    }
                    pr[r] = rt.protect_ns;
                    un[r] = rt.unprotect_ns;
                }
                prot[c] = median(pr);
                unprot[c] = median(un);
                char allocs[32] = "n/a";
                if (rt.protect_allocs >= 0)
                    g_snprintf(allocs, sizeof allocs, "%.1f / %.1f", rt.protect_allocs,
                               rt.unprotect_allocs);
                printf(" %8.0f %9.0f %14s |", prot[c], unprot[c], allocs);
            }
            printf(" %7.1fx %8.1fx\n", prot[0] / prot[1], unprot[0] / unprot[1]);
        }
    }

    /* What the bridge logs and exports at start-up (raw srtp_protect, wall clock). */
    printf("\nstart-up probe, bridge_srtp_measure_protect_ns, 1200 B, wall clock:");
    for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++) {
        bridge_srtp_set_crypto(cryptos[c]);
        printf(" %s: GCM %.0f ns, CM %.0f ns%s", names[c],
               bridge_srtp_measure_protect_ns(profiles[0], 1200, (guint)iterations),
               bridge_srtp_measure_protect_ns(profiles[1], 1200, (guint)iterations),
               c + 1 < G_N_ELEMENTS(cryptos) ? ";" : "\n");
    }
    bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL);

    GError *err = NULL;
    gint64 t0 = now_ns();
    BridgeDtlsCert *cs = bridge_dtls_cert_new(&err);
    gint64 t_cert = now_ns() - t0;
    BridgeDtlsCert *cc = cs != NULL ? bridge_dtls_cert_new(&err) : NULL;
    if (cc == NULL) {
        fprintf(stderr, "srtp-bench: %s\n", err->message);
        return 1;
    }
    one_handshake(cs, cc); /* warm-up */
    gint64 total = 0, best = G_MAXINT64;
    for (int i = 0; i < handshakes; i++) {
        gint64 t = one_handshake(cs, cc);
        if (t < 0) {
            rc = 1;
            break;
        }
        total += t;
        best = MIN(best, t);
    }
    printf("\nDTLS 1.2 handshake (ECDHE, ECDSA P-256 both sides, in memory, both ends in this "
           "thread, CPU time): mean %.2f ms, best %.2f ms over %d\n",
           total / 1e6 / handshakes, best / 1e6, handshakes);
    printf("certificate + key generation: %.2f ms\n", t_cert / 1e6);
    bridge_dtls_cert_free(cs);
    bridge_dtls_cert_free(cc);
    bridge_srtp_global_shutdown();
    return rc;
}
