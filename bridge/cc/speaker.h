/* SPDX-License-Identifier: MIT */
/* Dominant speaker identification for one conference, from the RFC 6464 audio levels its
 * participants' audio packets carry: the algorithm of Volfin and Cohen, "Dominant Speaker
 * Identification for Multipoint Videoconferencing" (IEEE 2012), in the form Jitsi
 * Videobridge uses it (jitsi-utils DominantSpeakerIdentification), so that Jitsi clients see
 * the speaker changes they expect.
 *
 * How it decides. Each participant's levels (one per audio packet, every 20 ms) are turned
 * into "loud enough" (above the participant's own noise floor, tracked slowly) on three time
 * scales: immediate (the latest level, in 13 steps), medium (how many of the last 5 levels
 * were loud: 100 ms) and long (how many of the last 10 medium blocks were fully loud: one
 * second). Each scale gives a speech activity score (a binomial likelihood). Every 300 ms the
 * current dominant speaker is challenged: another participant takes over only when its
 * scores beat the dominant one's on all three scales (log ratios above 3, 2 and 0), the
 * strongest medium-scale challenger winning. The long scale is the hysteresis: a cough or a
 * short noise never outweighs a second of speech, and a new speaker takes over about half a
 * second after the old one stops. A participant without levels for 40 ms counts as silent.
 *
 * The recent speakers list (Jitsi's previousSpeakers, at most 10) is ordered by when each
 * was last dominant.
 *
 * Memory is taken at creation (capacity speakers); levels and decisions allocate nothing.
 * Thread: one owner, which feeds levels and ticks (the bridge: the thread that owns the
 * conference's speech activity). Pure code, libc and libm; time (ms) is passed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_SPEAKER_DECISION_MS 300
#define BRIDGE_SPEAKER_STEP_MS 20       /* the algorithm's time step: one audio packet */
#define BRIDGE_SPEAKER_CATCH_UP_MS 1000 /* bridge_speakers_advance replays at most this */
#define BRIDGE_SPEAKER_LEVEL_IDLE_MS 40
#define BRIDGE_SPEAKER_RECENT_MAX 10

typedef struct BridgeSpeakers BridgeSpeakers;

/* Room for @capacity participants (transfer full: bridge_speakers_free). NULL when @capacity
 * is 0 or memory is short. */
BridgeSpeakers *bridge_speakers_new(unsigned capacity);
void bridge_speakers_free(BridgeSpeakers *s);

/* Adds participant @id (any value the caller uses, e.g. an endpoint handle). False when it is
 * already there or the capacity is reached. */
bool bridge_speakers_add(BridgeSpeakers *s, uint32_t id, int64_t now_ms);
/* Removes @id (also from the recent list; if it was dominant, there is none until the next
 * decision). False when unknown. */
bool bridge_speakers_remove(BridgeSpeakers *s, uint32_t id);

/* One audio level of @id: @level_dbov as RFC 6464 carries it (0 loudest .. 127 silence; the
 * voice activity flag is not used). Levels older than the participant's last one are
 * ignored. Unknown ids are ignored (false). */
bool bridge_speakers_level(BridgeSpeakers *s, uint32_t id, uint8_t level_dbov, int64_t now_ms);

/* Runs what is due at @now_ms: silent periods of participants without levels, and every
 * BRIDGE_SPEAKER_DECISION_MS a decision. Call it at least every 40 ms or so (the media
 * worker's tick). Returns true when the dominant speaker changed. */
bool bridge_speakers_tick(BridgeSpeakers *s, int64_t now_ms);

/* One level of participant @id at @at_ms, for bridge_speakers_advance. */
typedef struct {
    uint32_t id;
    uint8_t level_dbov;
    int64_t at_ms;
} BridgeSpeakerLevel;

/* For an owner that collects levels and looks at them now and then (the bridge: every 100 ms):
 * feeds @levels (@n of them, any order across participants, in order per participant; sorted
 * here by time) and runs what is due up to @now_ms in BRIDGE_SPEAKER_STEP_MS steps from the
 * previous call's @now_ms (at most BRIDGE_SPEAKER_CATCH_UP_MS back; the first call starts at
 * @now_ms), each level fed before the step that reaches its time: the same decisions as
 * bridge_speakers_level for each level and bridge_speakers_tick every 20 ms. Returns true when
 * the dominant speaker changed. */
bool bridge_speakers_advance(BridgeSpeakers *s, BridgeSpeakerLevel *levels, unsigned n,
                             int64_t now_ms);

/* The dominant speaker's id in *@id; false when there is none (no participants). */
bool bridge_speakers_dominant(const BridgeSpeakers *s, uint32_t *id);

/* The recent speakers, the dominant one first, then the ones dominant before it, most recent
 * first (at most BRIDGE_SPEAKER_RECENT_MAX). Returns how many were written to @out (at most
 * @cap). */
unsigned bridge_speakers_recent(const BridgeSpeakers *s, uint32_t *out, unsigned cap);

#ifdef __cplusplus
}
#endif
