// SPDX-License-Identifier: MIT
// Node.js side of the ejabberd test harness (tests/lib/ejabberd.sh, config from
// scripts/gen-ejabberd-config.sh): the same handle as startProsody() in prosody.mjs. Tests
// that should run on either server use startXmppServer() from xmpp-server.mjs instead.
// Must run inside tests/netns-run.sh (fixed ports). State belongs to the Node.js event loop.
//
//   const ejabberd = await startEjabberd(dir);   // throws SkipError if ejabberd is missing
import { startXmppServer } from './xmpp-server.mjs';

export { SkipError } from './prosody.mjs';

/** Starts ejabberd in `dir`; opts and the handle as for startXmppServer(). */
export function startEjabberd(dir, opts = {}) {
  return startXmppServer(dir, { ...opts, kind: 'ejabberd' });
}
