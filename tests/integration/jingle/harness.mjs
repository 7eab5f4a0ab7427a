// SPDX-License-Identifier: MIT
// Frame for the Jingle integration tests: a real XMPP server (tests/lib/xmpp-server.mjs), the
// real parley-focus (tests/lib/focus.mjs), real parley-bridge processes started and stopped
// by the test ($PARLEY_BRIDGE_BIN), and scripted clients that speak the focus's Jingle
// dialect the way lib-jitsi-meet does (answering disco#info, acknowledging every Jingle IQ,
// sending session-accept / source-add / ... on request). Exit status: 0 pass, 1 fail, 77
// skipped. Must run inside tests/netns-run.sh (fixed ports).
// State belongs to the Node.js event loop thread.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SkipError } from '../../lib/prosody.mjs';
import { startXmppServer, serverKind } from '../../lib/xmpp-server.mjs';
import { startFocus } from '../../lib/focus.mjs';
import {
  XmppClient, missingModules, NS, child, children, text, esc, xmlOf, mucPresence, stanzaError,
} from '../../lib/xmpp-client.mjs';

export { child, children, text, xmlOf, stanzaError, mucPresence };

export const JNS = {
  jingle: 'urn:xmpp:jingle:1',
  errors: 'urn:xmpp:jingle:errors:1',
  rtp: 'urn:xmpp:jingle:apps:rtp:1',
  ssma: 'urn:xmpp:jingle:apps:rtp:ssma:0',
  ice: 'urn:xmpp:jingle:transports:ice-udp:1',
  dtls: 'urn:xmpp:jingle:apps:dtls:0',
  colibri: 'http://jitsi.org/protocol/colibri',
  grouping: 'urn:xmpp:jingle:apps:grouping:0',
  focus: 'http://jitsi.org/protocol/focus',
  jitmeet: 'http://jitsi.org/jitmeet',
  disco: 'http://jabber.org/protocol/disco#info',
};

/** What current lib-jitsi-meet advertises (the subset the focus reads). */
export const LJM_FEATURES = [
  'urn:xmpp:jingle:1', 'urn:xmpp:jingle:apps:rtp:1', 'urn:xmpp:jingle:apps:rtp:audio',
  'urn:xmpp:jingle:apps:rtp:video', 'urn:xmpp:jingle:transports:ice-udp:1',
  'urn:xmpp:jingle:apps:dtls:0', 'urn:ietf:rfc:4588', 'http://jitsi.org/tcc',
  'http://jitsi.org/source-name', 'http://jitsi.org/json-encoded-sources',
];

export function step(msg) {
  console.log(`# ${msg}`);
}

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');

/** A client transport as a browser would answer it (not reachable: nothing listens there). */
export function clientTransportXml(ufrag, port) {
  return `<transport xmlns="${JNS.ice}" ufrag="${ufrag}" pwd="pw${ufrag}pw${ufrag}pw${ufrag}pw${ufrag}">`
    + `<rtcp-mux/><fingerprint xmlns="${JNS.dtls}" hash="sha-256" setup="active">${FP}</fingerprint>`
    + `<candidate component="1" foundation="1" generation="0" id="c${port}" ip="127.0.0.1" network="0" `
    + `port="${port}" priority="2122260223" protocol="udp" type="host"/></transport>`;
}

/** XML <source> elements: sources = [{ ssrc, name, msid, videoType }]. */
export function sourcesXml(sources, groups = []) {
  return sources.map((s) => `<source xmlns="${JNS.ssma}" ssrc="${s.ssrc}" name="${esc(s.name)}"`
    + `${s.videoType ? ` videoType="${s.videoType}"` : ''}><parameter name="msid" value="${esc(s.msid || `${s.name} t`)}"/></source>`).join('')
    + groups.map((g) => `<ssrc-group xmlns="${JNS.ssma}" semantics="${g.semantics}">`
      + g.ssrcs.map((x) => `<source ssrc="${x}"/>`).join('') + '</ssrc-group>').join('');
}

/** Sources of a Jingle element from its JSON message and XML descriptions: [{ owner, ssrc, name, media }]. */
export function jingleSources(jingle) {
  const out = [];
  for (const jm of children(jingle, 'json-message', JNS.jitmeet)) {
    const map = JSON.parse(text(jm)).sources || {};
    for (const [owner, lists] of Object.entries(map)) {
      for (const [media, list] of [['video', lists[0]], ['audio', lists[2]]]) {
        for (const s of list || []) out.push({ owner, ssrc: s.s, name: s.n, msid: s.m, media });
      }
    }
  }
  for (const content of children(jingle, 'content', JNS.jingle)) {
    const desc = child(content, 'description', JNS.rtp);
    for (const s of children(desc, 'source', JNS.ssma)) {
      const info = child(s, 'ssrc-info', JNS.jitmeet);
      out.push({
        owner: info ? info.getAttribute('owner') : null,
        ssrc: Number(s.getAttribute('ssrc')),
        name: s.getAttribute('name'),
        media: desc.getAttribute('media'),
      });
    }
  }
  return out;
}

/**
 * A scripted conference participant: joins a room as lib-jitsi-meet does and keeps every
 * Jingle IQ the focus sends (acknowledged with a result).
 */
export class JingleClient {
  constructor(ctx, xmpp, room, nick, features) {
    this.ctx = ctx;
    this.xmpp = xmpp;
    this.room = room;
    this.nick = nick;
    this.features = features;
    this.jingles = []; // { iq, jingle, action, sid, from }
    this.mutes = []; // remote mute requests: { iq, media, mute ('true'|'false'), actor, from }
    this.discoQueries = 0;
    xmpp.on('iq', (iq) => this._onIq(iq));
  }

  static async join(ctx, room, nick, { features = LJM_FEATURES } = {}) {
    const xmpp = await ctx.connect('websocket', { name: nick });
    const c = new JingleClient(ctx, xmpp, room, nick, features);
    const reply = await xmpp.conferenceRequest(ctx.focusJid, room);
    const conf = child(reply, 'conference', NS.focus);
    if (reply.getAttribute('type') !== 'result' || conf?.getAttribute('ready') !== 'true') {
      throw new Error(`${nick}: conference request not ready: ${xmlOf(reply)}`);
    }
    const self = await xmpp.joinRoom(room, nick);
    if (self.error) throw new Error(`${nick}: join refused: ${JSON.stringify(self.error)}`);
    return c;
  }

  _reply(iq, type, inner = '') {
    // A stanza that arrives while the test closes this client gets no answer.
    if (this.xmpp.closed) return;
    this.xmpp.send(`<iq type="${type}" id="${esc(iq.getAttribute('id') || '')}" to="${esc(iq.getAttribute('from'))}">${inner}</iq>`);
  }

  _onIq(iq) {
    const type = iq.getAttribute('type');
    if (type !== 'get' && type !== 'set') return;
    if (child(iq, 'ping', NS.ping)) return; // answered by XmppClient
    const jingle = child(iq, 'jingle', JNS.jingle);
    if (jingle && type === 'set') {
      this.jingles.push({
        iq, jingle, action: jingle.getAttribute('action'), sid: jingle.getAttribute('sid'),
        from: iq.getAttribute('from'),
      });
      this._reply(iq, 'result');
      return;
    }
    // A moderator's remote mute through the focus (Jitsi's convention): acknowledged, as
    // lib-jitsi-meet does, and kept.
    for (const media of ['audio', 'video', 'desktop']) {
      const m = child(iq, 'mute', `${JNS.jitmeet}/${media}`);
      if (m && type === 'set') {
        this.mutes.push({
          iq, media, mute: text(m).trim(), actor: m.getAttribute('actor'), from: iq.getAttribute('from'),
        });
        this._reply(iq, 'result');
        return;
      }
    }
    const disco = child(iq, 'query', JNS.disco);
    if (disco && type === 'get') {
      this.discoQueries++;
      if (!this.features) {
        this._reply(iq, 'error', `<error type="cancel"><service-unavailable xmlns="${NS.stanzas}"/></error>`);
        return;
      }
      this._reply(iq, 'result', `<query xmlns="${JNS.disco}"><identity category="client" type="web" name="test"/>`
        + this.features.map((f) => `<feature var="${f}"/>`).join('') + '</query>');
      return;
    }
    this._reply(iq, 'error', `<error type="cancel"><service-unavailable xmlns="${NS.stanzas}"/></error>`);
  }

  /** Index into the Jingle list from which a later waitJingle looks. */
  mark() {
    return this.jingles.length;
  }

  /** Resolves with the first Jingle IQ with `action` (from index `from`). */
  async waitJingle(action, { from = 0, timeout = 15000, pred = () => true } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (let i = from; i < this.jingles.length; i++) {
        const j = this.jingles[i];
        if (j.action === action && pred(j)) return j;
      }
      if (Date.now() > deadline) {
        const seen = this.jingles.slice(from).map((j) => j.action).join(', ') || 'nothing';
        throw new Error(`${this.nick}: no ${action} within ${timeout} ms (saw ${seen})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a Jingle IQ to the focus occupant; resolves with the reply stanza. */
  jingleSet(action, sid, inner = '', { attrs = '' } = {}) {
    const sidAttr = sid === null ? '' : ` sid="${esc(sid)}"`;
    return this.xmpp.iq('set', `${this.room}/focus`,
      `<jingle xmlns="${JNS.jingle}" action="${action}"${sidAttr}${attrs}>${inner}</jingle>`);
  }

  /** session-accept for `initiate` with our (fake) transport and these sources. */
  accept(initiate, { audio = [], video = [], groups = [], port = 9 } = {}) {
    const tr = clientTransportXml(`u${this.nick}`.slice(0, 12).padEnd(4, 'x'), port);
    const inner = `<group xmlns="${JNS.grouping}" semantics="BUNDLE"><content name="audio"/><content name="video"/></group>`
      + `<content creator="responder" name="audio" senders="both"><description xmlns="${JNS.rtp}" media="audio">`
      + '<payload-type id="111" name="opus" clockrate="48000" channels="2"/>'
      + `${sourcesXml(audio)}<rtcp-mux/></description>${tr}</content>`
      + `<content creator="responder" name="video" senders="both"><description xmlns="${JNS.rtp}" media="video">`
      + '<payload-type id="100" name="VP8" clockrate="90000"/>'
      + `${sourcesXml(video, groups)}<rtcp-mux/></description>${tr}</content>`;
    return this.jingleSet('session-accept', initiate.sid, inner,
      { attrs: ` initiator="${esc(initiate.jingle.getAttribute('initiator') || '')}" responder="${esc(this.xmpp.jid)}"` });
  }

  /** Presence from the focus occupant carrying <bridgeNotAvailable/>, from received index `from`. */
  waitFocusPresence(pred, { from = 0, timeout = 15000, what = 'focus presence' } = {}) {
    return this.xmpp.waitFor((s) => s.localName === 'presence'
      && s.getAttribute('from') === `${this.room}/focus` && pred(s), { from, timeout, what });
  }
}

export function hasBridgeNotAvailable(presence) {
  return !!child(presence, 'bridgeNotAvailable', JNS.focus);
}

/** Expect an IQ error reply with this condition; returns the error details. */
export function expectError(reply, condition) {
  const e = stanzaError(reply);
  if (!e || e.condition !== condition) {
    throw new Error(`expected a ${condition} error, got ${xmlOf(reply)}`);
  }
  return e;
}

let bridgeCounter = 0;

/**
 * Starts parley-bridge nick `nick`; resolves once the focus has seen it in the brewery. opts:
 * httpPort, sets (more "group.key=value" settings, later ones win).
 */
async function startBridge(ctx, nick, opts = {}) {
  const bin = process.env.PARLEY_BRIDGE_BIN;
  if (!bin || !existsSync(bin)) throw new SkipError(`PARLEY_BRIDGE_BIN not set or missing (${bin})`);
  const n = bridgeCounter++;
  const httpPort = opts.httpPort || 18090 + n;
  const mediaPort = 21000 + n; // one UDP port per bridge
  const logPath = path.join(ctx.dir, `bridge-${nick}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const sets = [
    `xmpp.domain=${ctx.domain}`, `xmpp.password=${ctx.server.bridgePassword}`,
    `xmpp.nickname=${nick}`, `ice.addresses=127.0.0.1`, `ice.port=${mediaPort}`,
    'media.workers=1', 'media.ice_timeout_seconds=120',
    `http.port=${httpPort}`, 'bridge.presence_interval_seconds=1', 'log.level=info',
    ...(opts.sets || []),
  ];
  const args = sets.flatMap((s) => ['--set', s]);
  const mark = ctx.focus.mark();
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const onData = (d) => { out += d; log.write(d); };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exit = null;
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => {
    exit = { code, signal };
    log.end();
    resolve(exit);
  }));
  const handle = {
    nick, httpPort, logPath, proc, exited,
    log: () => out,
    running: () => exit === null,
    async stop(signal = 'SIGTERM') {
      if (exit) return exit;
      proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 8000);
      const r = await exited;
      clearTimeout(killer);
      return r;
    },
  };
  ctx.bridges.push(handle);
  const re = new RegExp(`bridge joined bridge=\\S+/${nick} `);
  try {
    await ctx.focus.waitForLog(re, { from: mark, timeout: 20000 });
  } catch (e) {
    throw new Error(`${e.message}\n---- bridge ${nick} log ----\n${out.split('\n').slice(-30).join('\n')}`);
  }
  return handle;
}

/**
 * Runs fn(ctx) with an XMPP server and parley-focus running. ctx: { dir, server, domain,
 * focusJid, focus, connect(transport, opts), newRoom(), startBridge(nick, opts), bridges,
 * startFocus() (replaces ctx.focus with a new process) }.
 */
export async function jingleScenario(baseName, fn, opts = {}) {
  const kind = serverKind();
  const name = kind === 'prosody' ? baseName : `${baseName}-${kind}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), `parley-${name}-`));
  const ctx = { dir, server: null, focus: null, clients: [], bridges: [] };
  const deadline = setTimeout(() => fail(new Error(`${name}: did not finish within ${opts.deadline || 90000} ms`)),
    opts.deadline || 90000);

  function dump() {
    if (ctx.server) console.error(`---- ${ctx.server.name} log (tail) ----\n${tail(ctx.server.readLog(), 30)}`);
    if (ctx.focus) console.error(`---- parley-focus log (tail) ----\n${tail(ctx.focus.log(), 120)}`);
    for (const b of ctx.bridges) console.error(`---- parley-bridge ${b.nick} log (tail) ----\n${tail(b.log(), 40)}`);
    console.error(`(files kept in ${dir})`);
  }
  async function cleanup() {
    for (const b of ctx.bridges) await b.stop().catch(() => {});
  }
  async function fail(e) {
    await cleanup().catch(() => {});
    if (e instanceof SkipError) {
      console.log(`SKIP ${name}: ${e.message}`);
      process.exit(77);
    }
    console.error(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    dump();
    process.exit(1);
  }

  try {
    if (missingModules) throw new SkipError(missingModules);
    if (!process.env.PARLEY_BRIDGE_BIN) throw new SkipError('PARLEY_BRIDGE_BIN is not set (run through meson)');
    ctx.server = await startXmppServer(dir, { kind });
    step(`${ctx.server.name} started`);
    ctx.domain = ctx.server.domain;
    ctx.focusJid = `focus.${ctx.domain}`;
    ctx.mucDomain = `conference.${ctx.domain}`;
    ctx.focus = await startFocus(dir, ctx.server, { settings: opts.focusSettings || {} });
    step('parley-focus is connected');
    await ctx.focus.waitForLog(/joined brewery \S+ as focus/, { timeout: 10000 });
    ctx.connect = async (transport, o = {}) => {
      const c = await XmppClient.connect({ transport, domain: ctx.domain, port: ctx.server.httpPort, ...o });
      ctx.clients.push(c);
      return c;
    };
    ctx.newRoom = (prefix = 'jingle') => `${prefix}-${randomBytes(4).toString('hex')}@${ctx.mucDomain}`;
    ctx.startBridge = (nick, o) => startBridge(ctx, nick, o);
    /** A new parley-focus (the old one stopped or killed by the test); waits for the brewery. */
    ctx.startFocus = async () => {
      ctx.focus = await startFocus(dir, ctx.server, { settings: opts.focusSettings || {} });
      await ctx.focus.waitForLog(/joined brewery \S+ as focus/, { timeout: 20000 });
      return ctx.focus;
    };

    await fn(ctx);

    for (const c of ctx.clients) await c.close().catch(() => {});
    for (const b of ctx.bridges) {
      if (!b.running()) continue;
      const st = await b.stop();
      if (st.signal === 'SIGKILL') throw new Error(`parley-bridge ${b.nick} ignored SIGTERM`);
    }
    const st = await ctx.focus.stop(); // throws if the focus died during the test
    step(`parley-focus stopped (${JSON.stringify(st)})`);
    if (st.signal === 'SIGKILL') throw new Error('parley-focus ignored SIGTERM');
    if (st.code !== 0) throw new Error(`parley-focus exited with ${JSON.stringify(st)}`);
    if (/CRITICAL|ERROR \*\*|AddressSanitizer|runtime error/.test(ctx.focus.log())) {
      throw new Error('parley-focus logged a critical error');
    }
    await ctx.server.stop();
  } catch (e) {
    await fail(e);
  }
  clearTimeout(deadline);
  rmSync(dir, { recursive: true, force: true });
  console.log(`ok ${name}`);
  process.exit(0);
}

function tail(s, n) {
  return s.split('\n').slice(-n).join('\n');
}

// ---- A lib-jitsi-meet dialect participant (chat, raised hand, screen share) ------------------
// What current lib-jitsi-meet (LJM) and Jitsi Meet put on the wire for the collaboration
// features, element by element, each from the upstream source named next to it (read in
// jitsi/lib-jitsi-meet and jitsi/jitsi-meet; nothing of their code is used here). Used by
// tests/e2e/interop-jitsi.mjs against Parley's web client.

export const LJM_NS = {
  // XEP-0172 user nickname: LJM JitsiConference.ts setDisplayName() puts the display name in
  // presence as <nick xmlns="http://jabber.org/protocol/nick">; ChatRoom.ts onPresence()
  // reads it back ('nick' case -> DISPLAY_NAME_CHANGED).
  nick: 'http://jabber.org/protocol/nick',
  // LJM ChatRoom.ts onMessage(): a message's sender name, when the message carries one, is
  // <display-name xmlns="http://jitsi.org/protocol/display-name"> (attribute `source`, e.g.
  // "visitor"; jitsi-meet resources/prosody-plugins/mod_muc_displayname.lua puts it on the
  // room history's copies); otherwise Jitsi Meet names the sender from its presence nick.
  displayName: 'http://jitsi.org/protocol/display-name',
  muc: 'http://jabber.org/protocol/muc',
};

/**
 * Source details of a Jingle element as LJM reads them: [{ owner, ssrc, name, msid, media,
 * videoType }]. From the focus's JSON form (LJM modules/xmpp/JingleHelperFunctions.ts
 * expandSourcesFromJson / _createSourceExtension: sources[owner] = [video, videoGroups,
 * audio, audioGroups], {s, n, m, v}; any `v` makes a video source 'desktop', a video source
 * without it is 'camera') and from XML <source name ssrc videoType> with
 * <ssrc-info xmlns="http://jitsi.org/jitmeet" owner> (LJM JingleSessionPC.ts
 * _processSourceMapFromJingle; desktop_high_fps reads as desktop).
 */
export function jingleSourceDetails(jingle) {
  const out = [];
  for (const jm of children(jingle, 'json-message', JNS.jitmeet)) {
    const map = JSON.parse(text(jm)).sources || {};
    for (const [owner, lists] of Object.entries(map)) {
      for (const s of lists[0] || []) {
        out.push({ owner, ssrc: Number(s.s), name: s.n, msid: s.m ?? null, media: 'video', videoType: s.v ? 'desktop' : 'camera' });
      }
      for (const s of lists[2] || []) {
        out.push({ owner, ssrc: Number(s.s), name: s.n, msid: s.m ?? null, media: 'audio', videoType: null });
      }
    }
  }
  for (const content of children(jingle, 'content', JNS.jingle)) {
    const desc = child(content, 'description', JNS.rtp);
    const media = desc ? desc.getAttribute('media') : null;
    for (const s of children(desc, 'source', JNS.ssma)) {
      const info = child(s, 'ssrc-info', JNS.jitmeet);
      const param = children(s, 'parameter').find((p) => p.getAttribute('name') === 'msid');
      let videoType = s.getAttribute('videoType') || (media === 'video' ? 'camera' : null);
      if (videoType === 'desktop_high_fps') videoType = 'desktop';
      out.push({
        owner: info ? info.getAttribute('owner') : null,
        ssrc: Number(s.getAttribute('ssrc')),
        name: s.getAttribute('name'),
        msid: param ? param.getAttribute('value') : null,
        media,
        videoType,
      });
    }
  }
  return out;
}

/**
 * A conference participant that speaks LJM's dialect for presence, chat and screen sharing on
 * top of JingleClient (conference request, disco#info, Jingle acknowledgements). Its media is
 * signalled only: the transport it answers with is not reachable, so no RTP flows from it.
 * When the focus re-invites it (the bridge drops an endpoint whose ICE never connects), it
 * accepts the new session with the sources it has at that moment, as LJM would.
 */
export class LjmClient extends JingleClient {
  /**
   * Joins `room` as `nick` (LJM's endpoint id: 8 hex characters) with display name
   * `displayName`, camera and microphone sources announced in SourceInfo.
   */
  static async join(ctx, room, nick, { displayName, features = LJM_FEATURES } = {}) {
    const xmpp = await ctx.connect('websocket', { name: nick });
    const c = new LjmClient(ctx, xmpp, room, nick, features);
    c.displayName = displayName;
    // LJM SignalingLayerImpl.ts: the SourceInfo presence element is JSON keyed by source name
    // (service/RTC/SignalingLayer.ts getSourceNameForJitsiTrack: <endpoint>-<a|v><index>),
    // each { muted, videoType } where videoType is left out for a camera (setTrackVideoType).
    c.sourceInfo = { [`${nick}-a0`]: { muted: false }, [`${nick}-v0`]: { muted: false } };
    c.raisedHand = null; // not said until first raised (LJM sends nothing before)
    c.sessionSources = { audio: [], video: [], groups: [] };
    c.session = null; // the latest session-initiate
    const reply = await xmpp.conferenceRequest(ctx.focusJid, room);
    const conf = child(reply, 'conference', NS.focus);
    if (reply.getAttribute('type') !== 'result' || conf?.getAttribute('ready') !== 'true') {
      throw new Error(`${nick}: conference request not ready: ${xmlOf(reply)}`);
    }
    // LJM ChatRoom.ts join() -> sendPresence(true): the join presence carries <x xmlns=muc>
    // and every element of the presence map (nick, SourceInfo, jitsi_participant_* ...).
    const occupant = `${room}/${nick}`;
    const from = xmpp.mark();
    xmpp.send(`<presence to="${esc(occupant)}"><x xmlns="${LJM_NS.muc}"/>${c.presenceInner()}</presence>`);
    const p = await xmpp.waitFor((s) => s.localName === 'presence' && s.getAttribute('from') === occupant
      && (s.getAttribute('type') === 'error' || mucPresence(s).self), { from, what: `self-presence from ${occupant}` });
    if (p.getAttribute('type') === 'error') throw new Error(`${nick}: join refused: ${xmlOf(p)}`);
    xmpp.on('iq', (iq) => c._onReinvite(iq));
    return c;
  }

  /**
   * The presence map as LJM's ChatRoom.ts json2packet() writes it: one element per entry,
   * its value as text only when the value is truthy (so a lowered hand, value 0, is an empty
   * <jitsi_participant_raisedHand/>). Participant properties are elements named
   * jitsi_participant_<name> in the stanza's default namespace (JitsiConference.ts
   * setLocalParticipantProperty); Jitsi Meet raises a hand with
   * setLocalParticipantProperty('raisedHand', <ms timestamp>) and lowers it with 0 (jitsi-meet
   * react/features/base/participants/middleware.ts).
   */
  presenceInner() {
    let x = `<nick xmlns="${LJM_NS.nick}">${esc(this.displayName)}</nick>`
      + `<SourceInfo>${esc(JSON.stringify(this.sourceInfo))}</SourceInfo>`;
    if (this.raisedHand !== null) {
      x += this.raisedHand ? `<jitsi_participant_raisedHand>${this.raisedHand}</jitsi_participant_raisedHand>`
        : '<jitsi_participant_raisedHand/>';
    }
    return x;
  }

  /** Sends the whole presence again (LJM ChatRoom.ts sendPresence()). */
  sendPresence() {
    this.xmpp.send(`<presence to="${esc(`${this.room}/${this.nick}`)}">${this.presenceInner()}</presence>`);
  }

  /** Raises (timestamp in ms) or lowers (0) the hand. */
  setRaisedHand(ts) {
    this.raisedHand = ts;
    this.sendPresence();
  }

  /**
   * A groupchat message as LJM ChatRoom.ts sendMessage(text, 'body') sends it: <message
   * to=room type=groupchat><body>. With `displayName`, also the <display-name> element LJM
   * reads in onMessage() (what a Jitsi deployment's server adds: mod_muc_displayname.lua on
   * history copies, visitors' messages).
   */
  sendGroupchat(body, { displayName = null, source = null } = {}) {
    const dn = displayName === null ? ''
      : `<display-name xmlns="${LJM_NS.displayName}"${source ? ` source="${esc(source)}"` : ''}>${esc(displayName)}</display-name>`;
    this.xmpp.send(`<message to="${esc(this.room)}" type="groupchat"><body>${esc(body)}</body>${dn}</message>`);
  }

  /**
   * A private message as LJM ChatRoom.ts sendPrivateMessage(id, text, 'body') sends it:
   * <message to=room/<nick> type=chat><body> (nothing else).
   */
  sendPrivate(toNick, body) {
    this.xmpp.send(`<message to="${esc(`${this.room}/${toNick}`)}" type="chat"><body>${esc(body)}</body></message>`);
  }

  /** Accepts a session-initiate with our camera/microphone sources (and screen, if sharing). */
  async acceptSession(initiate, { audio, video, groups } = this.sessionSources) {
    this.sessionSources = { audio, video, groups };
    this.session = initiate;
    const r = await this.accept(initiate, { audio, video, groups });
    if (r.getAttribute('type') !== 'result') throw new Error(`${this.nick}: session-accept refused: ${xmlOf(r)}`);
    return r;
  }

  _onReinvite(iq) {
    const j = child(iq, 'jingle', JNS.jingle);
    if (!j || iq.getAttribute('type') !== 'set' || j.getAttribute('action') !== 'session-initiate') return;
    if (!this.session) return; // the first one is accepted by the test
    const initiate = this.jingles.find((x) => x.iq === iq);
    if (initiate) this.acceptSession(initiate).catch((e) => console.error(`# ${this.nick}: re-accept failed: ${e.message}`));
  }

  /**
   * source-add / source-remove as LJM JingleSessionPC.ts notifyMySSRCUpdate() builds them:
   * <jingle action initiator sid> with, per media type, <content name="<media>"> (no creator)
   * <description xmlns=rtp media> holding <source xmlns=ssma name ssrc videoType> with an
   * msid <parameter> (modules/sdp/SDPDiffer.ts toJingle()) and its <ssrc-group>s.
   */
  sourceChange(action, sources, groups = []) {
    const byMedia = new Map();
    for (const s of sources) {
      if (!byMedia.has(s.media)) byMedia.set(s.media, []);
      byMedia.get(s.media).push(s);
    }
    let inner = '';
    for (const [media, list] of byMedia) {
      inner += `<content name="${media}"><description xmlns="${JNS.rtp}" media="${media}">`
        + `${sourcesXml(list, media === 'video' ? groups : [])}</description></content>`;
    }
    const initiator = this.session.jingle.getAttribute('initiator') || this.session.from;
    return this.jingleSet(action, this.session.sid, inner, { attrs: ` initiator="${esc(initiator)}"` });
  }

  /**
   * Starts a screen share as LJM does: a second video source <endpoint>-v1 (videoType
   * desktop, LocalSdpMunger.ts adds name and videoType to each SSRC of the track, RTX
   * included, msid <endpoint>-video-1-<tpc> <track>-<tpc>), announced with source-add through
   * the focus, and videoType desktop for it in SourceInfo (SignalingLayerImpl.ts
   * setTrackVideoType). Resolves with the focus's reply to the source-add.
   */
  async startScreenShare({ ssrc = 5001, rtx = 5002 } = {}) {
    const name = `${this.nick}-v1`;
    const msid = `${this.nick}-video-1-1 screen-track-1`;
    this.screen = {
      sources: [ssrc, rtx].map((s) => ({ ssrc: s, name, msid, videoType: 'desktop', media: 'video' })),
      groups: [{ semantics: 'FID', ssrcs: [ssrc, rtx] }],
    };
    this.sessionSources = {
      ...this.sessionSources,
      video: [...this.sessionSources.video, ...this.screen.sources],
      groups: [...this.sessionSources.groups, ...this.screen.groups],
    };
    this.sourceInfo[name] = { muted: false, videoType: 'desktop' };
    const r = await this.sourceChange('source-add', this.screen.sources, this.screen.groups);
    this.sendPresence();
    return r;
  }

  /** Stops it: source-remove of the same sources, and the source gone from SourceInfo. */
  async stopScreenShare() {
    const { sources, groups } = this.screen;
    const ssrcs = new Set(sources.map((s) => s.ssrc));
    this.sessionSources = {
      ...this.sessionSources,
      video: this.sessionSources.video.filter((s) => !ssrcs.has(s.ssrc)),
      groups: this.sessionSources.groups.filter((g) => !g.ssrcs.some((s) => ssrcs.has(s))),
    };
    delete this.sourceInfo[`${this.nick}-v1`];
    this.screen = null;
    const r = await this.sourceChange('source-remove', sources, groups);
    this.sendPresence();
    return r;
  }

  /** The latest available presence of occupant `nick` of our room received so far, or null. */
  lastPresenceOf(nick) {
    const from = `${this.room}/${nick}`;
    for (let i = this.xmpp.received.length - 1; i >= 0; i--) {
      const s = this.xmpp.received[i];
      if (s.localName === 'presence' && s.getAttribute('from') === from) {
        return s.getAttribute('type') === 'unavailable' ? null : s;
      }
    }
    return null;
  }
}
