/* SPDX-License-Identifier: MIT */
/* RTCP writers into caller buffers and in-place SSRC rewriting of feedback. Stateless; any
 * thread. Every writer computes its full length first and writes nothing when it does not fit,
 * so a failed append leaves the compound being built intact. */
#include "common/rtp/rtcp.h"

#include <string.h>

/* Common header for a packet of @len bytes (a multiple of 4, >= 4). */
static void put_header(uint8_t *b, unsigned count, uint8_t type, size_t len)
{
    b[0] = (uint8_t)(0x80 | (count & 0x1f));
    b[1] = type;
    pa_wr16(b + 2, (uint16_t)(len / 4 - 1));
}

static void put_report_block(uint8_t *b, const PaRtcpReportBlock *rb)
{
    /* RFC 3550 §6.4.1: the 24-bit cumulative loss saturates rather than wraps. */
    int32_t lost = rb->cumulative_lost;
    if (lost > 0x7fffff)
        lost = 0x7fffff;
    if (lost < -0x800000)
        lost = -0x800000;
    pa_wr32(b, rb->ssrc);
    b[4] = rb->fraction_lost;
    pa_wr24(b + 5, (uint32_t)lost & 0xffffff);
    pa_wr32(b + 8, rb->ext_highest_seq);
    pa_wr32(b + 12, rb->jitter);
    pa_wr32(b + 16, rb->lsr);
    pa_wr32(b + 20, rb->dlsr);
}

size_t pa_rtcp_write_sr(uint8_t *buf, size_t cap, const PaRtcpSr *sr,
                        const PaRtcpReportBlock *blocks, unsigned n)
{
    size_t len = 28 + (size_t)PA_RTCP_REPORT_BLOCK_LEN * n;
    if (n > PA_RTCP_MAX_REPORT_BLOCKS || (n && !blocks) || len > cap)
        return 0;
    put_header(buf, n, PA_RTCP_SR, len);
    pa_wr32(buf + 4, sr->ssrc);
    pa_wr32(buf + 8, (uint32_t)(sr->ntp >> 32));
    pa_wr32(buf + 12, (uint32_t)sr->ntp);
    pa_wr32(buf + 16, sr->rtp_ts);
    pa_wr32(buf + 20, sr->packet_count);
    pa_wr32(buf + 24, sr->octet_count);
    for (unsigned i = 0; i < n; i++)
        put_report_block(buf + 28 + PA_RTCP_REPORT_BLOCK_LEN * i, &blocks[i]);
    return len;
}

size_t pa_rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const PaRtcpReportBlock *blocks,
                        unsigned n)
{
    size_t len = 8 + (size_t)PA_RTCP_REPORT_BLOCK_LEN * n;
    if (n > PA_RTCP_MAX_REPORT_BLOCKS || (n && !blocks) || len > cap)
        return 0;
    put_header(buf, n, PA_RTCP_RR, len);
    pa_wr32(buf + 4, ssrc);
    for (unsigned i = 0; i < n; i++)
        put_report_block(buf + 8 + PA_RTCP_REPORT_BLOCK_LEN * i, &blocks[i]);
    return len;
}

size_t pa_rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                                size_t cname_len)
{
    if (!cname || cname_len == 0 || cname_len > 255)
        return 0;
    /* chunk: SSRC, CNAME item (type 1, length, text), then at least one zero octet ending the
     * item list, padded with zeros to a 32-bit boundary (RFC 3550 §6.5). */
    size_t chunk = (4 + 2 + cname_len + 1 + 3) & ~(size_t)3;
    size_t len = 4 + chunk;
    if (len > cap)
        return 0;
    put_header(buf, 1, PA_RTCP_SDES, len);
    pa_wr32(buf + 4, ssrc);
    buf[8] = 1;
    buf[9] = (uint8_t)cname_len;
    memcpy(buf + 10, cname, cname_len);
    memset(buf + 10 + cname_len, 0, len - 10 - cname_len);
    return len;
}

size_t pa_rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, unsigned n)
{
    size_t len = 4 + 4 * (size_t)n;
    if (n == 0 || n > 31 || !ssrcs || len > cap)
        return 0;
    put_header(buf, n, PA_RTCP_BYE, len);
    for (unsigned i = 0; i < n; i++)
        pa_wr32(buf + 4 + 4 * i, ssrcs[i]);
    return len;
}

static void put_fb_header(uint8_t *buf, uint8_t type, unsigned fmt, size_t len, uint32_t sender,
                          uint32_t media)
{
    put_header(buf, fmt, type, len);
    pa_wr32(buf + 4, sender);
    pa_wr32(buf + 8, media);
}

size_t pa_rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
    if (cap < 12)
        return 0;
    put_fb_header(buf, PA_RTCP_PSFB, PA_RTCP_PSFB_PLI, 12, sender_ssrc, media_ssrc);
    return 12;
}

size_t pa_rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         const PaRtcpFirEntry *entries, unsigned n)
{
    size_t len = 12 + 8 * (size_t)n;
    if (n == 0 || !entries || len > cap || len > PA_RTCP_MAX_PACKET_LEN)
        return 0;
    put_fb_header(buf, PA_RTCP_PSFB, PA_RTCP_PSFB_FIR, len, sender_ssrc, 0);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *e = buf + 12 + 8 * i;
        pa_wr32(e, entries[i].ssrc);
        e[4] = entries[i].seq_nr;
        e[5] = e[6] = e[7] = 0;
    }
    return len;
}

size_t pa_rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                          const uint16_t *seqs, size_t n, size_t *consumed)
{
    if (consumed)
        *consumed = 0;
    if (n == 0 || !seqs || cap < 16)
        return 0;
    size_t max_pairs = (cap - 12) / 4;
    if (max_pairs > (PA_RTCP_MAX_PACKET_LEN - 12) / 4)
        max_pairs = (PA_RTCP_MAX_PACKET_LEN - 12) / 4;

    uint8_t *fci = buf + 12;
    size_t pairs = 0, i = 0;
    uint16_t pid = 0, blp = 0;
    while (i < n) {
        if (pairs) {
            uint16_t d = (uint16_t)(seqs[i] - pid);
            if (d <= 16) { /* the PID itself (d == 0) or one of the 16 after it */
                if (d)
                    blp |= (uint16_t)(1u << (d - 1));
                i++;
                continue;
            }
            pa_wr16(fci + 4 * (pairs - 1) + 2, blp);
            if (pairs == max_pairs)
                break;
        }
        pid = seqs[i++];
        blp = 0;
        pa_wr16(fci + 4 * pairs, pid);
        pairs++;
    }
    pa_wr16(fci + 4 * (pairs - 1) + 2, blp);

    size_t len = 12 + 4 * pairs;
    put_fb_header(buf, PA_RTCP_RTPFB, PA_RTCP_RTPFB_NACK, len, sender_ssrc, media_ssrc);
    if (consumed)
        *consumed = i;
    return len;
}

size_t pa_rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                          const uint32_t *ssrcs, unsigned n)
{
    size_t len = 20 + 4 * (size_t)n;
    if (n > 255 || (n && !ssrcs) || len > cap)
        return 0;
    unsigned exp = 0;
    while ((bitrate_bps >> exp) > 0x3ffff)
        exp++;
    uint32_t mantissa = (uint32_t)(bitrate_bps >> exp);
    put_fb_header(buf, PA_RTCP_PSFB, PA_RTCP_PSFB_AFB, len, sender_ssrc, 0);
    uint8_t *f = buf + 12;
    f[0] = 'R';
    f[1] = 'E';
    f[2] = 'M';
    f[3] = 'B';
    f[4] = (uint8_t)n;
    f[5] = (uint8_t)(exp << 2 | mantissa >> 16);
    pa_wr16(f + 6, (uint16_t)mantissa);
    for (unsigned i = 0; i < n; i++)
        pa_wr32(f + 8 + 4 * i, ssrcs[i]);
    return len;
}

/* ---- in-place rewriting ---- */

PaRtcpStatus pa_rtcp_set_sender_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t ssrc)
{
    switch (p->type) {
    case PA_RTCP_SR:
    case PA_RTCP_RR:
    case PA_RTCP_APP:
    case PA_RTCP_RTPFB:
    case PA_RTCP_PSFB:
    case PA_RTCP_XR:
        break;
    default:
        return PA_RTCP_ERR_TYPE;
    }
    if (p->body_len < 4)
        return PA_RTCP_ERR_LENGTH;
    pa_wr32(buf + p->offset + 4, ssrc);
    return PA_RTCP_OK;
}

PaRtcpStatus pa_rtcp_fb_set_media_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t ssrc)
{
    PaRtcpFb fb;
    PaRtcpStatus st = pa_rtcp_parse_fb(buf, p, &fb);
    if (st != PA_RTCP_OK)
        return st;
    pa_wr32(buf + p->offset + 8, ssrc);
    return PA_RTCP_OK;
}

static unsigned rewrite_list(uint8_t *at, unsigned count, unsigned stride, uint32_t from,
                             uint32_t to)
{
    unsigned n = 0;
    for (unsigned i = 0; i < count; i++, at += stride) {
        if (pa_rd32(at) == from) {
            pa_wr32(at, to);
            n++;
        }
    }
    return n;
}

unsigned pa_rtcp_fb_rewrite_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t from, uint32_t to)
{
    PaRtcpFb fb;
    if (pa_rtcp_parse_fb(buf, p, &fb) != PA_RTCP_OK)
        return 0;
    unsigned n = 0;
    if (fb.type == PA_RTCP_PSFB && fb.fmt == PA_RTCP_PSFB_FIR) {
        PaRtcpFir fir;
        if (pa_rtcp_parse_fir(buf, p, &fir) == PA_RTCP_OK)
            n += rewrite_list(buf + fir.fb.fci_offset, fir.entry_count, 8, from, to);
    } else if (fb.type == PA_RTCP_PSFB && fb.fmt == PA_RTCP_PSFB_AFB) {
        PaRtcpRemb remb;
        if (pa_rtcp_parse_remb(buf, p, &remb) == PA_RTCP_OK)
            n += rewrite_list(buf + remb.ssrcs_offset, remb.ssrc_count, 4, from, to);
    }
    n += rewrite_list(buf + p->offset + 8, 1, 4, from, to);
    return n;
}
