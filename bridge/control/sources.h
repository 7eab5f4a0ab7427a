/* SPDX-License-Identifier: MIT */
/* What an endpoint's signalled sources and payload types tell the media plane: the SSRCs of a
 * video source's encodings (with their RTX SSRCs) and which codec each payload type carries.
 * Pure functions of the signalling (common/media/media-desc.h); the selection uses them when an
 * endpoint's sources change. */
#ifndef PARLEY_BRIDGE_CONTROL_SOURCES_H
#define PARLEY_BRIDGE_CONTROL_SOURCES_H

#include <glib.h>

#include "bridge/media/media.h"
#include "common/media/media-desc.h"

/* The encodings of video source @ms, lowest first: its SIM group's SSRCs, else its first SSRC
 * that is no RTX (an FID group's second), each with the RTX SSRC its FID group pairs it with
 * (0: none). At most BRIDGE_MAX_ENCODINGS. @out->vidx is 0. FALSE: it has no encoding. */
gboolean bridge_source_encodings(const PaMediaSource *ms, BridgeMediaVideoSource *out);

/* From @media (PaMediaDesc, may be NULL), per payload type 0..127: @codec the BridgeCodec of
 * the video codec it carries (BRIDGE_CODEC_OTHER when none or not video), @rtx the RTX payload type
 * whose apt names it (0: none). An endpoint that announced no video payload types gets Jitsi's
 * defaults (VP8 100/96, VP9 101/97, H.264 107/99, AV1 41/42). */
void bridge_source_codec_maps(const GArray *media, guint8 codec[128], guint8 rtx[128]);

#endif
