/* SPDX-License-Identifier: MIT */
/* Reference packets for the RTP unit tests, written out byte by byte the way Chrome sends them
 * to a Jitsi-style bridge (extension ids as Jicofo offers them: audio level 1, abs-send-time 3,
 * transport-cc 5, mid 10; jitsi-wire-reference §2). Shared by the unit tests only. */
#pragma once

#include <stdint.h>

/* Opus (PT 111) with one-byte extensions: audio level, transport-cc seq, mid "0". */
static const uint8_t chrome_audio[] = {
    0x90, 0x6f, 0x1a, 0x2b,                         /* V=2 X=1 CC=0 | M=0 PT=111 | seq 6699 */
    0x00, 0x01, 0xe2, 0x40,                         /* timestamp 123456 */
    0x8a, 0x4f, 0x1c, 0x3e,                         /* SSRC */
    0xbe, 0xde, 0x00, 0x02,                         /* one-byte form, 2 words */
    0x10, 0xa3,                                     /* id 1, L=0: voice, level 35 -dBov */
    0x51, 0x00, 0x2a,                               /* id 5, L=1: transport-cc seq 42 */
    0xa0, 0x30,                                     /* id 10, L=0: mid "0" */
    0x00,                                           /* padding */
    0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x80, /* Opus payload */
};
#define CHROME_AUDIO_HEADER_LEN 24

/* VP8 (PT 100) keyframe start with marker: abs-send-time, transport-cc seq, mid "1". */
static const uint8_t chrome_video[] = {
    0x90, 0xe4, 0x30, 0x39,             /* V=2 X=1 | M=1 PT=100 | seq 12345 */
    0x5b, 0xa0, 0x2f, 0x10,             /* timestamp */
    0x2c, 0x8d, 0x43, 0x11,             /* SSRC */
    0xbe, 0xde, 0x00, 0x03,             /* one-byte form, 3 words */
    0x32, 0x12, 0x34, 0x56,             /* id 3, L=2: abs-send-time 0x123456 */
    0x51, 0x00, 0x2b,                   /* id 5, L=1: transport-cc seq 43 */
    0xa0, 0x31,                         /* id 10, L=0: mid "1" */
    0x00, 0x00, 0x00,                   /* padding */
    0x90, 0x80, 0x2a,                   /* VP8 descriptor: X S, I, picture id 42 */
    0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, /* frame tag (key frame) + start code */
};
#define CHROME_VIDEO_HEADER_LEN 28

/* RTX (PT 96) padding-only probe, as a sender's bandwidth probe looks: no payload, 32 bytes of
 * padding, abs-send-time + transport-cc. */
static const uint8_t chrome_probe[] = {
    0xb0, 0x60, 0x00, 0x07, /* V=2 P=1 X=1 | PT=96 | seq 7 */
    0x5b, 0xa0, 0x2f, 0x10, 0x6e, 0x1f, 0x00, 0x01, 0xbe, 0xde, 0x00,
    0x02, 0x32, 0x12, 0x34, 0x99, /* abs-send-time */
    0x51, 0x00, 0x2c,             /* transport-cc seq 44 */
    0x00, 0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    32, /* 32 bytes of padding */
};
#define CHROME_PROBE_HEADER_LEN 24

/* Two CSRCs (a mixer), two-byte extensions (profile 0x1000, appbits 0): audio level (len 1),
 * an empty element (id 20, len 0, only legal in this form), a padding byte, and a 17-byte mid
 * (too long for the one-byte form). */
static const uint8_t two_byte_csrc[] = {
    0x92, 0x6f, 0xff, 0xff, /* V=2 X=1 CC=2 | PT 111 | seq 65535 */
    0xff, 0xff, 0xff, 0xff, /* timestamp */
    0x00, 0x00, 0x00, 0x01, /* SSRC 1 */
    0x11, 0x11, 0x11, 0x11, /* CSRC 0 */
    0x22, 0x22, 0x22, 0x22, /* CSRC 1 */
    0x10, 0x00, 0x00, 0x07, /* two-byte form, 7 words */
    0x01, 0x01, 0x05,       /* id 1 len 1: no voice, level 5 */
    0x14, 0x00,             /* id 20 len 0 */
    0x00,                   /* padding */
    0x0a, 0x11, 'a',  'b',  'c', 'd', 'e', 'f', 'g', 'h',
    'i',  'j',  'k',  'l',  'm', 'n', 'o', 'p', 'q', /* id 10 len 17: mid */
    0x00, 0x00, 0x00,                                /* padding to the word */
    0xde, 0xad, 0xbe, 0xef,                          /* payload */
};
#define TWO_BYTE_CSRC_HEADER_LEN 52
