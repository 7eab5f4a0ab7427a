/* SPDX-License-Identifier: MIT */
/* Fuzz target: the AV1 dependency descriptor parser. The input is a sequence of descriptors
 * (each: one length byte, then that many bytes) parsed in order against one structure, as a
 * stream's packets are. Checks: on error the structure is untouched; on success the frame's
 * ids are within the structure's (and the spec's) bounds, the decode target layers are
 * consistent with the templates, and the frame number rewriter changes only bytes 1..2. */
#include <string.h>

#include "common/rtp/av1-dd.h"
#include "fuzz.h"

static void check_structure(const PaAv1DdStructure *s)
{
    if (s->template_count == 0)
        return;
    FUZZ_CHECK(s->template_count <= PA_AV1_DD_MAX_TEMPLATES);
    FUZZ_CHECK(s->dt_count >= 1 && s->dt_count <= PA_AV1_DD_MAX_DECODE_TARGETS);
    FUZZ_CHECK(s->chain_count <= s->dt_count);
    FUZZ_CHECK(s->max_spatial_id <= PA_AV1_DD_MAX_SPATIAL_ID);
    FUZZ_CHECK(s->max_temporal_id <= PA_AV1_DD_MAX_TEMPORAL_ID);
    for (unsigned t = 0; t < s->template_count; t++) {
        FUZZ_CHECK(s->template_sid[t] <= s->max_spatial_id);
        FUZZ_CHECK(s->template_tid[t] <= s->max_temporal_id);
        FUZZ_CHECK(s->template_fdiff_count[t] <= PA_AV1_DD_MAX_FDIFFS);
    }
    for (unsigned dt = 0; dt < s->dt_count; dt++) {
        FUZZ_CHECK(s->dt_sid[dt] <= s->max_spatial_id && s->dt_tid[dt] <= s->max_temporal_id);
        int found = pa_av1_dd_decode_target(s, s->dt_sid[dt], s->dt_tid[dt]);
        FUZZ_CHECK(found >= 0 && (unsigned)found <= dt);
        if (s->chain_count)
            FUZZ_CHECK(s->dt_protected_by[dt] < s->chain_count);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static PaAv1DdStructure s, before;
    static uint8_t copy[256];
    pa_av1_dd_structure_init(&s);
    size_t off = 0;
    while (off < size) {
        size_t n = data[off++];
        if (n > size - off)
            n = size - off;
        const uint8_t *ext = data + off;
        off += n;
        before = s;
        PaAv1DdFrame f;
        PaAv1DdStatus st = pa_av1_dd_parse(ext, n, &s, &f);
        FUZZ_CHECK((unsigned)st < PA_AV1_DD_STATUS_COUNT);
        if (st != PA_AV1_DD_OK) {
            FUZZ_CHECK(memcmp(&s, &before, sizeof s) == 0);
            continue;
        }
        FUZZ_CHECK(n >= PA_AV1_DD_MANDATORY_LEN);
        FUZZ_CHECK(s.template_count > 0);
        FUZZ_CHECK(f.has_structure ||
                   memcmp(s.template_sid, before.template_sid, sizeof s.template_sid) == 0);
        check_structure(&s);
        FUZZ_CHECK(f.sid <= s.max_spatial_id && f.tid <= s.max_temporal_id);
        FUZZ_CHECK(f.fdiff_count <= PA_AV1_DD_MAX_FDIFFS && f.chain_count == s.chain_count);
        for (unsigned i = 0; i < f.fdiff_count; i++)
            FUZZ_CHECK(f.fdiffs[i] >= 1 && f.fdiffs[i] <= 4096);
        FUZZ_CHECK(s.active_decode_targets == f.active_decode_targets);

        memcpy(copy, ext, n);
        uint16_t other = (uint16_t)(f.frame_number + 0x8000u);
        pa_av1_dd_set_frame_number(copy, other);
        FUZZ_CHECK(copy[0] == ext[0] && memcmp(copy + 3, ext + 3, n - 3) == 0);
        PaAv1DdStructure again = before;
        PaAv1DdFrame g;
        FUZZ_CHECK(pa_av1_dd_parse(copy, n, &again, &g) == PA_AV1_DD_OK);
        FUZZ_CHECK(g.frame_number == other);
        FUZZ_CHECK(g.sid == f.sid && g.tid == f.tid && g.dtis == f.dtis);
    }
    return 0;
}
