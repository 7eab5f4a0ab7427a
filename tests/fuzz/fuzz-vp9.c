/* SPDX-License-Identifier: MIT */
/* Fuzz target: the VP9 payload descriptor parser (RFC 9628) with its scalability structure,
 * and the in-place rewriters. Checks: the descriptor length lies inside the input and leaves
 * coded data; layer ids and counts in range; key frames are what the flags say; rewriting
 * the picture id and TL0PICIDX changes nothing else and parses back. */
#include <string.h>

#include "common/rtp/vp9.h"
#include "fuzz.h"

static uint8_t scratch[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PaVp9Desc d;
    PaVp9Status st = pa_vp9_parse(data, size, &d);
    FUZZ_CHECK((unsigned)st < PA_VP9_STATUS_COUNT);
    if (st != PA_VP9_OK || size > sizeof scratch)
        return 0;
    FUZZ_CHECK(d.desc_len >= 1 && d.desc_len < size);
    FUZZ_CHECK(d.tid <= 7 && d.sid <= 7 && d.n_pdiff <= PA_VP9_MAX_PDIFF);
    FUZZ_CHECK(d.has_layers || (d.tid == 0 && d.sid == 0));
    FUZZ_CHECK(d.has_tl0picidx == (d.has_layers && !d.flexible));
    FUZZ_CHECK((d.n_pdiff > 0) == (d.flexible && d.inter_picture));
    FUZZ_CHECK(d.keyframe == (d.begin && !d.inter_picture && d.sid == 0));
    FUZZ_CHECK(!d.has_ss || (d.ss_spatial_layers >= 1 && d.ss_spatial_layers <= 8));

    memcpy(scratch, data, size);
    uint16_t pid = (uint16_t)(d.picture_id + 1) & 0x7fff;
    FUZZ_CHECK(pa_vp9_set_picture_id(scratch, &d, pid) == d.has_picture_id);
    FUZZ_CHECK(pa_vp9_set_tl0picidx(scratch, &d, (uint8_t)(d.tl0picidx + 1)) == d.has_tl0picidx);
    FUZZ_CHECK(memcmp(scratch + d.desc_len, data + d.desc_len, size - d.desc_len) == 0);
    PaVp9Desc e;
    FUZZ_CHECK(pa_vp9_parse(scratch, size, &e) == PA_VP9_OK);
    FUZZ_CHECK(e.desc_len == d.desc_len && e.sid == d.sid && e.tid == d.tid);
    FUZZ_CHECK(e.keyframe == d.keyframe && e.n_pdiff == d.n_pdiff);
    if (d.has_picture_id)
        FUZZ_CHECK(e.picture_id == (d.picture_id_15 ? pid : (pid & 0x7f)));
    if (d.has_tl0picidx)
        FUZZ_CHECK(e.tl0picidx == (uint8_t)(d.tl0picidx + 1));
    return 0;
}
