// SPDX-License-Identifier: MIT
// How the UI shows a participant's end-to-end encryption status (E2ee.peerStatus in
// e2ee/e2ee.js): on the tile and in the participants panel. Static data.

/** Per-tile E2EE status (E2ee.peerStatus): [icon, tooltip, text over the video or null]. */
export const E2EE_TILE = {
  encrypted: ['lock', 'End-to-end encrypted', null],
  waiting: ['lock', 'End-to-end encrypted (no media yet)', null],
  undecryptable: ['lockOpen', 'Their media cannot be decrypted (no key yet, or a wrong one)', 'Can\'t decrypt'],
  clear: ['lockOpen', 'They send unencrypted media, which is not shown while the meeting is encrypted', 'Not encrypted: hidden'],
  unsupported: ['lockOpen', 'Their browser cannot use end-to-end encryption: no media to or from them', 'Can\'t encrypt'],
  'no-support-here': ['lockOpen', 'This browser cannot decrypt end-to-end encrypted media', 'Can\'t decrypt here'],
};
