/* SPDX-License-Identifier: MIT */
/* Network-order loads and stores for the RTP/RTCP codecs. Pure, no state, no bounds checks:
 * callers check lengths first (that is the codecs' job, and what the fuzz targets prove).
 * memcpy-free byte shifts compile to single bswap'd loads on x86-64 and never fault on
 * unaligned data, and keep UBSan quiet about alignment. */
#pragma once

#include <stdint.h>

static inline uint16_t pa_rd16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t pa_rd24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t pa_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void pa_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void pa_wr24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static inline void pa_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The picture id field VP8's and VP9's payload descriptors share: 7 bits, or with the M bit
 * set 15 bits (RFC 7741 section 4.2, RFC 9628 section 4.2). @fifteen keeps the field's width. */
static inline void pa_wr_picture_id(uint8_t *p, int fifteen, uint16_t picture_id)
{
    if (fifteen) {
        p[0] = (uint8_t)(0x80 | ((picture_id >> 8) & 0x7f));
        p[1] = (uint8_t)picture_id;
    } else {
        p[0] = picture_id & 0x7f;
    }
}
