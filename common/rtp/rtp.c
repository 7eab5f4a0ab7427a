/* SPDX-License-Identifier: MIT */
/* RTP fixed-header parser and builder (RFC 3550 §5.1). Stateless; any thread. */
#include "common/rtp/rtp.h"

#include <string.h>

PaRtpStatus pa_rtp_parse(const uint8_t *pkt, size_t len, PaRtpHeader *out)
{
    if (len < PA_RTP_FIXED_HEADER_LEN)
        return PA_RTP_ERR_TRUNCATED;
    if (len > PA_RTP_MAX_PACKET_LEN)
        return PA_RTP_ERR_TOO_LONG;

    uint8_t b0 = pkt[0], b1 = pkt[1];
    if ((b0 >> 6) != PA_RTP_VERSION)
        return PA_RTP_ERR_VERSION;

    /* len <= 65535, so every sum below fits in 32 bits without overflow. */
    uint32_t n = (uint32_t)len;
    uint32_t cc = b0 & 0x0f;
    uint32_t off = PA_RTP_FIXED_HEADER_LEN + 4 * cc;
    if (off > n)
        return PA_RTP_ERR_TRUNCATED;

    out->version = PA_RTP_VERSION;
    out->padding = (b0 & 0x20) != 0;
    out->extension = (b0 & 0x10) != 0;
    out->csrc_count = (uint8_t)cc;
    out->marker = (b1 & 0x80) != 0;
    out->payload_type = b1 & 0x7f;
    out->seq = pa_rd16(pkt + 2);
    out->timestamp = pa_rd32(pkt + 4);
    out->ssrc = pa_rd32(pkt + 8);

    out->ext_profile = 0;
    out->ext_offset = 0;
    out->ext_len = 0;
    if (out->extension) {
        if (off + 4 > n)
            return PA_RTP_ERR_TRUNCATED;
        uint32_t ext_len = 4 * (uint32_t)pa_rd16(pkt + off + 2);
        if (ext_len > n - off - 4)
            return PA_RTP_ERR_EXT_LENGTH;
        out->ext_profile = pa_rd16(pkt + off);
        out->ext_offset = off + 4;
        out->ext_len = ext_len;
        off += 4 + ext_len;
    }

    uint32_t pad = 0;
    if (out->padding) {
        /* The count includes itself, so 0 is invalid; padding may not eat into the header. */
        pad = pkt[n - 1];
        if (pad == 0 || pad > n - off)
            return PA_RTP_ERR_PADDING;
    }

    out->header_len = off;
    out->payload_offset = off;
    out->payload_len = n - off - pad;
    out->padding_len = (uint8_t)pad;
    return PA_RTP_OK;
}

const char *pa_rtp_status_name(PaRtpStatus status)
{
    static const char *const names[PA_RTP_STATUS_COUNT] = {
        [PA_RTP_OK] = "ok",
        [PA_RTP_ERR_TRUNCATED] = "truncated",
        [PA_RTP_ERR_VERSION] = "bad_version",
        [PA_RTP_ERR_EXT_LENGTH] = "bad_extension_length",
        [PA_RTP_ERR_PADDING] = "bad_padding",
        [PA_RTP_ERR_TOO_LONG] = "too_long",
    };
    if ((unsigned)status >= PA_RTP_STATUS_COUNT)
        return "unknown";
    return names[status];
}

size_t pa_rtp_build(uint8_t *buf, size_t cap, const PaRtpBuild *b)
{
    if (b->payload_type > 127 || b->csrc_count > PA_RTP_MAX_CSRC || (b->ext_len & 3) ||
        b->ext_len > 4u * 0xffff || (b->ext_len && (!b->ext || !b->extension)) ||
        (b->csrc_count && !b->csrcs) || (b->payload_len && !b->payload) ||
        b->payload_len > PA_RTP_MAX_PACKET_LEN)
        return 0;

    bool has_ext = b->extension;
    size_t total = PA_RTP_FIXED_HEADER_LEN + 4u * b->csrc_count + (has_ext ? 4 + b->ext_len : 0) +
                   b->payload_len + b->padding_len;
    if (total > cap || total > PA_RTP_MAX_PACKET_LEN)
        return 0;

    buf[0] = (uint8_t)(PA_RTP_VERSION << 6 | (b->padding_len ? 0x20 : 0) | (has_ext ? 0x10 : 0) |
                       b->csrc_count);
    buf[1] = (uint8_t)((b->marker ? 0x80 : 0) | b->payload_type);
    pa_wr16(buf + 2, b->seq);
    pa_wr32(buf + 4, b->timestamp);
    pa_wr32(buf + 8, b->ssrc);
    size_t off = PA_RTP_FIXED_HEADER_LEN;
    for (unsigned i = 0; i < b->csrc_count; i++, off += 4)
        pa_wr32(buf + off, b->csrcs[i]);
    if (has_ext) {
        pa_wr16(buf + off, b->ext_profile);
        pa_wr16(buf + off + 2, (uint16_t)(b->ext_len / 4));
        if (b->ext_len)
            memcpy(buf + off + 4, b->ext, b->ext_len);
        off += 4 + b->ext_len;
    }
    if (b->payload_len)
        memcpy(buf + off, b->payload, b->payload_len);
    off += b->payload_len;
    if (b->padding_len) {
        memset(buf + off, 0, b->padding_len - 1u);
        buf[off + b->padding_len - 1] = b->padding_len;
        off += b->padding_len;
    }
    return off;
}
