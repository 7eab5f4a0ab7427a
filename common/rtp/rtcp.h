/* SPDX-License-Identifier: MIT */
/* RTCP (RFC 3550 §6, RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb,
 * draft-holmer-rmcat-transport-wide-cc-extensions): a safe iterator over a compound packet,
 * parsers for SR, RR, BYE and the feedback messages the bridge routes (generic NACK,
 * transport-cc header, PLI, FIR, REMB), writers into caller buffers, and in-place SSRC
 * rewriting of feedback.
 *
 * Pure code: no allocation, no logging, no state; any thread. Input is plain (already
 * SRTCP-unprotected) RTCP. Offsets in every result are from the first byte of the compound
 * buffer passed to the iterator, so the parsers take (buf, packet) and never read outside the
 * packet the iterator validated.
 *
 * Writers return the number of bytes written, or 0 when the packet does not fit in @cap or an
 * argument is out of range; they append easily: off += pa_rtcp_write_x(buf + off, cap - off,..)
 * and check for 0. Writers never set the padding bit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Packet types (PT field). RFC 5761 reserves 192..223 for RTCP on a muxed port. */
enum {
    PA_RTCP_SR = 200,
    PA_RTCP_RR = 201,
    PA_RTCP_SDES = 202,
    PA_RTCP_BYE = 203,
    PA_RTCP_APP = 204,
    PA_RTCP_RTPFB = 205, /* transport-layer feedback (RFC 4585) */
    PA_RTCP_PSFB = 206,  /* payload-specific feedback (RFC 4585) */
    PA_RTCP_XR = 207,
};

/* Feedback message types (FMT field). */
enum {
    PA_RTCP_RTPFB_NACK = 1, /* generic NACK */
    PA_RTCP_RTPFB_TCC = 15, /* transport-wide congestion control feedback */
    PA_RTCP_PSFB_PLI = 1,
    PA_RTCP_PSFB_FIR = 4,
    PA_RTCP_PSFB_AFB = 15, /* application layer feedback: REMB when the FCI starts "REMB" */
};

#define PA_RTCP_MAX_REPORT_BLOCKS 31
#define PA_RTCP_REPORT_BLOCK_LEN 24
#define PA_RTCP_MAX_PACKET_LEN 65535

typedef enum {
    PA_RTCP_OK = 0,
    PA_RTCP_END,           /* iterator: no more packets */
    PA_RTCP_ERR_TRUNCATED, /* < 4 bytes left, or the length field runs past the buffer */
    PA_RTCP_ERR_VERSION,   /* version is not 2 */
    PA_RTCP_ERR_TYPE,      /* iterator: PT outside 192..223; parser: wrong PT/FMT for it */
    PA_RTCP_ERR_PADDING,   /* P set with a count of 0 or larger than the packet body */
    PA_RTCP_ERR_LENGTH,    /* body too short for what its count/type announces */
    PA_RTCP_ERR_TOO_LONG,  /* compound longer than PA_RTCP_MAX_PACKET_LEN */
    PA_RTCP_STATUS_COUNT
} PaRtcpStatus;

/* Stable lower-case name for metrics ("ok", "end", "truncated", "bad_version", ...). */
const char *pa_rtcp_status_name(PaRtcpStatus status);

/* One packet of a compound. */
typedef struct {
    uint8_t type;      /* PT */
    uint8_t count;     /* RC, SC or FMT: the low 5 bits of the first byte */
    bool padding;      /* P */
    uint32_t offset;   /* first byte of this packet in the compound buffer */
    uint32_t len;      /* whole packet: 4 * (length field + 1), padding included */
    uint32_t body_len; /* bytes after the 4-byte header, padding excluded */
} PaRtcpPacket;

typedef struct {
    const uint8_t *buf;
    uint32_t len;
    uint32_t pos;
} PaRtcpIter;

/* Starts iterating the compound @buf of @len bytes. Returns PA_RTCP_OK, or
 * PA_RTCP_ERR_TOO_LONG (then every next() returns PA_RTCP_END). */
PaRtcpStatus pa_rtcp_iter_init(PaRtcpIter *it, const uint8_t *buf, size_t len);

/* Fills @out with the next packet and returns PA_RTCP_OK, PA_RTCP_END when the buffer is
 * used up, or an error (TRUNCATED, VERSION, TYPE, PADDING). An error ends the iteration (next
 * calls return END); packets returned before it were sound, so a caller may keep them or drop
 * the whole compound (the bridge counts and drops). Unknown but legal types (SDES, APP, XR...)
 * are returned too: skip them by type. */
PaRtcpStatus pa_rtcp_iter_next(PaRtcpIter *it, PaRtcpPacket *out);

/* Body of packet @p (the byte after its 4-byte header). */
static inline const uint8_t *pa_rtcp_body(const uint8_t *buf, const PaRtcpPacket *p)
{
    return buf + p->offset + 4;
}

/* ---- Sender and receiver reports ---- */

typedef struct {
    uint32_t ssrc;
    uint8_t fraction_lost;    /* fixed point /256 */
    int32_t cumulative_lost;  /* signed 24-bit, -8388608..8388607 */
    uint32_t ext_highest_seq; /* cycles << 16 | highest sequence received */
    uint32_t jitter;          /* RTP timestamp units */
    uint32_t lsr;             /* middle 32 bits of the last SR's NTP time, 0 if none */
    uint32_t dlsr;            /* delay since that SR, 1/65536 s */
} PaRtcpReportBlock;

typedef struct {
    uint32_t ssrc;
    uint64_t ntp; /* NTP timestamp: seconds << 32 | fraction */
    uint32_t rtp_ts;
    uint32_t packet_count;
    uint32_t octet_count;
    uint8_t report_count;   /* parse only */
    uint32_t blocks_offset; /* parse only: first report block in the compound buffer */
} PaRtcpSr;

typedef struct {
    uint32_t ssrc;
    uint8_t report_count;
    uint32_t blocks_offset;
} PaRtcpRr;

/* SR (PT 200): PA_RTCP_OK, ERR_TYPE, or ERR_LENGTH when the body is shorter than
 * 24 + 24 * RC. Profile-specific extensions after the blocks are allowed and ignored. */
PaRtcpStatus pa_rtcp_parse_sr(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpSr *out);

/* RR (PT 201): as above with 4 + 24 * RC. */
PaRtcpStatus pa_rtcp_parse_rr(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpRr *out);

/* Report block @i (< report_count) of an SR/RR parsed above. */
void pa_rtcp_read_report_block(const uint8_t *buf, uint32_t blocks_offset, unsigned i,
                               PaRtcpReportBlock *out);

/* In-place: the SSRC a report block is about (the bridge maps projected SSRCs back). */
static inline void pa_rtcp_report_block_set_ssrc(uint8_t *buf, uint32_t blocks_offset, unsigned i,
                                                 uint32_t ssrc)
{
    pa_wr32(buf + blocks_offset + PA_RTCP_REPORT_BLOCK_LEN * i, ssrc);
}

/* The compact NTP form used by LSR: middle 32 bits. */
static inline uint32_t pa_rtcp_ntp_mid32(uint64_t ntp)
{
    return (uint32_t)(ntp >> 16);
}

/* ---- BYE ---- */

typedef struct {
    uint8_t ssrc_count;
    uint32_t ssrcs_offset;
    uint8_t reason_len;     /* 0 when absent */
    uint32_t reason_offset; /* reason text (not NUL-terminated) when reason_len > 0 */
} PaRtcpBye;

/* BYE (PT 203): ERR_LENGTH when the SSRC list or the reason runs past the body. */
PaRtcpStatus pa_rtcp_parse_bye(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpBye *out);

/* Entry @i of an SSRC list at @offset (BYE SSRCs, REMB SSRCs). */
static inline uint32_t pa_rtcp_list_ssrc(const uint8_t *buf, uint32_t offset, unsigned i)
{
    return pa_rd32(buf + offset + 4 * i);
}

/* ---- Feedback (RTPFB 205 / PSFB 206) ---- */

typedef struct {
    uint8_t type; /* 205 or 206 */
    uint8_t fmt;
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    uint32_t fci_offset; /* feedback control information */
    uint32_t fci_len;
} PaRtcpFb;

/* Common feedback header: ERR_TYPE unless PT is 205/206, ERR_LENGTH when the body is < 8. */
PaRtcpStatus pa_rtcp_parse_fb(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFb *out);

typedef struct {
    PaRtcpFb fb;
    unsigned pair_count; /* (PID, BLP) pairs, >= 1 */
} PaRtcpNack;

/* Generic NACK (205/1): ERR_TYPE, or ERR_LENGTH when there is no whole (PID, BLP) pair. */
PaRtcpStatus pa_rtcp_parse_nack(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpNack *out);

/* Expands the PID/BLP pairs into sequence numbers (each pair: PID, then PID+1+i for each bit
 * i of BLP set, ascending), writing at most @cap. Returns how many were written; a NACK yields
 * at most 17 * pair_count. */
size_t pa_rtcp_nack_expand(const uint8_t *buf, const PaRtcpNack *nack, uint16_t *seqs, size_t cap);

typedef struct {
    PaRtcpFb fb;
    uint16_t base_seq;
    uint16_t status_count;
    int32_t reference_time; /* signed 24-bit, multiples of 64 ms */
    uint8_t fb_count;       /* feedback packet count */
} PaRtcpTcc;

/* Transport-cc feedback (205/15), header fields only: ERR_TYPE, or ERR_LENGTH when the FCI is
 * shorter than 8 bytes. Chunks and deltas: pa_tcc_parse() (common/rtp/tcc.h), which also
 * writes this packet. */
PaRtcpStatus pa_rtcp_parse_tcc(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpTcc *out);

/* PLI (206/1): sender and media SSRC; ERR_TYPE unless PSFB FMT 1. */
PaRtcpStatus pa_rtcp_parse_pli(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFb *out);

typedef struct {
    uint32_t ssrc;  /* the media sender asked to send a keyframe */
    uint8_t seq_nr; /* command sequence number: a repeat with the same seq is not a new request */
} PaRtcpFirEntry;

typedef struct {
    PaRtcpFb fb;
    unsigned entry_count; /* >= 1; entries are 8 bytes each from fb.fci_offset */
} PaRtcpFir;

/* FIR (206/4, RFC 5104 §4.3.1): ERR_TYPE, or ERR_LENGTH without a whole entry. */
PaRtcpStatus pa_rtcp_parse_fir(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpFir *out);

static inline void pa_rtcp_fir_entry(const uint8_t *buf, const PaRtcpFir *fir, unsigned i,
                                     PaRtcpFirEntry *out)
{
    const uint8_t *e = buf + fir->fb.fci_offset + 8 * i;
    out->ssrc = pa_rd32(e);
    out->seq_nr = e[4];
}

typedef struct {
    PaRtcpFb fb;
    uint64_t bitrate_bps; /* mantissa << exponent, saturated at UINT64_MAX */
    uint8_t ssrc_count;
    uint32_t ssrcs_offset;
} PaRtcpRemb;

/* REMB (206/15 with "REMB"): ERR_TYPE when not PSFB/15 or the identifier is not "REMB",
 * ERR_LENGTH when the FCI is shorter than 8 + 4 * num_ssrc. */
PaRtcpStatus pa_rtcp_parse_remb(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpRemb *out);

/* ---- In-place SSRC rewriting (buffer from the iterator, made writable) ---- */

/* Sender SSRC (the first word of SR, RR, RTPFB, PSFB, APP, XR): ERR_TYPE for SDES and BYE
 * (their first word is a chunk or list), ERR_LENGTH when the body is shorter than 4. */
PaRtcpStatus pa_rtcp_set_sender_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t ssrc);

/* Media source SSRC in the common feedback header (RTPFB/PSFB): ERR_TYPE / ERR_LENGTH as
 * pa_rtcp_parse_fb(). For FIR and REMB the media SSRC field is 0 and the targets are in the
 * FCI: use pa_rtcp_fb_rewrite_ssrc(). */
PaRtcpStatus pa_rtcp_fb_set_media_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t ssrc);

/* Replaces every media-source reference to @from by @to in one feedback packet: the header's
 * media SSRC (NACK, TCC, PLI and any other FMT), FIR entries and REMB SSRC list. The sender
 * SSRC is not touched. Returns how many fields were rewritten (0 for a non-feedback packet or
 * a malformed FIR/REMB, which are then left as they were). */
unsigned pa_rtcp_fb_rewrite_ssrc(uint8_t *buf, const PaRtcpPacket *p, uint32_t from, uint32_t to);

/* ---- Writers ---- */

/* SR: sender info from @sr (report_count and blocks_offset ignored) and @n (<= 31) blocks. */
size_t pa_rtcp_write_sr(uint8_t *buf, size_t cap, const PaRtcpSr *sr,
                        const PaRtcpReportBlock *blocks, unsigned n);

/* RR with @n (<= 31) report blocks (n == 0 gives the 8-byte empty RR). */
size_t pa_rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc, const PaRtcpReportBlock *blocks,
                        unsigned n);

/* SDES with one chunk for @ssrc holding a CNAME item of @cname_len (1..255) bytes. */
size_t pa_rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname,
                                size_t cname_len);

/* BYE for @n (1..31) SSRCs, no reason. */
size_t pa_rtcp_write_bye(uint8_t *buf, size_t cap, const uint32_t *ssrcs, unsigned n);

/* PLI (12 bytes). */
size_t pa_rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);

/* FIR with @n (>= 1) entries; the header's media SSRC is 0 as RFC 5104 requires. */
size_t pa_rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         const PaRtcpFirEntry *entries, unsigned n);

/* Generic NACK for @n lost sequence numbers. Consecutive numbers within 16 of the current PID
 * share its BLP; give them in ascending (wrap-aware) order for the most compact packet
 * (any order is correct; duplicates of the current PID are skipped). Writes as many pairs as
 * fit in @cap and stores in *@consumed (if not NULL) how many of @seqs they cover; call again
 * with the rest. Returns 0 (consumed 0) when n is 0 or not even one pair fits. */
size_t pa_rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                          const uint16_t *seqs, size_t n, size_t *consumed);

/* REMB with @n (0..255) SSRCs. The bitrate is encoded as an 18-bit mantissa and 6-bit exponent,
 * rounding down (the encoded value is <= @bitrate_bps and within 2^-17 of it). */
size_t pa_rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint64_t bitrate_bps,
                          const uint32_t *ssrcs, unsigned n);

#ifdef __cplusplus
}
#endif
