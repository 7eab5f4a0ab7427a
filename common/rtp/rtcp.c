/* SPDX-License-Identifier: MIT */
/* RTCP compound iteration and parsers. Stateless apart from the caller's iterator; any thread.
 * What must stay true: the iterator only returns packets lying wholly inside the buffer with
 * body_len counted without padding, and every parser checks body_len before reading, so no
 * parser reads past the packet it was given (the fuzz targets check this under ASan). */
#include "common/rtp/rtcp.h"

const char *pa_rtcp_status_name(PaRtcpStatus status)
{
    static const char *const names[PA_RTCP_STATUS_COUNT] = {
        [PA_RTCP_OK] = "ok",
        [PA_RTCP_END] = "end",
        [PA_RTCP_ERR_TRUNCATED] = "truncated",
        [PA_RTCP_ERR_VERSION] = "bad_version",
        [PA_RTCP_ERR_TYPE] = "bad_type",
        [PA_RTCP_ERR_PADDING] = "bad_padding",
        [PA_RTCP_ERR_LENGTH] = "bad_length",
        [PA_RTCP_ERR_TOO_LONG] = "too_long",
    };
    if ((unsigned)status >= PA_RTCP_STATUS_COUNT)
        return "unknown";
    return names[status];
}

PaRtcpStatus pa_rtcp_iter_init(PaRtcpIter *it, const uint8_t *buf, size_t len)
{
    it->buf = buf;
    it->pos = 0;
    if (len > PA_RTCP_MAX_PACKET_LEN) {
        it->len = 0;
        return PA_RTCP_ERR_TOO_LONG;
    }
    it->len = (uint32_t)len;
    return PA_RTCP_OK;
}

static PaRtcpStatus iter_fail(PaRtcpIter *it, PaRtcpStatus st)
{
    it->pos = it->len;
    return st;
}

PaRtcpStatus pa_rtcp_iter_next(PaRtcpIter *it, PaRtcpPacket *out)
{
    if (it->pos >= it->len)
        return PA_RTCP_END;
    uint32_t left = it->len - it->pos;
    const uint8_t *h = it->buf + it->pos;
    if (left < 4)
        return iter_fail(it, PA_RTCP_ERR_TRUNCATED);
    if ((h[0] >> 6) != 2)
        return iter_fail(it, PA_RTCP_ERR_VERSION);
    /* RFC 5761 §4: RTCP packet types live in 192..223; anything else here is not RTCP. */
    if ((uint8_t)(h[1] - 192) >= 32)
        return iter_fail(it, PA_RTCP_ERR_TYPE);
    uint32_t plen = 4 * ((uint32_t)pa_rd16(h + 2) + 1);
    if (plen > left)
        return iter_fail(it, PA_RTCP_ERR_TRUNCATED);
    uint32_t pad = 0;
    if (h[0] & 0x20) {
        pad = h[plen - 1];
        if (pad == 0 || pad > plen - 4)
            return iter_fail(it, PA_RTCP_ERR_PADDING);
    }
    out->type = h[1];
    out->count = h[0] & 0x1f;
    out->padding = pad != 0;
    out->offset = it->pos;
    out->len = plen;
    out->body_len = plen - 4 - pad;
    it->pos += plen;
    return PA_RTCP_OK;
}

/* ---- reports ---- */

PaRtcpStatus pa_rtcp_parse_sr(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpSr *out)
{
    if (p->type != PA_RTCP_SR)
        return PA_RTCP_ERR_TYPE;
    if (p->body_len < 24 + PA_RTCP_REPORT_BLOCK_LEN * (uint32_t)p->count)
        return PA_RTCP_ERR_LENGTH;
    const uint8_t *b = pa_rtcp_body(buf, p);
    out->ssrc = pa_rd32(b);
    out->ntp = (uint64_t)pa_rd32(b + 4) << 32 | pa_rd32(b + 8);
    out->rtp_ts = pa_rd32(b + 12);
    out->packet_count = pa_rd32(b + 16);
    out->octet_count = pa_rd32(b + 20);
    out->report_count = p->count;
    out->blocks_offset = p->offset + 4 + 24;
    return PA_RTCP_OK;
}

PaRtcpStatus pa_rtcp_parse_rr(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpRr *out)
{
    if (p->type != PA_RTCP_RR)
        return PA_RTCP_ERR_TYPE;
    if (p->body_len < 4 + PA_RTCP_REPORT_BLOCK_LEN * (uint32_t)p->count)
        return PA_RTCP_ERR_LENGTH;
    out->ssrc = pa_rd32(pa_rtcp_body(buf, p));
    out->report_count = p->count;
    out->blocks_offset = p->offset + 4 + 4;
    return PA_RTCP_OK;
}

void pa_rtcp_read_report_block(const uint8_t *buf, uint32_t blocks_offset, unsigned i,
                               PaRtcpReportBlock *out)
{
    const uint8_t *b = buf + blocks_offset + PA_RTCP_REPORT_BLOCK_LEN * i;
    out->ssrc = pa_rd32(b);
    out->fraction_lost = b[4];
    uint32_t lost = pa_rd24(b + 5);
    out->cumulative_lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    out->ext_highest_seq = pa_rd32(b + 8);
    out->jitter = pa_rd32(b + 12);
    out->lsr = pa_rd32(b + 16);
    out->dlsr = pa_rd32(b + 20);
}

/* ---- BYE ---- */

PaRtcpStatus pa_rtcp_parse_bye(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpBye *out)
{
    if (p->type != PA_RTCP_BYE)
        return PA_RTCP_ERR_TYPE;
    uint32_t list = 4 * (uint32_t)p->count;
    if (p->body_len < list)
        return PA_RTCP_ERR_LENGTH;
    out->ssrc_count = p->count;
    out->ssrcs_offset = p->offset + 4;
    out->reason_len = 0;
    out->reason_offset = 0;
    if (p->body_len > list) {
        uint8_t rlen = pa_rtcp_body(buf, p)[list];
        if ((uint32_t)rlen + 1 > p->body_len - list)
            return PA_RTCP_ERR_LENGTH;
        out->reason_len = rlen;
        out->reason_offset = rlen ? p->offset + 4 + list + 1 : 0;
    }
    return PA_RTCP_OK;
}

/* ---- feedback ---- */

PaRtcpStatus pa_rtcp_parse_fb(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFb *out)
{
    if (p->type != PA_RTCP_RTPFB && p->type != PA_RTCP_PSFB)
        return PA_RTCP_ERR_TYPE;
    if (p->body_len < 8)
        return PA_RTCP_ERR_LENGTH;
    const uint8_t *b = pa_rtcp_body(buf, p);
    out->type = p->type;
    out->fmt = p->count;
    out->sender_ssrc = pa_rd32(b);
    out->media_ssrc = pa_rd32(b + 4);
    out->fci_offset = p->offset + 12;
    out->fci_len = p->body_len - 8;
    return PA_RTCP_OK;
}

/* Feedback header of the expected type and FMT. */
static PaRtcpStatus parse_fb_as(const uint8_t *buf, const PaRtcpPacket *p, uint8_t type,
                                uint8_t fmt, PaRtcpFb *out)
{
    if (p->type != type || p->count != fmt)
        return PA_RTCP_ERR_TYPE;
    return pa_rtcp_parse_fb(buf, p, out);
}

PaRtcpStatus pa_rtcp_parse_nack(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpNack *out)
{
    PaRtcpStatus st = parse_fb_as(buf, p, PA_RTCP_RTPFB, PA_RTCP_RTPFB_NACK, &out->fb);
    if (st != PA_RTCP_OK)
        return st;
    out->pair_count = out->fb.fci_len / 4;
    return out->pair_count ? PA_RTCP_OK : PA_RTCP_ERR_LENGTH;
}

size_t pa_rtcp_nack_expand(const uint8_t *buf, const PaRtcpNack *nack, uint16_t *seqs, size_t cap)
{
    size_t n = 0;
    const uint8_t *f = buf + nack->fb.fci_offset;
    for (unsigned i = 0; i < nack->pair_count && n < cap; i++, f += 4) {
        uint16_t pid = pa_rd16(f);
        uint16_t blp = pa_rd16(f + 2);
        seqs[n++] = pid;
        while (blp && n < cap) {
            unsigned bit = (unsigned)__builtin_ctz(blp);
            seqs[n++] = (uint16_t)(pid + 1 + bit);
            blp &= (uint16_t)(blp - 1);
        }
    }
    return n;
}

PaRtcpStatus pa_rtcp_parse_tcc(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpTcc *out)
{
    PaRtcpStatus st = parse_fb_as(buf, p, PA_RTCP_RTPFB, PA_RTCP_RTPFB_TCC, &out->fb);
    if (st != PA_RTCP_OK)
        return st;
    if (out->fb.fci_len < 8)
        return PA_RTCP_ERR_LENGTH;
    const uint8_t *f = buf + out->fb.fci_offset;
    out->base_seq = pa_rd16(f);
    out->status_count = pa_rd16(f + 2);
    uint32_t ref = pa_rd24(f + 4);
    out->reference_time = (ref & 0x800000) ? (int32_t)ref - 0x1000000 : (int32_t)ref;
    out->fb_count = f[7];
    return PA_RTCP_OK;
}

PaRtcpStatus pa_rtcp_parse_pli(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFb *out)
{
    return parse_fb_as(buf, p, PA_RTCP_PSFB, PA_RTCP_PSFB_PLI, out);
}

PaRtcpStatus pa_rtcp_parse_fir(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFir *out)
{
    PaRtcpStatus st = parse_fb_as(buf, p, PA_RTCP_PSFB, PA_RTCP_PSFB_FIR, &out->fb);
    if (st != PA_RTCP_OK)
        return st;
    out->entry_count = out->fb.fci_len / 8;
    return out->entry_count ? PA_RTCP_OK : PA_RTCP_ERR_LENGTH;
}

PaRtcpStatus pa_rtcp_parse_remb(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpRemb *out)
{
    PaRtcpStatus st = parse_fb_as(buf, p, PA_RTCP_PSFB, PA_RTCP_PSFB_AFB, &out->fb);
    if (st != PA_RTCP_OK)
        return st;
    const uint8_t *f = buf + out->fb.fci_offset;
    /* An AFB too short for the identifier is some other application's message. */
    if (out->fb.fci_len < 4 || f[0] != 'R' || f[1] != 'E' || f[2] != 'M' || f[3] != 'B')
        return PA_RTCP_ERR_TYPE;
    if (out->fb.fci_len < 8 || out->fb.fci_len < 8 + 4 * (uint32_t)f[4])
        return PA_RTCP_ERR_LENGTH;
    unsigned exp = f[5] >> 2;
    uint64_t mantissa = (uint64_t)(f[5] & 3) << 16 | pa_rd16(f + 6);
    /* mantissa < 2^18, so only exponents above 46 can overflow 64 bits. */
    if (exp > 46 && (mantissa >> (64 - exp)) != 0)
        out->bitrate_bps = UINT64_MAX;
    else
        out->bitrate_bps = mantissa << exp;
    out->ssrc_count = f[4];
    out->ssrcs_offset = out->fb.fci_offset + 8;
    return PA_RTCP_OK;
}
