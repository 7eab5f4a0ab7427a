/* SPDX-License-Identifier: MIT */
/* Removing header extensions from RTP the bridge forwards, in place.
 *
 * Why: a sender's sdes:mid names the sender's own m-line. Every receiver numbers its m-lines
 * differently, and a browser routes an incoming packet by MID before anything else (RFC 8843
 * §9.2), so a forwarded MID puts the packet on the wrong receiver (one participant's audio on
 * a video receiver). rid / repaired-rid name the sender's simulcast encodings and mean nothing
 * to a receiver either. Jitsi Videobridge strips the same three before forwarding.
 *
 * How: each element to remove is overwritten with zero bytes, which RFC 8285 defines as
 * padding in both the one-byte and the two-byte form, and which every receiver (libwebrtc,
 * GStreamer, Firefox) skips. The extension block keeps its length, so no byte moves: the
 * payload (which may be end-to-end encrypted) and every other element stay where and what
 * they were. A block that ends up all padding stays as such (X set): a few bytes on the wire
 * instead of moving the header or the payload.
 *
 * Pure code: no allocation, no logging, any thread. */
#pragma once

#include <stdint.h>

#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds the bridge never forwards (bit 1u << PaHdrextKind). */
#define BRIDGE_HDREXT_STRIP_KINDS                                                                  \
    ((1u << PA_HDREXT_MID) | (1u << PA_HDREXT_RID) | (1u << PA_HDREXT_REPAIRED_RID))

/* Overwrites with zero bytes (padding) every element of @pkt, parsed into @h by pa_rtp_parse(),
 * whose id maps in @m to a kind whose bit is set in @kinds (bit 1u << kind; kind NONE never
 * matches). Every occurrence is removed, not only the first. Stores the number of elements
 * removed in *@n_stripped when it is not NULL.
 * Returns PA_HDREXT_OK when the block parsed completely or X is clear (nothing to do);
 * PA_HDREXT_ERR_PROFILE when the profile is neither one-byte nor two-byte (packet untouched);
 * PA_HDREXT_ERR_MALFORMED when an element runs past the end of the block (elements before it
 * were processed; the caller should drop the packet). */
PaHdrextStatus bridge_hdrext_strip(uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                                   uint32_t kinds, unsigned *n_stripped);

#ifdef __cplusplus
}
#endif
