/* SPDX-License-Identifier: MIT */
/* Fuzz target: first-byte demultiplexing, then the RTP or RTCP parser it leads to, as the
 * bridge's receive path does. Checks that classification is consistent with what the parsers
 * then accept. */
#include "common/rtp/demux.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PaDemuxKind k = pa_demux_classify(data, size);
    FUZZ_CHECK((unsigned)k < PA_DEMUX_KIND_COUNT);
    FUZZ_CHECK(pa_demux_kind_name(k) != NULL);
    if (k != PA_DEMUX_TOO_SHORT && k != PA_DEMUX_UNKNOWN)
        FUZZ_CHECK(size >= pa_demux_min_len[k]);

    switch (k) {
    case PA_DEMUX_RTP: {
        FUZZ_CHECK(size >= 12 && (data[0] >> 6) == 2);
        FUZZ_CHECK(data[1] < 192 || data[1] > 223);
        PaRtpHeader h;
        PaRtpStatus st = pa_rtp_parse(data, size, &h);
        FUZZ_CHECK(st != PA_RTP_ERR_VERSION);
        break;
    }
    case PA_DEMUX_RTCP: {
        FUZZ_CHECK(size >= 8 && data[1] >= 192 && data[1] <= 223);
        PaRtcpIter it;
        PaRtcpPacket p;
        if (pa_rtcp_iter_init(&it, data, size) == PA_RTCP_OK) {
            PaRtcpStatus st = pa_rtcp_iter_next(&it, &p);
            /* The first header is RTCP by construction: only its length can be wrong. */
            FUZZ_CHECK(st == PA_RTCP_OK || st == PA_RTCP_ERR_TRUNCATED ||
                       st == PA_RTCP_ERR_PADDING);
            while (pa_rtcp_iter_next(&it, &p) == PA_RTCP_OK)
                ;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}
