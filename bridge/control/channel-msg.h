/* SPDX-License-Identifier: MIT */
/* The bridge channel's messages (colibri-ws): JSON objects with a "colibriClass" field, as
 * lib-jitsi-meet and Jitsi Videobridge exchange them. This is the pure part: parsing and
 * validating what a client sends, the per-endpoint receiver preferences those messages set,
 * who a relayed message goes to, and the JSON the bridge sends. No I/O, no main loop, no
 * logging; the libsoup glue is channel.c.
 *
 * Thread: none of its own. Every object here has one owner (the caller); the control thread
 * uses it for all channels. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "bridge/control/registry.h"

G_BEGIN_DECLS

/* A text frame above this is not parsed (dropped and counted as too_large). */
#define BRIDGE_CHANNEL_MSG_MAX_BYTES (64 * 1024)
/* Lists in a message (selected sources, audio include lists, ...) hold at most this many
 * entries; constraints maps as many keys. */
#define BRIDGE_CHANNEL_MAX_LIST 512
/* EndpointStats are not relayed in conferences with at least this many endpoints. */
#define BRIDGE_CHANNEL_STATS_MAX_ENDPOINTS 20
/* Messages one endpoint may have relayed (EndpointMessage, EndpointStats): a burst of this
 * many, then one per BRIDGE_CHANNEL_RELAY_INTERVAL_US (100 a second). Relaying multiplies a
 * sender's traffic by the conference size, so a flood is cut at the source. */
#define BRIDGE_CHANNEL_RELAY_BURST 200
#define BRIDGE_CHANNEL_RELAY_INTERVAL_US 10000

/* Why a received frame was not used. The order is the order of the metrics labels. */
typedef enum {
    BRIDGE_CHANNEL_MSG_OK = -1,
    BRIDGE_CHANNEL_DROP_TOO_LARGE = 0, /* over BRIDGE_CHANNEL_MSG_MAX_BYTES */
    BRIDGE_CHANNEL_DROP_NOT_JSON,      /* binary frame, not UTF-8, or not JSON */
    BRIDGE_CHANNEL_DROP_NOT_OBJECT,    /* JSON, but not an object */
    BRIDGE_CHANNEL_DROP_NO_CLASS,      /* no string "colibriClass" */
    BRIDGE_CHANNEL_DROP_INVALID,       /* a known class with a field of the wrong type or range */
    BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS, /* well-formed, but a class the bridge does not take */
    BRIDGE_CHANNEL_DROP_RATE_LIMITED,  /* a relayed message over the sender's rate (never
                                        * returned by the parser; channel.c counts it) */
    BRIDGE_CHANNEL_DROP_N_REASONS
} BridgeChannelMsgStatus;

/* "too_large", "not_json", ... (the /metrics label); "ok" for BRIDGE_CHANNEL_MSG_OK. */
const char *bridge_channel_drop_reason_name(BridgeChannelMsgStatus s);

typedef enum {
    BRIDGE_CHANNEL_CLASS_UNKNOWN,
    BRIDGE_CHANNEL_CLASS_CLIENT_HELLO,
    BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE,
    BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS,
    BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS,
    BRIDGE_CHANNEL_CLASS_LAST_N,
    BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE,
    BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION,
} BridgeChannelClass;

typedef struct {
    BridgeChannelClass klass;
    json_t *json;   /* the whole object (owned; NULL when parsing failed) */
    const char *to; /* EndpointMessage: the target endpoint id, NULL for a broadcast ("" or
                     * absent or null in the message); borrowed from @json */
} BridgeChannelMsg;

/* Parses and validates one text frame of @len bytes (need not be NUL-terminated). On
 * BRIDGE_CHANNEL_MSG_OK, @out holds the message (release with bridge_channel_msg_clear);
 * on BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS too (klass UNKNOWN, json set), so a caller may still
 * look at it. On any other status @out is cleared and *@why (if not NULL) gets a short reason
 * for a log line (transfer full). Never aborts on any input. */
BridgeChannelMsgStatus bridge_channel_msg_parse(const char *data, gsize len, BridgeChannelMsg *out,
                                                char **why);
void bridge_channel_msg_clear(BridgeChannelMsg *msg);

/* The text to forward for an EndpointMessage or EndpointStats: the message with "from" set to
 * @from_endpoint (replacing whatever the sender put there) (transfer full). */
char *bridge_channel_msg_relay_text(const BridgeChannelMsg *msg, const char *from_endpoint);

/* ---- routing ---- */

/* TRUE if a message from @from with target @to (NULL or "" = broadcast) goes to @candidate:
 * never back to the sender; to everyone else on a broadcast; else only to @to. */
gboolean bridge_channel_route_includes(const char *from, const char *to, const char *candidate);
/* TRUE if EndpointStats are relayed in a conference of @endpoints endpoints. */
gboolean bridge_channel_stats_relayed(guint endpoints);

/* ---- receiver preferences ---- */

typedef enum {
    BRIDGE_VIDEO_TYPE_CAMERA,
    BRIDGE_VIDEO_TYPE_DESKTOP,
    BRIDGE_VIDEO_TYPE_DESKTOP_HIGH_FPS,
    BRIDGE_VIDEO_TYPE_NONE,
} BridgeVideoType;

typedef enum {
    BRIDGE_AUDIO_SUBSCRIBE_ALL,
    BRIDGE_AUDIO_SUBSCRIBE_NONE,
    BRIDGE_AUDIO_SUBSCRIBE_INCLUDE, /* only the sources in audio_list */
    BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE, /* all but the sources in audio_list */
} BridgeAudioSubscription;

typedef struct {
    int max_height;        /* pixels; -1 unlimited, 0 off */
    double max_frame_rate; /* frames/s; -1 unlimited, 0 off */
} BridgeVideoConstraints;

/* What a receiver asked for over its channel, stored per endpoint: the input of its
 * allocation (bridge/cc/alloc.h: last-N, on-stage and selected sources, default and
 * per-source constraints). Defaults are Jitsi Videobridge's. Every field of a
 * ReceiverVideoConstraints is optional and replaces only what it names (a "constraints" map
 * replaces the whole map). */
typedef struct {
    int last_n;                                 /* -1 = unlimited (default) */
    char **selected_sources;                    /* NULL-terminated, never NULL */
    char **on_stage_sources;                    /* NULL-terminated, never NULL */
    BridgeVideoConstraints default_constraints; /* default maxHeight 180, frame rate -1 */
    GHashTable *constraints;                    /* source name -> BridgeVideoConstraints (owned) */
    gint64 assumed_bandwidth_bps;               /* -1 = not set */
    GHashTable *video_types;             /* own source name -> GINT_TO_POINTER(BridgeVideoType) */
    BridgeAudioSubscription audio;       /* default ALL */
    char **audio_list;                   /* NULL-terminated, never NULL */
    guint applied;                       /* preference messages applied so far */
    gboolean video_constraints_received; /* a ReceiverVideoConstraints arrived */
} BridgeChannelPrefs;

void bridge_channel_prefs_init(BridgeChannelPrefs *p);
void bridge_channel_prefs_clear(BridgeChannelPrefs *p);

/* Applies a parsed ReceiverVideoConstraints, LastNChangedEvent, SourceVideoTypeMessage or
 * ReceiverAudioSubscription (fields present replace the stored ones; absent ones stay).
 * FALSE (and nothing changed) for any other class. */
gboolean bridge_channel_prefs_apply(BridgeChannelPrefs *p, const BridgeChannelMsg *msg);

/* The constraints the receiver set for video source @source_name: its own entry in the
 * constraints map, else the default constraints. */
BridgeVideoConstraints bridge_channel_prefs_constraints_for(const BridgeChannelPrefs *p,
                                                            const char *source_name);

/* TRUE if @source_name is among the receiver's on-stage (or, with @selected, selected)
 * sources; *@index (not NULL) gets its position in that list. */
gboolean bridge_channel_prefs_lists(const BridgeChannelPrefs *p, const char *source_name,
                                    gboolean selected, guint *index);

/* ---- what the bridge sends ---- */

/* {"colibriClass":"ServerHello"[,"version":@version]} (transfer full). */
char *bridge_channel_server_hello(const char *version);
/* {"colibriClass":"ForwardedSources","forwardedSources":[...]} (transfer full). */
char *bridge_channel_forwarded_sources(const char *const *names);
/* {"colibriClass":"DominantSpeakerEndpointChangeEvent","dominantSpeakerEndpoint":@endpoint,
 *  "previousSpeakers":[@previous...],"silence":@silence}: @previous are the endpoints dominant
 * before, most recent first, without @endpoint (NULL: an empty list) (transfer full). */
char *bridge_channel_dominant_speaker(const char *endpoint, const char *const *previous,
                                      gboolean silence);
/* {"colibriClass":"SenderSourceConstraints","sourceName":@source,"maxHeight":@max_height}:
 * to a sender, the highest resolution any receiver needs of its source (-1: no limit, 0: none
 * at all) (transfer full). */
char *bridge_channel_sender_source_constraints(const char *source, int max_height);
/* {"colibriClass":"LastNEndpointsChangeEvent","lastNEndpoints":[@last_n...],
 *  "endpointsEnteringLastN":[@entering...],"conferenceEndpoints":[@conference...]}: the
 * endpoints whose video the receiver is sent, in priority order, those new since the last
 * event, and every other endpoint of the conference (NULL: empty lists) (transfer full). */
char *bridge_channel_last_n_endpoints(const char *const *last_n, const char *const *entering,
                                      const char *const *conference);
/* {"colibriClass":"ConnectionStats","estimatedDownlinkBandwidth":@bps}: the bridge's estimate
 * of the receiver's downlink, sent every 10 s (transfer full). */
char *bridge_channel_connection_stats(guint64 bps);
/* {"colibriClass":"EndpointConnectivityStatusChangeEvent","endpoint":@endpoint,
 *  "active":"true"|"false"}: whether the bridge still gets media from @endpoint (the boolean
 * is a string, as Jitsi Videobridge sends it) (transfer full). */
char *bridge_channel_connectivity_status(const char *endpoint, gboolean active);
/* The video source names @receiver is sent: every video source of every other endpoint of its
 * conference (there is no last-N yet), sorted, without duplicates. NULL-terminated
 * (transfer full, g_strfreev). */
char **bridge_channel_forwarded_for(const BridgeRegEndpoint *receiver);

/* ---- counters ---- */

typedef enum {
    BRIDGE_CHANNEL_REFUSED_UNKNOWN_BRIDGE,   /* the URL names another bridge */
    BRIDGE_CHANNEL_REFUSED_UNKNOWN_ENDPOINT, /* no such conference or endpoint, or bad path */
    BRIDGE_CHANNEL_REFUSED_BAD_PASSWORD,     /* pwd missing or wrong */
    BRIDGE_CHANNEL_REFUSED_N_REASONS
} BridgeChannelRefusal;

/* "unknown_bridge", "unknown_endpoint", "bad_password". */
const char *bridge_channel_refusal_name(BridgeChannelRefusal r);

/* The colibri-ws counters since start (control thread). */
typedef struct {
    guint open;       /* channels open now */
    guint64 opened;   /* WebSocket channels accepted */
    guint64 replaced; /* channels closed because the endpoint connected again */
    guint64 refused[BRIDGE_CHANNEL_REFUSED_N_REASONS];
    guint64 messages_in;  /* frames received */
    guint64 messages_out; /* frames sent */
    guint64 dropped[BRIDGE_CHANNEL_DROP_N_REASONS];
    guint64 undeliverable; /* EndpointMessages to an endpoint without an open channel */
} BridgeChannelStats;

G_END_DECLS
