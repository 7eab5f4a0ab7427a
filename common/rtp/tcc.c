/* SPDX-License-Identifier: MIT */
/* Transport-cc feedback writer and parser (see tcc.h). Stateless; any thread.
 * The writer runs its chunk decisions twice with the same inputs: once to size the packet
 * (how many chunks, how many delta bytes, how many statuses fit), once to write chunks and
 * deltas at their final offsets. Nothing is buffered, so no scratch memory is needed. */
#include "common/rtp/tcc.h"

#include <stdbool.h>
#include <string.h>

#define TICK_US 250
#define REF_US 64000 /* 256 ticks */
#define MAX_RUN 8191
#define MAX_STATUSES 65535

typedef struct {
    const int64_t *a;
    size_t n; /* statuses allowed (delta range and 65535 applied) */
    size_t cap;
    int64_t prev0; /* reference time in ticks */
    uint8_t *buf;  /* NULL: sizing pass */
    size_t delta_off;
    /* results */
    size_t chunks, delta_bytes, consumed;
} Enc;

/* Symbol of entry @j given the previous received packet's time in ticks (*prev, updated). */
static uint8_t classify(const int64_t *a, size_t j, int64_t *prev, int32_t *delta)
{
    if (a[j] < 0) {
        *delta = 0;
        return PA_TCC_NOT_RECV;
    }
    int64_t t = a[j] / TICK_US;
    int64_t d = t - *prev;
    *prev = t;
    *delta = (int32_t)d; /* the caller limited n so that every delta fits in 16 bits */
    return (d >= 0 && d <= 255) ? PA_TCC_SMALL : PA_TCC_LARGE;
}

static size_t pad4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

static void encode(Enc *e)
{
    size_t i = 0;
    int64_t prev = e->prev0;
    e->chunks = e->delta_bytes = e->consumed = 0;
    while (i < e->n) {
        size_t rem = e->n - i;
        int64_t p = prev;
        int32_t d;
        uint8_t s0 = classify(e->a, i, &p, &d);
        size_t run = 1;
        while (i + run < e->n && run < MAX_RUN && classify(e->a, i + run, &p, &d) == s0)
            run++;
        enum { RL, V1, V2 } kind;
        size_t count;
        if (run >= 14 || run == rem) {
            kind = RL;
            count = run;
        } else {
            size_t look = rem < 14 ? rem : 14;
            bool large = false;
            p = prev;
            for (size_t j = 0; j < look; j++)
                large |= classify(e->a, i + j, &p, &d) == PA_TCC_LARGE;
            if (!large) {
                kind = V1;
                count = look;
            } else if (run >= 7) {
                kind = RL;
                count = run;
            } else {
                kind = V2;
                count = rem < 7 ? rem : 7;
            }
        }
        /* How many of them fit (with their deltas and the final padding). */
        size_t k = 0, bytes = 0;
        p = prev;
        while (k < count) {
            uint8_t s = classify(e->a, i + k, &p, &d);
            size_t w = s == PA_TCC_NOT_RECV ? 0 : s == PA_TCC_SMALL ? 1 : 2;
            if (pad4(PA_TCC_MIN_LEN + 2 * (e->chunks + 1) + e->delta_bytes + bytes + w) > e->cap)
                break;
            bytes += w;
            k++;
        }
        if (k == 0)
            break;
        uint16_t chunk = 0;
        size_t doff = e->delta_off + e->delta_bytes;
        for (size_t j = 0; j < k; j++) {
            uint8_t s = classify(e->a, i + j, &prev, &d);
            if (kind == V1)
                chunk |= (uint16_t)(s << (13 - j));
            else if (kind == V2)
                chunk |= (uint16_t)(s << (12 - 2 * j));
            if (!e->buf || s == PA_TCC_NOT_RECV)
                continue;
            if (s == PA_TCC_SMALL) {
                e->buf[doff++] = (uint8_t)d;
            } else {
                pa_wr16(e->buf + doff, (uint16_t)(int16_t)d);
                doff += 2;
            }
        }
        if (kind == RL)
            chunk = (uint16_t)(s0 << 13 | k);
        else if (kind == V1)
            chunk |= 0x8000;
        else
            chunk |= 0xc000;
        if (e->buf)
            pa_wr16(e->buf + PA_TCC_MIN_LEN + 2 * e->chunks, chunk);
        e->chunks++;
        e->delta_bytes += bytes;
        e->consumed += k;
        i += k;
        if (k < count)
            break; /* out of room: this was the last chunk */
    }
}

size_t pa_tcc_write(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    uint16_t base_seq, uint8_t fb_count, const int64_t *arrival_us, size_t n,
                    size_t *consumed)
{
    if (consumed)
        *consumed = 0;
    if (!buf || !arrival_us || n == 0)
        return 0;
    if (cap > PA_RTCP_MAX_PACKET_LEN)
        cap = PA_RTCP_MAX_PACKET_LEN;
    if (n > MAX_STATUSES)
        n = MAX_STATUSES;
    /* Reference time from the first received packet; stop before the first delta that does
     * not fit in the large form. */
    int64_t ref = 0;
    size_t r;
    for (r = 0; r < n && arrival_us[r] < 0; r++)
        ;
    if (r < n)
        ref = arrival_us[r] / REF_US;
    int64_t prev = ref * (REF_US / TICK_US);
    for (size_t j = r; j < n; j++) {
        if (arrival_us[j] < 0)
            continue;
        int64_t t = arrival_us[j] / TICK_US;
        if (t - prev < INT16_MIN || t - prev > INT16_MAX) {
            n = j;
            break;
        }
        prev = t;
    }
    Enc e = {.a = arrival_us, .n = n, .cap = cap, .prev0 = ref * (REF_US / TICK_US)};
    encode(&e);
    if (e.consumed == 0)
        return 0;
    size_t body = PA_TCC_MIN_LEN + 2 * e.chunks + e.delta_bytes;
    size_t len = pad4(body);
    e.buf = buf;
    e.delta_off = PA_TCC_MIN_LEN + 2 * e.chunks;
    encode(&e);
    size_t pad = len - body;
    buf[0] = (uint8_t)(0x80 | (pad ? 0x20 : 0) | PA_RTCP_RTPFB_TCC);
    buf[1] = PA_RTCP_RTPFB;
    pa_wr16(buf + 2, (uint16_t)(len / 4 - 1));
    pa_wr32(buf + 4, sender_ssrc);
    pa_wr32(buf + 8, media_ssrc);
    pa_wr16(buf + 12, base_seq);
    pa_wr16(buf + 14, (uint16_t)e.consumed);
    pa_wr24(buf + 16, (uint32_t)ref & 0xffffff);
    buf[19] = fb_count;
    if (pad) {
        memset(buf + body, 0, pad);
        buf[len - 1] = (uint8_t)pad;
    }
    if (consumed)
        *consumed = e.consumed;
    return len;
}

/* Symbol @k of chunk @c (k below the chunk's capacity). */
static uint8_t chunk_symbol(uint16_t c, unsigned k)
{
    if (!(c & 0x8000))
        return (uint8_t)((c >> 13) & 3);
    if (!(c & 0x4000))
        return (uint8_t)((c >> (13 - k)) & 1);
    return (uint8_t)((c >> (12 - 2 * k)) & 3);
}

static unsigned chunk_capacity(uint16_t c)
{
    if (!(c & 0x8000))
        return c & 0x1fff;
    return (c & 0x4000) ? 7 : 14;
}

PaRtcpStatus pa_tcc_parse(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpTcc *hdr,
                          PaTccStatus *out, size_t cap, size_t *n_out)
{
    if (n_out)
        *n_out = 0;
    PaRtcpStatus st = pa_rtcp_parse_tcc(buf, p, hdr);
    if (st != PA_RTCP_OK)
        return st;
    const uint8_t *f = buf + hdr->fb.fci_offset;
    size_t flen = hdr->fb.fci_len;
    size_t pos = 8, total = hdr->status_count;
    /* Pass 1: where the chunks end, and that they are sound. */
    size_t seen = 0;
    while (seen < total) {
        if (pos + 2 > flen)
            return PA_RTCP_ERR_LENGTH;
        uint16_t c = pa_rd16(f + pos);
        pos += 2;
        unsigned capy = chunk_capacity(c);
        if (capy == 0)
            return PA_RTCP_ERR_LENGTH;
        size_t take = total - seen < capy ? total - seen : capy;
        for (size_t k = 0; k < take; k++)
            if (chunk_symbol(c, (unsigned)k) == 3)
                return PA_RTCP_ERR_LENGTH;
        seen += take;
    }
    /* Pass 2: statuses and deltas. */
    size_t cpos = 8, dpos = pos, idx = 0, written = 0;
    int64_t t = (int64_t)hdr->reference_time * REF_US;
    while (idx < total) {
        uint16_t c = pa_rd16(f + cpos);
        cpos += 2;
        unsigned capy = chunk_capacity(c);
        for (unsigned k = 0; k < capy && idx < total; k++, idx++) {
            uint8_t s = chunk_symbol(c, k);
            int32_t d = 0;
            if (s == PA_TCC_SMALL) {
                if (dpos + 1 > flen)
                    return PA_RTCP_ERR_LENGTH;
                d = f[dpos++];
            } else if (s == PA_TCC_LARGE) {
                if (dpos + 2 > flen)
                    return PA_RTCP_ERR_LENGTH;
                d = (int16_t)pa_rd16(f + dpos);
                dpos += 2;
            }
            if (s != PA_TCC_NOT_RECV)
                t += (int64_t)d * TICK_US;
            if (out && written < cap) {
                out[written].seq = (uint16_t)(hdr->base_seq + idx);
                out[written].status = s;
                out[written].delta = d;
                out[written].arrival_us = s == PA_TCC_NOT_RECV ? 0 : t;
                written++;
            }
        }
    }
    if (n_out)
        *n_out = written;
    return PA_RTCP_OK;
}
