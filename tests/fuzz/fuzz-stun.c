/* SPDX-License-Identifier: MIT */
/* Fuzz target: what the bridge's ICE reads from the media port before it knows the sender
 * (bridge/media/ice.c): libnice's STUN length check, the USERNAME attribute, the ufrag that names
 * a worker and an endpoint, and the MESSAGE-INTEGRITY check of bridge/media/stun-auth.c. Checks
 * that a message the bridge signs always verifies and stays well-formed STUN, and that a decoded
 * ufrag round-trips. */
#include <string.h>
#include <stun/stunmessage.h>

#include "bridge/media/ice.h"
#include "bridge/media/stun-auth.h"
#include "fuzz.h"

static const uint8_t key[] = "fuzz-password-24-chars!!";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The integrity check walks the attributes of anything, in or out of shape. */
    (void)bridge_stun_check_integrity(data, size, key, sizeof key - 1);
    if (size > 2048 || stun_message_validate_buffer_length(data, size, TRUE) != (int)size)
        return 0;
    uint8_t buf[2048 + BRIDGE_STUN_SIGN_ROOM];
    memcpy(buf, data, size);
    StunMessage msg = {.buffer = buf, .buffer_len = size};
    uint16_t ulen = 0;
    const uint8_t *user = stun_message_find(&msg, STUN_ATTRIBUTE_USERNAME, &ulen);
    if (user) {
        const uint8_t *colon = memchr(user, ':', ulen);
        size_t local = colon ? (size_t)(colon - user) : ulen;
        unsigned worker;
        BridgeHandle handle;
        if (bridge_ice_ufrag_decode(user, local, &worker, &handle)) {
            FUZZ_CHECK(local == BRIDGE_ICE_UFRAG_LEN && worker < 64 && handle != 0);
            BridgeIce ice;
            bridge_ice_credentials(&ice, worker, handle);
            unsigned w2;
            BridgeHandle h2;
            FUZZ_CHECK(
                bridge_ice_ufrag_decode((const uint8_t *)ice.ufrag, strlen(ice.ufrag), &w2, &h2));
            FUZZ_CHECK(w2 == worker && h2 == handle);
        }
    }
    /* Signing what has no integrity yet gives a message that verifies and is still STUN. */
    if (stun_message_find(&msg, STUN_ATTRIBUTE_MESSAGE_INTEGRITY, &ulen) == NULL) {
        size_t n = bridge_stun_sign(buf, size, sizeof buf, key, sizeof key - 1);
        FUZZ_CHECK(n == size + 32);
        FUZZ_CHECK(bridge_stun_check_integrity(buf, n, key, sizeof key - 1));
        FUZZ_CHECK(stun_message_validate_buffer_length(buf, n, TRUE) == (int)n);
    }
    return 0;
}
