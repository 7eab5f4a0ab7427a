/* SPDX-License-Identifier: MIT */
/* forward-floor: the least CPU an SFU can spend per forwarded packet on this machine
 * (floor.h): SRTP unprotect once, copy + protect per receiver, sendmmsg over loopback UDP, on
 * one thread, for bridge-load's packet mix. Prints microseconds of the forwarding thread's
 * CPU per forwarded packet for four variants (input from memory or from a socket; one
 * sending socket or one per receiver), or, asked for by name, a paced one (floor.h: socket
 * input at the participants' real-time instants). A benchmark: it asserts nothing about time.
 *
 *   forward-floor [-r RECEIVERS [-s SENDERS] | -n PARTICIPANTS] [-d SECONDS] [--video-kbps K]
 *                 [--profile gcm|cm] [--variant all|mem+1sock|mem+sock/rx|recv+1sock|recv+sock/rx
 *                            |paced+1sock|paced+sock/rx]
 *
 * Opens loopback sockets: run it under tests/netns-run.sh. Single process; its helper threads
 * (receiver drain, socket feed) are not counted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"
#include "tests/lib/c/proc-stats.h"
#include "bridge/srtp/srtp.h"
#include "floor.h"

int main(int argc, char **argv)
{
    gint receivers = 0, participants = 0, senders = 1, video_kbps = 1500;
    gdouble seconds = 3;
    gchar *profile = NULL, *variant = NULL;
    GOptionEntry entries[] = {
        {"receivers", 'r', 0, G_OPTION_ARG_INT, &receivers, "fan-out per packet (default 2)", "R"},
        {"senders", 's', 0, G_OPTION_ARG_INT, &senders,
         "participants whose packets are interleaved (SSRCs per receiver leg = 2 S; default 1)",
         "S"},
        {"participants", 'n', 0, G_OPTION_ARG_INT, &participants,
         "as in a conference of N: R = N-1 receivers, each seeing N-1 senders", "N"},
        {"seconds", 'd', 0, G_OPTION_ARG_DOUBLE, &seconds, "seconds per variant (default 3)", "S"},
        {"video-kbps", 0, 0, G_OPTION_ARG_INT, &video_kbps, "video bit rate of the mix (1500)",
         "K"},
        {"profile", 0, 0, G_OPTION_ARG_STRING, &profile, "gcm (default) or cm", "P"},
        {"variant", 0, 0, G_OPTION_ARG_STRING, &variant, "one variant only (default all)", "V"},
        {NULL},
    };
    GOptionContext *ctx = g_option_context_new("- SFU forwarding floor (SRTP + sendmmsg)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "forward-floor: %s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    if (participants > 1)
        receivers = senders = participants - 1;
    if (receivers <= 0)
        receivers = 2;
    BridgeSrtpProfile prof = BRIDGE_SRTP_AEAD_AES_128_GCM;
    if (profile && strcmp(profile, "cm") == 0)
        prof = BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80;
    else if (profile && strcmp(profile, "gcm") != 0) {
        fprintf(stderr, "forward-floor: --profile: gcm or cm\n");
        return 2;
    }

    bridge_srtp_global_init();
    printf("forward-floor: fan-out R=%d, %d sender(s), mix per sender: audio %d pps x %d B + video "
           "%d kbps "
           "(%.0f pps, <=%d B payload), %s, SRTP crypto %s, load average %.2f\n",
           receivers, MAX(senders, 1), BENCH_AUDIO_PPS, BENCH_AUDIO_PAYLOAD, video_kbps,
           bench_video_pps((guint)video_kbps), BENCH_VIDEO_MAX_PAYLOAD,
           bridge_srtp_profile_name(prof), bridge_srtp_backend(), test_loadavg());
    printf("%-14s %10s %11s %9s %8s %9s %7s\n", "variant", "inputs", "forwarded", "cpu_ms",
           "us/fwd", "us/input", "errors");
    int rc = 0;
    for (int v = 0; v < 6; v++) {
        BenchFloorConfig c = {
            .receivers = (guint)receivers,
            .senders = (guint)MAX(senders, 1),
            .seconds = seconds,
            .video_kbps = (guint)video_kbps,
            .profile = prof,
            .input_from_socket = v >= 2,
            .socket_per_receiver = v % 2 == 1,
            .paced = v >= 4,
        };
        /* The paced variants take the run's real time: only when asked for by name. */
        if (c.paced && (!variant || strcmp(variant, bench_floor_variant_name(&c)) != 0))
            continue;
        if (variant && strcmp(variant, "all") != 0 &&
            strcmp(variant, bench_floor_variant_name(&c)) != 0)
            continue;
        BenchFloorResult r;
        if (!bench_floor_run(&c, &r, &error)) {
            fprintf(stderr, "forward-floor: %s\n", error->message);
            g_clear_error(&error);
            rc = 1;
            continue;
        }
        printf("%-14s %10" G_GUINT64_FORMAT " %11" G_GUINT64_FORMAT
               " %9.1f %8.3f %9.3f %7" G_GUINT64_FORMAT "\n",
               bench_floor_variant_name(&c), r.inputs, r.forwarded, r.cpu_ns / 1e6,
               r.us_per_forwarded, r.us_per_input, r.send_errors);
    }
    printf("mem = input from memory (no receive), recv = input from a UDP socket (poll + "
           "recvmmsg counted); 1sock = one sendmmsg of R datagrams on one socket, sock/rx = "
           "one socket per receiver; paced+1sock / paced+sock/rx (by --variant only): socket "
           "input at the participants' real-time instants, every wake-up counted\n");
    g_free(profile);
    g_free(variant);
    return rc;
}
