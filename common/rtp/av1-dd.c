/* SPDX-License-Identifier: MIT */
/* AV1 dependency descriptor (AV1 RTP spec appendix A): a bounds-checked bit reader over the
 * extension element and the structure/frame parsers. No state of its own; the caller owns the
 * PaAv1DdStructure. */
#include "common/rtp/av1-dd.h"

#include <string.h>

const char *pa_av1_dd_status_name(PaAv1DdStatus status)
{
    static const char *const names[PA_AV1_DD_STATUS_COUNT] = {
        "ok", "truncated", "no_structure", "bad_template", "limit",
    };
    return (unsigned)status < PA_AV1_DD_STATUS_COUNT ? names[status] : "?";
}

void pa_av1_dd_structure_init(PaAv1DdStructure *s)
{
    memset(s, 0, sizeof *s);
}

/* ---- bits ---- */

typedef struct {
    const uint8_t *p;
    size_t bits; /* total */
    size_t pos;
    bool overrun;
} Bits;

/* f(n), n <= 32. Past the end it reads zeros and sets overrun: callers check once at the end
 * of a section, and no loop can run long on zeros (every loop is bounded). */
static uint32_t f(Bits *b, unsigned n)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned bit = 0;
        if (b->pos < b->bits)
            bit = (b->p[b->pos >> 3] >> (7 - (b->pos & 7))) & 1u;
        else
            b->overrun = true;
        b->pos++;
        x = x << 1 | bit;
    }
    return x;
}

/* ns(n): a value in 0..n-1 in the non-symmetric code. ns(0) and ns(1) read nothing. */
static uint32_t ns(Bits *b, uint32_t n)
{
    unsigned w = 0;
    for (uint32_t x = n; x != 0; x >>= 1)
        w++;
    if (w == 0)
        return 0;
    uint32_t m = (1u << w) - n;
    uint32_t v = f(b, w - 1);
    if (v < m)
        return v;
    return (v << 1) - m + f(b, 1);
}

/* ---- template dependency structure ---- */

static PaAv1DdStatus template_layers(Bits *b, PaAv1DdStructure *s)
{
    unsigned sid = 0, tid = 0, idc;
    s->template_count = 0;
    s->max_temporal_id = 0;
    do {
        if (s->template_count == PA_AV1_DD_MAX_TEMPLATES)
            return PA_AV1_DD_ERR_LIMIT;
        if (sid > PA_AV1_DD_MAX_SPATIAL_ID || tid > PA_AV1_DD_MAX_TEMPORAL_ID)
            return PA_AV1_DD_ERR_LIMIT;
        s->template_sid[s->template_count] = (uint8_t)sid;
        s->template_tid[s->template_count] = (uint8_t)tid;
        s->template_count++;
        idc = f(b, 2);
        if (b->overrun)
            return PA_AV1_DD_ERR_TRUNCATED;
        if (idc == 1) {
            tid++;
            if (tid > s->max_temporal_id)
                s->max_temporal_id = (uint8_t)tid;
        } else if (idc == 2) {
            tid = 0;
            sid++;
        }
    } while (idc != 3);
    s->max_spatial_id = (uint8_t)sid;
    return PA_AV1_DD_OK;
}

static PaAv1DdStatus template_fdiffs(Bits *b, PaAv1DdStructure *s)
{
    for (unsigned t = 0; t < s->template_count; t++) {
        unsigned n = 0;
        while (f(b, 1)) {
            if (b->overrun)
                return PA_AV1_DD_ERR_TRUNCATED;
            if (n == PA_AV1_DD_MAX_FDIFFS)
                return PA_AV1_DD_ERR_LIMIT;
            s->template_fdiffs[t][n++] = (uint8_t)(f(b, 4) + 1);
        }
        s->template_fdiff_count[t] = (uint8_t)n;
    }
    return b->overrun ? PA_AV1_DD_ERR_TRUNCATED : PA_AV1_DD_OK;
}

static void template_chains(Bits *b, PaAv1DdStructure *s)
{
    s->chain_count = (uint8_t)ns(b, s->dt_count + 1u);
    if (s->chain_count == 0)
        return;
    for (unsigned dt = 0; dt < s->dt_count; dt++)
        s->dt_protected_by[dt] = (uint8_t)ns(b, s->chain_count);
    for (unsigned t = 0; t < s->template_count; t++)
        for (unsigned c = 0; c < s->chain_count; c++)
            s->template_chain_fdiff[t][c] = (uint8_t)f(b, 4);
}

/* decode_target_layers(): what each decode target reaches. */
static void decode_target_layers(PaAv1DdStructure *s)
{
    for (unsigned dt = 0; dt < s->dt_count; dt++) {
        unsigned sid = 0, tid = 0;
        for (unsigned t = 0; t < s->template_count; t++) {
            if (pa_av1_dd_dti(s->template_dtis[t], dt) == PA_AV1_DTI_NOT_PRESENT)
                continue;
            if (s->template_sid[t] > sid)
                sid = s->template_sid[t];
            if (s->template_tid[t] > tid)
                tid = s->template_tid[t];
        }
        s->dt_sid[dt] = (uint8_t)sid;
        s->dt_tid[dt] = (uint8_t)tid;
    }
}

static PaAv1DdStatus structure(Bits *b, PaAv1DdStructure *s)
{
    pa_av1_dd_structure_init(s);
    s->template_id_offset = (uint8_t)f(b, 6);
    s->dt_count = (uint8_t)(f(b, 5) + 1);
    PaAv1DdStatus st = template_layers(b, s);
    if (st != PA_AV1_DD_OK)
        return st;
    for (unsigned t = 0; t < s->template_count; t++) {
        uint64_t dtis = 0;
        for (unsigned dt = 0; dt < s->dt_count; dt++)
            dtis |= (uint64_t)f(b, 2) << (2 * dt);
        s->template_dtis[t] = dtis;
    }
    st = template_fdiffs(b, s);
    if (st != PA_AV1_DD_OK)
        return st;
    template_chains(b, s);
    s->has_resolutions = f(b, 1) != 0;
    if (s->has_resolutions) {
        for (unsigned sid = 0; sid <= s->max_spatial_id; sid++) {
            s->width[sid] = (uint16_t)(f(b, 16) + 1);
            s->height[sid] = (uint16_t)(f(b, 16) + 1);
        }
    }
    if (b->overrun)
        return PA_AV1_DD_ERR_TRUNCATED;
    decode_target_layers(s);
    s->active_decode_targets =
        s->dt_count == 32 ? UINT32_MAX : (uint32_t)((1ull << s->dt_count) - 1);
    return PA_AV1_DD_OK;
}

/* ---- a frame ---- */

typedef struct {
    bool structure, active, custom_dtis, custom_fdiffs, custom_chains;
} Flags;

/* frame_dependency_definition() with the custom parts read from @b. */
static PaAv1DdStatus frame_definition(Bits *b, const Flags *fl, const PaAv1DdStructure *s,
                                      PaAv1DdFrame *out)
{
    unsigned idx = (out->template_id + 64u - s->template_id_offset) % 64u;
    if (idx >= s->template_count)
        return PA_AV1_DD_ERR_TEMPLATE;
    out->sid = s->template_sid[idx];
    out->tid = s->template_tid[idx];
    out->dtis = s->template_dtis[idx];
    if (fl->custom_dtis) {
        out->dtis = 0;
        for (unsigned dt = 0; dt < s->dt_count; dt++)
            out->dtis |= (uint64_t)f(b, 2) << (2 * dt);
    }
    if (fl->custom_fdiffs) {
        unsigned size, n = 0;
        while ((size = f(b, 2)) != 0) {
            if (b->overrun)
                return PA_AV1_DD_ERR_TRUNCATED;
            if (n == PA_AV1_DD_MAX_FDIFFS)
                return PA_AV1_DD_ERR_LIMIT;
            out->fdiffs[n++] = (uint16_t)(f(b, 4 * size) + 1);
        }
        out->fdiff_count = (uint8_t)n;
    } else {
        out->fdiff_count = s->template_fdiff_count[idx];
        for (unsigned i = 0; i < out->fdiff_count; i++)
            out->fdiffs[i] = s->template_fdiffs[idx][i];
    }
    out->chain_count = s->chain_count;
    if (fl->custom_chains) {
        if (s->chain_count == 0)
            return PA_AV1_DD_ERR_LIMIT;
        for (unsigned c = 0; c < s->chain_count; c++)
            out->chain_fdiffs[c] = (uint8_t)f(b, 8);
    } else {
        for (unsigned c = 0; c < s->chain_count; c++)
            out->chain_fdiffs[c] = s->template_chain_fdiff[idx][c];
    }
    return b->overrun ? PA_AV1_DD_ERR_TRUNCATED : PA_AV1_DD_OK;
}

PaAv1DdStatus pa_av1_dd_parse(const uint8_t *ext, size_t len, PaAv1DdStructure *structure_io,
                              PaAv1DdFrame *out)
{
    memset(out, 0, sizeof *out);
    if (len < PA_AV1_DD_MANDATORY_LEN)
        return PA_AV1_DD_ERR_TRUNCATED;
    /* An element is at most 255 bytes (two-byte form), so bit positions fit easily. */
    Bits b = {ext, len * 8, 0, false};
    out->start_of_frame = f(&b, 1) != 0;
    out->end_of_frame = f(&b, 1) != 0;
    out->template_id = (uint8_t)f(&b, 6);
    out->frame_number = (uint16_t)f(&b, 16);

    Flags fl = {0};
    if (len > PA_AV1_DD_MANDATORY_LEN) {
        fl.structure = f(&b, 1) != 0;
        fl.active = f(&b, 1) != 0;
        fl.custom_dtis = f(&b, 1) != 0;
        fl.custom_fdiffs = f(&b, 1) != 0;
        fl.custom_chains = f(&b, 1) != 0;
    }

    /* A new structure is parsed aside and committed only once the whole descriptor is valid:
     * a bad packet must not destroy the stream's good structure. It is large, but only key
     * frames carry one. */
    PaAv1DdStructure fresh;
    const PaAv1DdStructure *s = structure_io;
    if (fl.structure) {
        PaAv1DdStatus st = structure(&b, &fresh);
        if (st != PA_AV1_DD_OK)
            return st;
        s = &fresh;
        out->has_structure = true;
    } else if (structure_io->template_count == 0) {
        return PA_AV1_DD_ERR_NO_STRUCTURE;
    }
    uint32_t active = s->active_decode_targets;
    if (fl.active) {
        active = f(&b, s->dt_count);
        out->has_active_targets = true;
    }
    out->active_decode_targets = active;

    PaAv1DdStatus st = frame_definition(&b, &fl, s, out);
    if (st != PA_AV1_DD_OK)
        return st;
    if (fl.structure)
        *structure_io = fresh;
    structure_io->active_decode_targets = active;
    return PA_AV1_DD_OK;
}

int pa_av1_dd_decode_target(const PaAv1DdStructure *s, unsigned sid, unsigned tid)
{
    for (unsigned dt = 0; dt < s->dt_count && s->template_count; dt++)
        if (s->dt_sid[dt] == sid && s->dt_tid[dt] == tid)
            return (int)dt;
    return -1;
}
