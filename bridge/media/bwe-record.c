/* SPDX-License-Identifier: MIT */
/* The estimator's input as a text trace (bwe-record.h). Thread: the endpoint's media worker. */
#include "bridge/media/bwe-record.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>

struct BridgeBweRecord {
    FILE *f;
    int64_t last_us;
    int64_t flushed_us;
};

BridgeBweRecord *bridge_bwe_record_open(const char *conference_id, const char *endpoint_id)
{
    const char *dir = g_getenv("PARLEY_BWE_RECORD");
    if (!dir || !*dir)
        return NULL;
    char *name = g_strdup_printf("%s-%s.bwe", conference_id ? conference_id : "",
                                 endpoint_id ? endpoint_id : "");
    g_strdelimit(name, "/\\", '_');
    char *path = g_build_filename(dir, name, NULL);
    g_mkdir_with_parents(dir, 0755);
    FILE *f = fopen(path, "w");
    if (!f) {
        g_warning("PARLEY_BWE_RECORD: cannot write %s", path);
        g_free(path);
        g_free(name);
        return NULL;
    }
    g_info("bandwidth estimator input recorded to %s", path);
    g_free(path);
    g_free(name);
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    BridgeBweRecord *r = g_new0(BridgeBweRecord, 1);
    r->f = f;
    r->last_us = r->flushed_us = g_get_monotonic_time();
    fprintf(f, "# parley-bwe-trace 1 conference=%s endpoint=%s t0=%" PRId64 " real=%" PRId64 "\n",
            conference_id ? conference_id : "", endpoint_id ? endpoint_id : "", r->last_us,
            g_get_real_time());
    return r;
}

void bridge_bwe_record_close(BridgeBweRecord *r)
{
    if (!r)
        return;
    fclose(r->f);
    g_free(r);
}

static int64_t delta(BridgeBweRecord *r, int64_t t_us)
{
    int64_t d = t_us - r->last_us;
    r->last_us = t_us;
    return d;
}

void bridge_bwe_record_sent(BridgeBweRecord *r, uint16_t seq, uint32_t size, int64_t t_us)
{
    fprintf(r->f, "s %" PRId64 " %u %u\n", delta(r, t_us), (unsigned)seq, (unsigned)size);
}

void bridge_bwe_record_feedback(BridgeBweRecord *r, const PaTccStatus *st, size_t n, int64_t t_us)
{
    fprintf(r->f, "f %" PRId64 " %u", delta(r, t_us), n ? (unsigned)st[0].seq : 0u);
    uint16_t next = n ? st[0].seq : 0;
    bool any = false;
    int64_t prev = 0;
    for (size_t k = 0; k < n; k++) {
        if (st[k].seq != next)
            fprintf(r->f, " @%u", (unsigned)st[k].seq);
        next = (uint16_t)(st[k].seq + 1);
        if (st[k].status == PA_TCC_NOT_RECV) {
            fputs(" x", r->f);
            continue;
        }
        int64_t a = st[k].arrival_us;
        if (any && (a - prev) % 250 == 0)
            fprintf(r->f, " %" PRId64, (a - prev) / 250);
        else
            fprintf(r->f, " =%" PRId64, a);
        any = true;
        prev = a;
    }
    fputc('\n', r->f);
    /* About once a second, so that a bridge killed keeps most of its trace. */
    if (t_us - r->flushed_us > G_USEC_PER_SEC) {
        fflush(r->f);
        r->flushed_us = t_us;
    }
}

void bridge_bwe_record_rtt(BridgeBweRecord *r, int64_t rtt_us, int64_t t_us)
{
    fprintf(r->f, "r %" PRId64 " %" PRId64 "\n", delta(r, t_us), rtt_us);
}

void bridge_bwe_record_probe(BridgeBweRecord *r, uint64_t wanted_bps, bool due, int64_t t_us)
{
    fprintf(r->f, "p %" PRId64 " %" PRIu64 " %d\n", delta(r, t_us), wanted_bps, due ? 1 : 0);
}

void bridge_bwe_record_estimate(BridgeBweRecord *r, uint64_t estimate_bps, int64_t t_us)
{
    fprintf(r->f, "e %" PRId64 " %" PRIu64 "\n", delta(r, t_us), estimate_bps);
}
