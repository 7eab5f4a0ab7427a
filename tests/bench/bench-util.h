/* SPDX-License-Identifier: MIT */
/* Shared pieces of the forwarding benchmarks (bridge-load, forward-floor): the synthetic
 * participant's packet mix, the stamp carried in each payload, a latency histogram, and
 * readers for CPU time and resident size.
 *
 * Threads: BenchSource and BenchHist have one owner thread each (no locking); the /proc
 * readers may be called from any thread. Nothing here allocates except bench_source_new. */
#pragma once

#include <glib.h>
#include <sys/socket.h>
#include <time.h>

G_BEGIN_DECLS

/* ---- the packet mix of one simulated participant ----
 * Audio: 50 packets/s, 100 bytes of payload, 48 kHz clock, ssrc-audio-level (id 1) and
 * transport-cc (id 5) extensions, PT 111. Video: 30 frames/s at the given bit rate in packets
 * of at most 1100 bytes of payload (so ~1.2 kB datagrams once SRTP's tag is on), a keyframe
 * (4x the mean frame size) every 2 s and at start, the marker bit on each frame's last
 * packet, abs-send-time (id 3) and transport-cc (id 5), PT 100. Header extension ids are
 * Jicofo's defaults, which is what the bridge reads an endpoint's RTP with until told
 * otherwise. */
#define BENCH_AUDIO_PPS 50
#define BENCH_AUDIO_PAYLOAD 100
#define BENCH_VIDEO_FPS 30
#define BENCH_VIDEO_MAX_PAYLOAD 1100
#define BENCH_KEYFRAME_INTERVAL_S 2
#define BENCH_KEYFRAME_FACTOR 4
#define BENCH_PT_AUDIO 111
#define BENCH_PT_VIDEO 100
#define BENCH_MAX_FRAME_PKTS 128
#define BENCH_PKT_CAP 1500 /* buffer size that holds any packet of the mix plus SRTP trailer */

typedef enum { BENCH_KIND_AUDIO = 0, BENCH_KIND_VIDEO = 1, BENCH_N_KINDS } BenchKind;

/* Simulcast: with bench_encodings = 3 (set once before any source is made), each participant's
 * video is three encodings as a browser sends them, each with its own SSRC (the video SSRC, +1,
 * +2), numbering and schedule: a tenth, three tenths and all of the video bit rate (150, 450
 * and 1500 kbps by default: 180p, 360p, 720p), key frames on all three at once. */
#define BENCH_MAX_ENCODINGS 3
extern guint bench_encodings;

/* One packet to build. */
typedef struct {
    BenchKind kind;
    guint32 ssrc;
    guint16 seq;
    guint32 ts;
    gboolean marker;
    gboolean keyframe;
    guint16 payload_len;
    guint16 tcc_seq;
    guint32 counter;      /* per (participant, kind), from 0: loss accounting */
    gboolean frame_start; /* video: the frame's first packet */
    guint16 picid;        /* video: the frame's number (VP8 picture id) */
    guint8 enc;           /* video: the encoding (0 without simulcast) */
} BenchPkt;

/* TRUE: video payloads start with a VP8 payload descriptor (picture id, TL0PICIDX, temporal
 * layer 0) and, on a frame's first packet, the VP8 payload header (key frames with their
 * size), as layer selection needs; the stamp follows. Set once before sending. */
extern gboolean bench_vp8;

/* One video encoding's numbering and schedule. */
typedef struct {
    guint32 ssrc;
    guint16 seq;
    guint32 ts;
    guint32 counter;
    guint kbps;
    guint frames;
    gint64 next_us;
} BenchEncoding;

typedef struct {
    guint16 index;                  /* participant number, carried in every payload */
    guint32 ssrc[BENCH_N_KINDS];    /* video: the first encoding's */
    guint16 seq[BENCH_N_KINDS];     /* audio only; video per encoding */
    guint32 ts[BENCH_N_KINDS];      /* audio only */
    guint32 counter[BENCH_N_KINDS]; /* audio only; video per encoding */
    guint16 tcc_seq;
    guint video_kbps;
    guint n_enc;
    BenchEncoding enc[BENCH_MAX_ENCODINGS];
    gint64 next_us[BENCH_N_KINDS]; /* next due time (video: of any encoding), caller's clock */
} BenchSource;

/* A participant whose first packets are due at @start_us (audio) and a little later (video),
 * staggered by @index so that N participants do not send in lock step. */
void bench_source_init(BenchSource *s, guint16 index, guint video_kbps, gint64 start_us);
/* Earliest due time of the next packet(s). */
gint64 bench_source_next_due(const BenchSource *s);
/* Packets due at @now_us (an audio packet and/or a whole video frame), at most @max; advances
 * the schedule. Returns how many were written to @out. */
guint bench_source_take_due(BenchSource *s, gint64 now_us, BenchPkt *out, guint max);
/* Video packets per second the mix sends on average at @video_kbps (all encodings). */
double bench_video_pps(guint video_kbps);
/* Packets per second of one video stream (one encoding) at @kbps. */
double bench_stream_pps(guint kbps);
/* The bit rate of encoding @e of a source sending @video_kbps (bench_encodings). */
guint bench_encoding_kbps(guint video_kbps, guint e);

/* The stamp at the start of every payload. */
#define BENCH_MAGIC 0x504c4231u /* "PLB1" */
typedef struct {
    guint16 sender;
    BenchKind kind;
    guint8 enc;
    gboolean keyframe;
    guint32 counter;
    guint64 send_ns; /* CLOCK_REALTIME, comparable to SO_TIMESTAMPNS on receipt */
} BenchStamp;

/* Builds the clear RTP packet for @p (header, extensions, stamp, filler) into @buf.
 * Returns its length (0 if @cap is too small). */
gsize bench_build_rtp(guint8 *buf, gsize cap, const BenchPkt *p, guint16 sender, guint64 send_ns);
/* Reads the stamp of a clear RTP packet. FALSE if it is not one of ours. */
gboolean bench_read_stamp(const guint8 *pkt, gsize len, BenchStamp *out);

/* ---- latency histogram: 1 us buckets below 20 ms, 100 us buckets up to 2 s ---- */
#define BENCH_HIST_FINE 20000
#define BENCH_HIST_COARSE 19800
typedef struct {
    guint32 fine[BENCH_HIST_FINE];
    guint32 coarse[BENCH_HIST_COARSE];
    guint64 count, over;
    guint64 sum_us;
    gint64 max_us;
} BenchHist;

void bench_hist_add(BenchHist *h, gint64 us);
void bench_hist_merge(BenchHist *into, const BenchHist *from);
/* Value below which a fraction @q (0..1) of the samples lie, in microseconds (-1 if empty). */
double bench_hist_quantile(const BenchHist *h, double q);

/* ---- clocks and /proc ---- */
static inline gint64 bench_clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- sockets ---- */
/* A UDP socket bound to 127.0.0.1 on an ephemeral port, non-blocking, with receive and send
 * buffers of @buf_bytes (forced beyond rmem_max when allowed). -1 on failure. */
int bench_udp_socket(int buf_bytes, struct sockaddr_storage *bound, socklen_t *bound_len);
/* Asks for @bytes of receive buffer (SO_RCVBUFFORCE, else SO_RCVBUF). */
void bench_socket_rcvbuf(int fd, int bytes);

G_END_DECLS
