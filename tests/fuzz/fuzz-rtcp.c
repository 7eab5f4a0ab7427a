/* SPDX-License-Identifier: MIT */
/* Fuzz target: RTCP compound iteration and every parser, SSRC rewriting on a copy, and
 * writer/parser agreement (NACK sets, REMB bitrates, reports re-encoded byte for byte). */
#include <string.h>

#include "common/rtp/rtcp.h"
#include "common/rtp/tcc.h"
#include "fuzz.h"

#define G_N_ELEMENTS_FUZZ(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_SEQS (17 * (PA_RTCP_MAX_PACKET_LEN / 4))

static uint8_t copy[PA_RTCP_MAX_PACKET_LEN];
static uint8_t out[PA_RTCP_MAX_PACKET_LEN + 64];
static uint16_t seqs[MAX_SEQS], seqs2[MAX_SEQS];
static uint8_t set1[65536], set2[65536];

static void check_nack(const uint8_t *buf, const PaRtcpPacket *p)
{
    PaRtcpNack nk;
    if (pa_rtcp_parse_nack(buf, p, &nk) != PA_RTCP_OK)
        return;
    FUZZ_CHECK(nk.pair_count >= 1 && 4u * nk.pair_count <= nk.fb.fci_len);
    size_t n = pa_rtcp_nack_expand(buf, &nk, seqs, MAX_SEQS);
    FUZZ_CHECK(n >= nk.pair_count && n <= 17u * nk.pair_count);

    /* Writing those sequence numbers again requests the same set. */
    size_t consumed = 0;
    size_t len = pa_rtcp_write_nack(out, sizeof out, nk.fb.sender_ssrc, nk.fb.media_ssrc, seqs, n,
                                    &consumed);
    FUZZ_CHECK(len > 0 && consumed == n);
    PaRtcpIter it;
    PaRtcpPacket q;
    FUZZ_CHECK(pa_rtcp_iter_init(&it, out, len) == PA_RTCP_OK);
    FUZZ_CHECK(pa_rtcp_iter_next(&it, &q) == PA_RTCP_OK);
    PaRtcpNack nk2;
    FUZZ_CHECK(pa_rtcp_parse_nack(out, &q, &nk2) == PA_RTCP_OK);
    FUZZ_CHECK(nk2.pair_count <= nk.pair_count * 17u);
    size_t n2 = pa_rtcp_nack_expand(out, &nk2, seqs2, MAX_SEQS);
    memset(set1, 0, sizeof set1);
    memset(set2, 0, sizeof set2);
    for (size_t i = 0; i < n; i++)
        set1[seqs[i]] = 1;
    for (size_t i = 0; i < n2; i++)
        set2[seqs2[i]] = 1;
    FUZZ_CHECK(memcmp(set1, set2, sizeof set1) == 0);
}

static void check_psfb(const uint8_t *buf, const PaRtcpPacket *p)
{
    PaRtcpFb fb;
    PaRtcpFir fir;
    PaRtcpRemb remb;
    if (pa_rtcp_parse_pli(buf, p, &fb) == PA_RTCP_OK)
        FUZZ_CHECK(fb.fmt == PA_RTCP_PSFB_PLI);
    if (pa_rtcp_parse_fir(buf, p, &fir) == PA_RTCP_OK) {
        FUZZ_CHECK(8u * fir.entry_count <= fir.fb.fci_len);
        for (unsigned i = 0; i < fir.entry_count; i++) {
            PaRtcpFirEntry e;
            pa_rtcp_fir_entry(buf, &fir, i, &e);
        }
    }
    if (pa_rtcp_parse_remb(buf, p, &remb) == PA_RTCP_OK) {
        uint32_t x = 0;
        for (unsigned i = 0; i < remb.ssrc_count; i++)
            x ^= pa_rtcp_list_ssrc(buf, remb.ssrcs_offset, i);
        (void)x;
        /* An encodable rate survives a write/parse round trip exactly. */
        if (remb.bitrate_bps != UINT64_MAX) {
            size_t len = pa_rtcp_write_remb(out, sizeof out, 1, remb.bitrate_bps, NULL, 0);
            FUZZ_CHECK(len == 20);
            PaRtcpIter it;
            PaRtcpPacket q;
            PaRtcpRemb r2;
            FUZZ_CHECK(pa_rtcp_iter_init(&it, out, len) == PA_RTCP_OK);
            FUZZ_CHECK(pa_rtcp_iter_next(&it, &q) == PA_RTCP_OK);
            FUZZ_CHECK(pa_rtcp_parse_remb(out, &q, &r2) == PA_RTCP_OK);
            FUZZ_CHECK(r2.bitrate_bps == remb.bitrate_bps);
        }
    }
}

/* Report blocks re-encoded by the writer give the same bytes (cumulative loss is 24-bit on
 * the wire, so reading and writing it is lossless). */
static void check_reports(const uint8_t *buf, const PaRtcpPacket *p)
{
    PaRtcpReportBlock blocks[PA_RTCP_MAX_REPORT_BLOCKS];
    PaRtcpSr sr;
    PaRtcpRr rr;
    if (pa_rtcp_parse_sr(buf, p, &sr) == PA_RTCP_OK) {
        for (unsigned i = 0; i < sr.report_count; i++)
            pa_rtcp_read_report_block(buf, sr.blocks_offset, i, &blocks[i]);
        size_t len = pa_rtcp_write_sr(out, sizeof out, &sr, blocks, sr.report_count);
        FUZZ_CHECK(len == 28u + 24u * sr.report_count);
        FUZZ_CHECK(memcmp(out + 4, buf + p->offset + 4, len - 4) == 0);
    }
    if (pa_rtcp_parse_rr(buf, p, &rr) == PA_RTCP_OK) {
        for (unsigned i = 0; i < rr.report_count; i++)
            pa_rtcp_read_report_block(buf, rr.blocks_offset, i, &blocks[i]);
        size_t len = pa_rtcp_write_rr(out, sizeof out, rr.ssrc, blocks, rr.report_count);
        FUZZ_CHECK(len == 8u + 24u * rr.report_count);
        FUZZ_CHECK(memcmp(out + 4, buf + p->offset + 4, len - 4) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PaRtcpIter it;
    PaRtcpPacket p;
    if (pa_rtcp_iter_init(&it, data, size) != PA_RTCP_OK)
        return 0;
    memcpy(copy, data, size);

    size_t covered = 0;
    PaRtcpStatus st;
    while ((st = pa_rtcp_iter_next(&it, &p)) == PA_RTCP_OK) {
        FUZZ_CHECK(p.offset == covered);
        FUZZ_CHECK(p.len >= 4 && p.len % 4 == 0 && p.offset + p.len <= size);
        FUZZ_CHECK(p.body_len <= p.len - 4);
        FUZZ_CHECK(p.type >= 192 && p.type <= 223);
        covered += p.len;

        check_reports(data, &p);

        PaRtcpBye bye;
        if (pa_rtcp_parse_bye(data, &p, &bye) == PA_RTCP_OK) {
            uint32_t x = 0;
            for (unsigned i = 0; i < bye.ssrc_count; i++)
                x ^= pa_rtcp_list_ssrc(data, bye.ssrcs_offset, i);
            for (unsigned i = 0; i < bye.reason_len; i++)
                x ^= data[bye.reason_offset + i];
            (void)x;
        }

        PaRtcpFb fb;
        if (pa_rtcp_parse_fb(data, &p, &fb) == PA_RTCP_OK) {
            FUZZ_CHECK(fb.fci_offset + fb.fci_len <= p.offset + p.len);
            PaRtcpTcc tcc;
            if (pa_rtcp_parse_tcc(data, &p, &tcc) == PA_RTCP_OK)
                FUZZ_CHECK(tcc.reference_time >= -0x800000 && tcc.reference_time <= 0x7fffff);
            /* The full transport-cc parse (the bridge feeds receivers' feedback through it):
             * statuses in sequence order, within the capacity, symbols 0..2 only. */
            static PaTccStatus statuses[300];
            size_t n_st = 0;
            if (pa_tcc_parse(data, &p, &tcc, statuses, G_N_ELEMENTS_FUZZ(statuses), &n_st) ==
                PA_RTCP_OK) {
                FUZZ_CHECK(n_st <= G_N_ELEMENTS_FUZZ(statuses) && n_st <= tcc.status_count);
                for (size_t k = 0; k < n_st; k++) {
                    FUZZ_CHECK(statuses[k].seq == (uint16_t)(tcc.base_seq + k));
                    FUZZ_CHECK(statuses[k].status <= PA_TCC_LARGE);
                    FUZZ_CHECK(statuses[k].status != PA_TCC_NOT_RECV || statuses[k].delta == 0);
                }
            }
            check_nack(data, &p);
            check_psfb(data, &p);

            /* Rewriting on the copy: never outside this packet, and reversible. */
            uint32_t media = fb.media_ssrc;
            unsigned n = pa_rtcp_fb_rewrite_ssrc(copy, &p, media, media ^ 0x5a5a5a5a);
            FUZZ_CHECK(n >= 1);
            FUZZ_CHECK(memcmp(copy, data, p.offset) == 0);
            FUZZ_CHECK(memcmp(copy + p.offset + p.len, data + p.offset + p.len,
                              size - p.offset - p.len) == 0);
            pa_rtcp_fb_rewrite_ssrc(copy, &p, media ^ 0x5a5a5a5a, media);
            FUZZ_CHECK(pa_rtcp_fb_set_media_ssrc(copy, &p, media) == PA_RTCP_OK);
        }
        if (pa_rtcp_set_sender_ssrc(copy, &p, 0x01020304) == PA_RTCP_OK)
            FUZZ_CHECK(memcmp(copy + p.offset + 4, "\x01\x02\x03\x04", 4) == 0);
        memcpy(copy + p.offset, data + p.offset, p.len); /* next packet compares against data */
    }
    FUZZ_CHECK(st != PA_RTCP_OK);
    if (st == PA_RTCP_END && covered != size)
        FUZZ_CHECK(0 && "iteration ended early without an error");
    FUZZ_CHECK(pa_rtcp_iter_next(&it, &p) == PA_RTCP_END);
    return 0;
}
