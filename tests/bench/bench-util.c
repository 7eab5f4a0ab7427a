/* SPDX-License-Identifier: MIT */
/* Packet mix, payload stamp, histogram and /proc readers for the benchmarks (bench-util.h).
 * No state of its own: each BenchSource / BenchHist belongs to the thread that uses it. */
#include "bench-util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rtp/bytes.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"
#include "common/rtp/vp8.h"

#define HDREXT_ID_AUDIO_LEVEL 1
#define HDREXT_ID_ABS_SEND_TIME 3
#define HDREXT_ID_TCC 5
#define STAMP_LEN 20 /* magic 4, sender 2, kind 1, flags 1, counter 4, send_ns 8 */

/* ---- packet mix ---- */

guint bench_encodings = 1;

guint bench_encoding_kbps(guint video_kbps, guint e)
{
    if (bench_encodings <= 1)
        return video_kbps;
    static const guint tenths[BENCH_MAX_ENCODINGS] = {1, 3, 10};
    return video_kbps * tenths[MIN(e, BENCH_MAX_ENCODINGS - 1)] / 10;
}

void bench_source_init(BenchSource *s, guint16 index, guint video_kbps, gint64 start_us)
{
    memset(s, 0, sizeof *s);
    s->index = index;
    s->video_kbps = video_kbps;
    s->ssrc[BENCH_KIND_AUDIO] = 0x10000000u + index * 16u;
    s->ssrc[BENCH_KIND_VIDEO] = 0x10000000u + index * 16u + 1u;
    s->seq[BENCH_KIND_AUDIO] = (guint16)(1000 + index * 1000);
    s->ts[BENCH_KIND_AUDIO] = 100000u * index;
    s->tcc_seq = (guint16)(index * 3000);
    /* Stagger participants over the packet intervals (prime steps, so no two coincide for
     * small N). */
    s->next_us[BENCH_KIND_AUDIO] = start_us + (gint64)((index * 7919u) % 20000u);
    s->n_enc = video_kbps ? CLAMP(bench_encodings, 1, BENCH_MAX_ENCODINGS) : 0;
    s->next_us[BENCH_KIND_VIDEO] = G_MAXINT64;
    for (guint e = 0; e < s->n_enc; e++) {
        BenchEncoding *v = &s->enc[e];
        v->ssrc = s->ssrc[BENCH_KIND_VIDEO] + e;
        v->seq = (guint16)(30000 + index * 1000 + e * 311);
        v->ts = 200000u * index + 7777u * e;
        v->kbps = bench_encoding_kbps(video_kbps, e);
        v->next_us = start_us + 3000 + (gint64)((index * 10007u) % 33333u) + e * 1000;
        s->next_us[BENCH_KIND_VIDEO] = MIN(s->next_us[BENCH_KIND_VIDEO], v->next_us);
    }
}

gint64 bench_source_next_due(const BenchSource *s)
{
    return MIN(s->next_us[BENCH_KIND_AUDIO], s->next_us[BENCH_KIND_VIDEO]);
}

/* Mean frame size in bytes, and the sizes of keyframes and delta frames that keep that mean
 * over a keyframe interval. */
static guint frame_bytes(guint video_kbps, gboolean keyframe)
{
    double mean = video_kbps * 1000.0 / 8.0 / BENCH_VIDEO_FPS;
    double per_interval = (double)BENCH_VIDEO_FPS * BENCH_KEYFRAME_INTERVAL_S;
    if (keyframe)
        return (guint)(mean * BENCH_KEYFRAME_FACTOR);
    return (guint)(mean * (per_interval - BENCH_KEYFRAME_FACTOR) / (per_interval - 1));
}

static guint frame_packets(guint bytes)
{
    guint n = (bytes + BENCH_VIDEO_MAX_PAYLOAD - 1) / BENCH_VIDEO_MAX_PAYLOAD;
    return CLAMP(n, 1, BENCH_MAX_FRAME_PKTS);
}

double bench_stream_pps(guint kbps)
{
    if (!kbps)
        return 0;
    guint per_interval = BENCH_VIDEO_FPS * BENCH_KEYFRAME_INTERVAL_S;
    double pkts = frame_packets(frame_bytes(kbps, TRUE)) +
                  (per_interval - 1.0) * frame_packets(frame_bytes(kbps, FALSE));
    return pkts / BENCH_KEYFRAME_INTERVAL_S;
}

double bench_video_pps(guint video_kbps)
{
    double pps = 0;
    guint n = video_kbps ? CLAMP(bench_encodings, 1, BENCH_MAX_ENCODINGS) : 0;
    for (guint e = 0; e < n; e++)
        pps += bench_stream_pps(bench_encoding_kbps(video_kbps, e));
    return pps;
}

/* One frame of encoding @e into @out (room for @max); 0 when it does not fit. */
static guint take_frame(BenchSource *s, guint e, BenchPkt *out, guint max)
{
    BenchEncoding *v = &s->enc[e];
    gboolean key = v->frames % (BENCH_VIDEO_FPS * BENCH_KEYFRAME_INTERVAL_S) == 0;
    guint bytes = frame_bytes(v->kbps, key);
    guint np = frame_packets(bytes);
    guint each = MIN(BENCH_VIDEO_MAX_PAYLOAD, MAX(bytes / np, STAMP_LEN));
    if (np > max)
        return 0;
    for (guint i = 0; i < np; i++) {
        BenchPkt *p = &out[i];
        p->kind = BENCH_KIND_VIDEO;
        p->ssrc = v->ssrc;
        p->seq = v->seq++;
        p->ts = v->ts;
        p->marker = i == np - 1;
        p->keyframe = key;
        p->payload_len = (guint16)each;
        p->tcc_seq = s->tcc_seq++;
        p->counter = v->counter++;
        p->frame_start = i == 0;
        p->picid = (guint16)(v->frames & 0x7fff);
        p->enc = (guint8)e;
    }
    v->ts += 90000 / BENCH_VIDEO_FPS;
    v->frames++;
    /* From the frame count, so the frame rate does not drift with rounding. */
    v->next_us += (gint64)v->frames * G_USEC_PER_SEC / BENCH_VIDEO_FPS -
                  ((gint64)v->frames - 1) * G_USEC_PER_SEC / BENCH_VIDEO_FPS;
    return np;
}

guint bench_source_take_due(BenchSource *s, gint64 now_us, BenchPkt *out, guint max)
{
    guint n = 0;
    if (s->next_us[BENCH_KIND_AUDIO] <= now_us && n < max) {
        BenchPkt *p = &out[n++];
        memset(p, 0, sizeof *p);
        p->kind = BENCH_KIND_AUDIO;
        p->ssrc = s->ssrc[BENCH_KIND_AUDIO];
        p->seq = s->seq[BENCH_KIND_AUDIO]++;
        p->ts = s->ts[BENCH_KIND_AUDIO];
        s->ts[BENCH_KIND_AUDIO] += 48000 / BENCH_AUDIO_PPS;
        p->payload_len = BENCH_AUDIO_PAYLOAD;
        p->tcc_seq = s->tcc_seq++;
        p->counter = s->counter[BENCH_KIND_AUDIO]++;
        s->next_us[BENCH_KIND_AUDIO] += G_USEC_PER_SEC / BENCH_AUDIO_PPS;
    }
    for (guint e = 0; e < s->n_enc; e++) {
        if (s->enc[e].next_us > now_us)
            continue;
        guint k = take_frame(s, e, out + n, max - n);
        if (!k)
            break; /* the caller's array is too small; the frame stays due */
        n += k;
    }
    s->next_us[BENCH_KIND_VIDEO] = G_MAXINT64;
    for (guint e = 0; e < s->n_enc; e++)
        s->next_us[BENCH_KIND_VIDEO] = MIN(s->next_us[BENCH_KIND_VIDEO], s->enc[e].next_us);
    return n;
}

gboolean bench_vp8;

/* The VP8 payload descriptor (and payload header on a frame's first packet) of @p into @q;
 * returns its length (at most 16). */
static gsize vp8_prefix(guint8 *q, const BenchPkt *p)
{
    gsize n = 0;
    q[n++] = (guint8)(0x80 | (p->frame_start ? 0x10 : 0)); /* X, S, PID 0 */
    q[n++] = 0xe0;                                         /* I L T */
    q[n++] = (guint8)(0x80 | p->picid >> 8);
    q[n++] = (guint8)p->picid;
    q[n++] = (guint8)p->picid; /* TL0PICIDX: every frame is a base-layer frame */
    q[n++] = 0x00;             /* TID 0 */
    if (p->frame_start) {
        static const guint8 key[] = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xd0, 0x02};
        static const guint8 delta[] = {0x51, 0x42, 0x00};
        memcpy(q + n, p->keyframe ? key : delta, p->keyframe ? sizeof key : sizeof delta);
        n += p->keyframe ? sizeof key : sizeof delta;
    }
    return n;
}

gsize bench_build_rtp(guint8 *buf, gsize cap, const BenchPkt *p, guint16 sender, guint64 send_ns)
{
    guint8 ext[16];
    guint16 profile = 0;
    guint8 tcc[2] = {(guint8)(p->tcc_seq >> 8), (guint8)p->tcc_seq};
    PaHdrextWrite e[2];
    guint8 level, ast[3];
    if (p->kind == BENCH_KIND_AUDIO) {
        level = 0x80 | 30; /* voice, -30 dBov */
        e[0] = (PaHdrextWrite){.id = HDREXT_ID_AUDIO_LEVEL, .len = 1, .data = &level};
    } else {
        guint32 a = pa_abs_send_time_from_us(send_ns / 1000);
        ast[0] = (guint8)(a >> 16);
        ast[1] = (guint8)(a >> 8);
        ast[2] = (guint8)a;
        e[0] = (PaHdrextWrite){.id = HDREXT_ID_ABS_SEND_TIME, .len = 3, .data = ast};
    }
    e[1] = (PaHdrextWrite){.id = HDREXT_ID_TCC, .len = 2, .data = tcc};
    gsize ext_len = pa_hdrext_write_block(ext, sizeof ext, false, e, 2, &profile);
    PaRtpBuild b = {
        .marker = p->marker,
        .payload_type = p->kind == BENCH_KIND_AUDIO ? BENCH_PT_AUDIO : BENCH_PT_VIDEO,
        .seq = p->seq,
        .timestamp = p->ts,
        .ssrc = p->ssrc,
        .extension = ext_len > 0,
        .ext_profile = profile,
        .ext = ext,
        .ext_len = ext_len,
    };
    gsize hlen = pa_rtp_build(buf, cap, &b);
    gsize plen = MAX(p->payload_len, STAMP_LEN);
    if (!hlen || hlen + plen + 16 > cap)
        return 0;
    if (bench_vp8 && p->kind == BENCH_KIND_VIDEO)
        hlen += vp8_prefix(buf + hlen, p);
    guint8 *q = buf + hlen;
    pa_wr32(q, BENCH_MAGIC);
    pa_wr16(q + 4, sender);
    q[6] = (guint8)p->kind;
    q[7] = (guint8)((p->keyframe ? 1 : 0) | (p->kind == BENCH_KIND_VIDEO ? p->enc << 1 : 0));
    pa_wr32(q + 8, p->counter);
    pa_wr32(q + 12, (guint32)(send_ns >> 32));
    pa_wr32(q + 16, (guint32)send_ns);
    memset(q + STAMP_LEN, 0x5a, plen - STAMP_LEN);
    return hlen + plen;
}

gboolean bench_read_stamp(const guint8 *pkt, gsize len, BenchStamp *out)
{
    PaRtpHeader h;
    if (pa_rtp_parse(pkt, len, &h) != PA_RTP_OK || h.payload_len < STAMP_LEN)
        return FALSE;
    const guint8 *q = pkt + h.payload_offset;
    if (pa_rd32(q) != BENCH_MAGIC) { /* after a VP8 descriptor and payload header? */
        PaVp8Desc d;
        if (pa_vp8_parse(q, h.payload_len, &d) != PA_VP8_OK)
            return FALSE;
        gsize skip = d.desc_len + (d.frame_start ? (d.keyframe ? 10 : 3) : 0);
        if (h.payload_len < skip + STAMP_LEN)
            return FALSE;
        q += skip;
    }
    if (pa_rd32(q) != BENCH_MAGIC || q[6] >= BENCH_N_KINDS)
        return FALSE;
    out->sender = pa_rd16(q + 4);
    out->kind = (BenchKind)q[6];
    out->keyframe = q[7] & 1;
    out->enc = (guint8)((q[7] >> 1) & 3);
    out->counter = pa_rd32(q + 8);
    out->send_ns = ((guint64)pa_rd32(q + 12) << 32) | pa_rd32(q + 16);
    return TRUE;
}

/* ---- histogram ---- */

void bench_hist_add(BenchHist *h, gint64 us)
{
    if (us < 0)
        us = 0;
    h->count++;
    h->sum_us += (guint64)us;
    if (us > h->max_us)
        h->max_us = us;
    if (us < BENCH_HIST_FINE)
        h->fine[us]++;
    else if ((us - BENCH_HIST_FINE) / 100 < BENCH_HIST_COARSE)
        h->coarse[(us - BENCH_HIST_FINE) / 100]++;
    else
        h->over++;
}

void bench_hist_merge(BenchHist *into, const BenchHist *from)
{
    for (guint i = 0; i < BENCH_HIST_FINE; i++)
        into->fine[i] += from->fine[i];
    for (guint i = 0; i < BENCH_HIST_COARSE; i++)
        into->coarse[i] += from->coarse[i];
    into->count += from->count;
    into->over += from->over;
    into->sum_us += from->sum_us;
    into->max_us = MAX(into->max_us, from->max_us);
}

double bench_hist_quantile(const BenchHist *h, double q)
{
    if (!h->count)
        return -1;
    guint64 want = (guint64)(q * (double)h->count);
    if (want >= h->count)
        want = h->count - 1;
    guint64 seen = 0;
    for (guint i = 0; i < BENCH_HIST_FINE; i++) {
        seen += h->fine[i];
        if (seen > want)
            return i;
    }
    for (guint i = 0; i < BENCH_HIST_COARSE; i++) {
        seen += h->coarse[i];
        if (seen > want)
            return BENCH_HIST_FINE + i * 100.0;
    }
    return (double)h->max_us;
}

/* ---- /proc ---- */

/* ---- sockets ---- */

void bench_socket_rcvbuf(int fd, int bytes)
{
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

int bench_udp_socket(int buf_bytes, struct sockaddr_storage *bound, socklen_t *bound_len)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    bench_socket_rcvbuf(fd, buf_bytes);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf_bytes, sizeof buf_bytes) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf_bytes, sizeof buf_bytes);
    if (bound) {
        *bound_len = sizeof *bound;
        getsockname(fd, (struct sockaddr *)bound, bound_len);
    }
    return fd;
}
