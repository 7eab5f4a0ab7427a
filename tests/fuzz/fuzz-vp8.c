/* SPDX-License-Identifier: MIT */
/* Fuzz target: the VP8 payload descriptor parser (RFC 7741) and its in-place rewriters.
 * Besides "no crash, no out-of-bounds access", it checks: offsets and lengths lie inside the
 * input; the flags agree with the bytes; rewriting the picture id and TL0PICIDX in a copy
 * changes only those bytes, and parsing the copy gives the new values and everything else
 * unchanged. */
#include <string.h>

#include "common/rtp/vp8.h"
#include "fuzz.h"

static uint8_t scratch[65536];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PaVp8Desc d;
    PaVp8Status st = pa_vp8_parse(data, size, &d);
    FUZZ_CHECK((unsigned)st < PA_VP8_STATUS_COUNT);
    if (st != PA_VP8_OK || size > sizeof scratch)
        return 0;
    FUZZ_CHECK(d.desc_len >= 1 && d.desc_len <= PA_VP8_MAX_DESCRIPTOR_LEN);
    FUZZ_CHECK(d.desc_len < size);
    FUZZ_CHECK(d.partition <= 7 && d.tid <= 3 && d.keyidx <= 31);
    FUZZ_CHECK(d.frame_start == (d.start && d.partition == 0));
    FUZZ_CHECK(!d.keyframe || (d.frame_start && (data[d.desc_len] & 1) == 0));
    FUZZ_CHECK(d.keyframe || (d.width == 0 && d.height == 0));
    FUZZ_CHECK(d.picture_id <= (d.picture_id_15 ? 0x7fff : 0x7f));
    if (d.has_picture_id)
        FUZZ_CHECK(d.picture_id_offset + (d.picture_id_15 ? 2u : 1u) <= d.desc_len);
    if (d.has_tl0picidx)
        FUZZ_CHECK(d.tl0picidx_offset < d.desc_len && data[d.tl0picidx_offset] == d.tl0picidx);

    memcpy(scratch, data, size);
    uint16_t pid = (uint16_t)(~d.picture_id & 0x7fff);
    uint8_t tl0 = (uint8_t)~d.tl0picidx;
    FUZZ_CHECK(pa_vp8_set_picture_id(scratch, &d, pid) == d.has_picture_id);
    FUZZ_CHECK(pa_vp8_set_tl0picidx(scratch, &d, tl0) == d.has_tl0picidx);
    FUZZ_CHECK(memcmp(scratch + d.desc_len, data + d.desc_len, size - d.desc_len) == 0);
    PaVp8Desc e;
    FUZZ_CHECK(pa_vp8_parse(scratch, size, &e) == PA_VP8_OK);
    FUZZ_CHECK(e.desc_len == d.desc_len && e.keyframe == d.keyframe && e.tid == d.tid);
    FUZZ_CHECK(e.picture_id_15 == d.picture_id_15 && e.layer_sync == d.layer_sync);
    if (d.has_picture_id)
        FUZZ_CHECK(e.picture_id == (d.picture_id_15 ? pid : (pid & 0x7f)));
    if (d.has_tl0picidx)
        FUZZ_CHECK(e.tl0picidx == tl0);
    return 0;
}
