/* SPDX-License-Identifier: MIT */
/* In-place removal of RTP header extension elements (see hdrext-strip.h). Stateless; any
 * thread. The walk follows the same rules as pa_hdrext_collect(): zero bytes are padding,
 * id 15 ends a one-byte block, an element running past the block is malformed. */
#include "bridge/media/hdrext-strip.h"

#include <string.h>

PaHdrextStatus bridge_hdrext_strip(uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                                   uint32_t kinds, unsigned *n_stripped)
{
    unsigned n = 0;
    PaHdrextStatus st = PA_HDREXT_OK;
    kinds &= ~1u; /* kind NONE (unmapped ids) is never removed */
    if (!h->extension)
        goto done;

    uint32_t pos = h->ext_offset, end = h->ext_offset + h->ext_len;
    if (h->ext_profile == PA_HDREXT_PROFILE_ONE_BYTE) {
        while (pos < end) {
            uint8_t b = pkt[pos];
            unsigned id = b >> 4;
            if (id == 0) {
                pos++;
                continue;
            }
            if (id == 15)
                break;
            uint32_t len = (uint32_t)(b & 0x0f) + 1;
            if (len > end - pos - 1) {
                st = PA_HDREXT_ERR_MALFORMED;
                break;
            }
            if ((kinds >> m->kind_of[id]) & 1u) {
                /* The header byte too: a zero byte is one byte of padding (id 0, len 0), as
                 * libwebrtc requires, not merely an element with id 0. */
                memset(pkt + pos, 0, 1 + len);
                n++;
            }
            pos += 1 + len;
        }
    } else if ((h->ext_profile & 0xfff0) == PA_HDREXT_PROFILE_TWO_BYTE) {
        while (pos < end) {
            unsigned id = pkt[pos];
            if (id == 0) {
                pos++;
                continue;
            }
            if (end - pos < 2 || (uint32_t)pkt[pos + 1] > end - pos - 2) {
                st = PA_HDREXT_ERR_MALFORMED;
                break;
            }
            uint32_t len = pkt[pos + 1];
            if ((kinds >> m->kind_of[id]) & 1u) {
                memset(pkt + pos, 0, 2 + len);
                n++;
            }
            pos += 2 + len;
        }
    } else {
        st = PA_HDREXT_ERR_PROFILE;
    }
done:
    if (n_stripped)
        *n_stripped = n;
    return st;
}
