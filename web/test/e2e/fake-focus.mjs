// SPDX-License-Identifier: MIT
// A scripted focus for client end-to-end tests while the C focus and bridge are being built:
// an XEP-0114 component (focus.<domain>) that answers the conference IQ, creates and joins
// the MUC room as "focus" (whois anyone), and, once two participants are in, runs the Jitsi
// Jingle dialect towards each of them (session-initiate with JSON sources, source-add /
// source-remove, session-terminate "moving" + re-initiate), backed by the loopback bridge page
// (loopback-bridge-page.js). It also serves colibri-ws (ServerHello, EndpointMessage relay,
// dominant speaker). It is test scaffolding, and a runnable description of what the client
// expects from a focus.
// Node event loop; one instance per test; per-room operations are serialized.
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { descriptionNode, transportNode } from '../../jingle/answer.js';
import { NS } from '../../jingle/ns.js';
import { contentFor, firstTransport, parseJingle } from '../../jingle/parse.js';
import { candidateFromSdp, candidateToSdp, parametersToFmtp, parseSdp } from '../../jingle/sdp.js';
import { el, serialize } from '../../jingle/xml.js';
import { Component, esc } from './component.mjs';

const hex = (n) => randomBytes(n).toString('hex');
const resourceOf = (jid) => jid.slice(jid.indexOf('/') + 1);
const bareOf = (jid) => (jid.includes('/') ? jid.slice(0, jid.indexOf('/')) : jid);
const first = (node, name, ns) => {
  for (let n = node.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && n.localName === name && (!ns || n.namespaceURI === ns)) return n;
  }
  return null;
};

export class FakeFocus {
  /**
   * @param {object} p { prosody (tests/lib/prosody.mjs handle), bridgePage (Playwright page
   *   with loopback-bridge-page.js), minParticipants = 2 }
   */
  constructor(p) {
    this.domain = p.prosody.domain;
    this.jid = `focus.${this.domain}`;
    this.full = `${this.jid}/focus`;
    this.muc = `conference.${this.domain}`;
    this.comp = new Component({ host: p.prosody.address, port: p.prosody.componentPort, jid: this.jid, secret: p.prosody.secret });
    this.bridge = p.bridgePage;
    this.min = p.minParticipants ?? 2;
    this.notReady = p.notReady ?? 0; // answer ready="false" this many times per room first
    this.requests = new Map(); // room -> conference requests seen
    this.rooms = new Map();
    this.log = [];
    this.constraints = new Map(); // ep -> last ReceiverVideoConstraints
    this.sockets = new Map(); // ep -> ws
    this.received = []; // everything the client sent that the test may check
    this.errors = [];
  }

  note(s) {
    this.log.push(`${new Date().toISOString().slice(11, 23)} ${s}`);
    if (process.env.PARLEY_E2E_VERBOSE) console.log(`[focus] ${s}`);
  }

  async start() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => this.wss.once('listening', r));
    this.wsPort = this.wss.address().port;
    this.wss.on('connection', (ws, req) => this.onColibri(ws, req));
    await this.comp.connect();
    this.comp.on('stanza', (st) => this.onStanza(st).catch((e) => {
      this.errors.push(e);
      this.note(`error: ${e.stack ?? e}`);
    }));
    this.note(`component ${this.jid} online, colibri-ws on ${this.wsPort}`);
  }

  stop() {
    this.comp.close();
    for (const ws of this.sockets.values()) ws.terminate();
    this.wss?.close();
  }

  room(jid) {
    let r = this.rooms.get(jid);
    if (!r) {
      r = { jid, joined: null, occupants: new Map(), sessions: new Map(), chain: Promise.resolve(), conf: hex(4) };
      this.rooms.set(jid, r);
    }
    return r;
  }

  serial(r, fn) {
    r.chain = r.chain.then(fn).catch((e) => {
      this.errors.push(e);
      this.note(`room op failed: ${e.stack ?? e}`);
    });
    return r.chain;
  }

  async onStanza(st) {
    const from = st.getAttribute('from') ?? '';
    if (st.localName === 'iq' && st.getAttribute('type') === 'set') {
      const conf = first(st, 'conference', NS.FOCUS);
      if (conf) return this.onConference(st, conf);
      const jingle = first(st, 'jingle', NS.JINGLE);
      if (jingle) return this.onJingle(st, jingle);
    }
    if (st.localName === 'iq' && st.getAttribute('type') === 'get') {
      // disco#info etc.: not needed for this focus
      this.comp.send(`<iq type="error" from="${esc(st.getAttribute('to'))}" to="${esc(from)}" id="${esc(st.getAttribute('id'))}"><error type="cancel"><service-unavailable xmlns="${NS.STANZAS}"/></error></iq>`);
      return undefined;
    }
    if (st.localName === 'presence') return this.onPresence(st);
    return undefined;
  }

  async onConference(iq, conf) {
    const roomJid = conf.getAttribute('room');
    const n = (this.requests.get(roomJid) ?? 0) + 1;
    this.requests.set(roomJid, n);
    if (n <= this.notReady) {
      this.comp.result(iq, `<conference xmlns="${NS.FOCUS}" room="${esc(roomJid)}" ready="false" focusjid="${this.jid}"/>`);
      return;
    }
    const r = this.room(roomJid);
    await this.serial(r, () => this.ensureRoom(r));
    this.comp.result(iq, `<conference xmlns="${NS.FOCUS}" room="${esc(roomJid)}" ready="true" focusjid="${this.jid}"/>`);
  }

  ensureRoom(r) {
    if (r.joined) return r.joined;
    r.joined = new Promise((resolve, reject) => {
      r.onSelf = resolve;
      setTimeout(() => reject(new Error(`joining ${r.jid} timed out`)), 5000);
      this.comp.send(`<presence from="${this.full}" to="${esc(r.jid)}/focus"><x xmlns="${NS.MUC}"/></presence>`);
    }).then(async (created) => {
      if (created) {
        await this.comp.iq({ type: 'set', from: this.full, to: r.jid },
          `<query xmlns="http://jabber.org/protocol/muc#owner"><x xmlns="jabber:x:data" type="submit">`
          + '<field var="FORM_TYPE"><value>http://jabber.org/protocol/muc#roomconfig</value></field>'
          + '<field var="muc#roomconfig_whois"><value>anyone</value></field>'
          + '<field var="muc#roomconfig_persistentroom"><value>0</value></field></x></query>');
      }
      this.note(`in room ${r.jid} (created=${created})`);
    });
    return r.joined;
  }

  async onPresence(p) {
    const from = p.getAttribute('from') ?? '';
    const r = this.rooms.get(bareOf(from));
    if (!r) return;
    const nick = resourceOf(from);
    const x = first(p, 'x', NS.MUC_USER);
    const codes = x ? Array.from(x.getElementsByTagName('status')).map((s) => s.getAttribute('code')) : [];
    if (nick === 'focus') {
      if (codes.includes('110') && r.onSelf) { r.onSelf(codes.includes('201')); r.onSelf = null; }
      return;
    }
    if (p.getAttribute('type') === 'unavailable') {
      if (!r.occupants.has(nick)) return;
      r.occupants.delete(nick);
      this.serial(r, () => this.participantLeft(r, nick));
      return;
    }
    if (p.getAttribute('type') === 'error' || r.occupants.has(nick)) return;
    r.occupants.set(nick, { nick });
    this.serial(r, () => this.participantJoined(r, nick));
  }

  async participantJoined(r, nick) {
    this.note(`${nick} joined ${r.jid}`);
    if (r.occupants.size < this.min) return;
    const have = [...r.sessions.keys()];
    // Existing sessions learn about the newcomer (source-add) ...
    for (const ep of have) {
      if (!r.occupants.has(ep)) continue;
      const s = r.sessions.get(ep);
      const o = await this.bridge.evaluate(([e, owners]) => window.loopbackBridge.addOwners(e, owners), [ep, [nick]]);
      s.owners.push(nick);
      await this.updateBridgeOffer(s, o);
      await this.sourceChange(r, s, 'source-add', o.sdp, o.slots, [nick]);
    }
    // ... and everyone without a session gets invited.
    for (const ep of r.occupants.keys()) {
      if (!r.sessions.has(ep)) await this.invite(r, ep);
    }
  }

  async participantLeft(r, nick) {
    this.note(`${nick} left ${r.jid}`);
    const s = r.sessions.get(nick);
    if (s) {
      r.sessions.delete(nick);
      await this.bridge.evaluate((e) => window.loopbackBridge.close(e), nick);
      this.sockets.get(nick)?.close();
    }
    for (const [ep, other] of r.sessions) {
      if (!other.owners.includes(nick)) continue;
      const prevSdp = other.offerSdp;
      const prevSlots = other.slots;
      const o = await this.bridge.evaluate(([e, owner]) => window.loopbackBridge.removeOwner(e, owner), [ep, nick]);
      other.owners = other.owners.filter((x) => x !== nick);
      await this.updateBridgeOffer(other, o);
      await this.sourceChange(r, other, 'source-remove', prevSdp, prevSlots, [nick]);
    }
  }

  /** Sends session-initiate to `ep` for a fresh bridge endpoint. */
  async invite(r, ep) {
    const owners = [...r.occupants.keys()].filter((x) => x !== ep);
    const o = await this.bridge.evaluate(([e, ow]) => window.loopbackBridge.create(e, ow), [ep, owners]);
    const s = {
      ep, sid: hex(6), room: r, owners, offerSdp: o.sdp, slots: o.slots, accept: null,
      pwd: hex(12), bridgeSession: `${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
    };
    r.sessions.set(ep, s);
    const jingle = this.initiate(r, s);
    this.note(`session-initiate -> ${ep} (owners ${owners.join(',')})`);
    await this.comp.iq({ type: 'set', from: this.full, to: `${r.jid}/${ep}` }, serialize(jingle));
  }

  initiate(r, s) {
    const sdp = parseSdp(s.offerSdp);
    const contents = [];
    for (const media of ['audio', 'video']) {
      const m = sdp.media.find((x) => x.type === media && x.port !== 0);
      if (!m) continue;
      const cands = m.candidates.map(candidateFromSdp).filter(Boolean);
      const transport = transportNode({ ufrag: m.ufrag, pwd: m.pwd, fingerprint: m.fingerprint, setup: 'actpass' }, cands);
      transport.children.push(el('web-socket', {
        xmlns: NS.COLIBRI, url: `ws://127.0.0.1:${this.wsPort}/colibri-ws/loop/${r.conf}/${s.ep}?pwd=${s.pwd}`,
      }));
      contents.push(el('content', { creator: 'initiator', name: media, senders: 'both' },
        [descriptionNode(m, [], []), transport]));
    }
    return el('jingle', { xmlns: NS.JINGLE, action: 'session-initiate', initiator: this.full, sid: s.sid }, [
      contents,
      el('group', { xmlns: NS.GROUPING, semantics: 'BUNDLE' }, contents.map((c) => el('content', { name: c.attrs.name }))),
      el('bridge-session', { xmlns: NS.FOCUS, id: s.bridgeSession, region: 'loopback' }),
      el('json-message', { xmlns: NS.JITMEET }, [JSON.stringify({ sources: this.sourcesJson(s.offerSdp, s.slots, null) })]),
    ]);
  }

  /** The JSON source map for the slots (optionally only for some owners). */
  sourcesJson(sdpText, slots, onlyOwners) {
    const sdp = parseSdp(sdpText);
    const out = {};
    for (const slot of slots) {
      const owner = slot.owner ?? 'jvb';
      if (onlyOwners && !onlyOwners.includes(owner)) continue;
      const m = sdp.media.find((x) => x.mid === slot.mid);
      if (!m) continue;
      const entry = out[owner] ?? [[], [], [], []];
      out[owner] = entry;
      const vi = slot.media === 'video' ? 0 : 2;
      const name = `${owner}-${slot.media === 'video' ? 'v' : 'a'}0`;
      const msid = owner === 'jvb' ? `mixedmslabel mixedlabel${slot.media}0` : `${owner}-${slot.media}-0 ${owner}-${slot.media}-0-t`;
      for (const ssrc of m.ssrcs.keys()) entry[vi].push({ s: ssrc, n: name, m: msid });
      for (const g of m.ssrcGroups) entry[vi + 1].push([g.semantics === 'FID' ? 'f' : 's', ...g.ssrcs]);
    }
    return out;
  }

  async updateBridgeOffer(s, o) {
    s.offerSdp = o.sdp;
    s.slots = o.slots;
    if (s.accept) await this.bridge.evaluate(([e, sdp]) => window.loopbackBridge.setAnswer(e, sdp), [s.ep, this.answerSdp(s)]);
  }

  /** source-add / source-remove for `owners`, their SSRCs read from `sdp` + `slots`. */
  async sourceChange(r, s, action, sdp, slots, owners) {
    const json = this.sourcesJson(sdp, slots, owners);
    const jingle = el('jingle', { xmlns: NS.JINGLE, action, initiator: this.full, sid: s.sid }, [
      el('json-message', { xmlns: NS.JITMEET }, [JSON.stringify({ sources: json })]),
    ]);
    this.note(`${action} -> ${s.ep} (${owners.join(',')})`);
    await this.comp.iq({ type: 'set', from: this.full, to: `${r.jid}/${s.ep}` }, serialize(jingle));
  }

  /** SDP answer for the bridge page, built only from the client's session-accept. */
  answerSdp(s) {
    const offer = parseSdp(s.offerSdp);
    const acc = s.accept;
    const t = firstTransport(acc);
    const fp = t.fingerprints[0];
    const live = offer.media.filter((m) => m.port !== 0).map((m) => m.mid);
    const lines = ['v=0', `o=- 4242 ${++s.answerVersion || (s.answerVersion = 1)} IN IP4 0.0.0.0`, 's=-', 't=0 0',
      `a=group:BUNDLE ${live.join(' ')}`, 'a=msid-semantic: WMS *'];
    for (const m of offer.media) {
      const c = contentFor(acc, m.type);
      if (m.port === 0 || !c) {
        lines.push(`m=${m.type} 0 UDP/TLS/RTP/SAVPF ${m.fmts[0]}`, 'c=IN IP4 0.0.0.0', `a=mid:${m.mid}`, 'a=inactive');
        continue;
      }
      const pts = c.description.payloadTypes.filter((p) => m.fmts.includes(String(p.id)));
      lines.push(`m=${m.type} 9 UDP/TLS/RTP/SAVPF ${pts.map((p) => p.id).join(' ')}`, 'c=IN IP4 0.0.0.0',
        'a=rtcp:9 IN IP4 0.0.0.0', `a=ice-ufrag:${t.ufrag}`, `a=ice-pwd:${t.pwd}`,
        `a=fingerprint:${fp.hash} ${fp.value}`, `a=setup:${fp.setup || 'active'}`, `a=mid:${m.mid}`);
      const srcs = acc.sources.filter((x) => x.media === m.type);
      const dir = m.direction === 'sendrecv' ? (srcs.length ? 'sendrecv' : 'recvonly') : 'recvonly';
      lines.push(`a=${dir}`, 'a=rtcp-mux');
      for (const p of pts) {
        lines.push(`a=rtpmap:${p.id} ${p.name}/${p.clockrate}${p.channels ? `/${p.channels}` : ''}`);
        if (p.parameters.length) lines.push(`a=fmtp:${p.id} ${parametersToFmtp(p.parameters)}`);
        for (const fb of p.rtcpFb) lines.push(`a=rtcp-fb:${p.id} ${fb.type}${fb.subtype ? ` ${fb.subtype}` : ''}`);
      }
      // Like JVB's HeaderExtStripper: the bridge never forwards a sender's MID (or RID) to a
      // receiver, whose m-line numbering is its own. The loopback bridge is a browser, so it
      // must not negotiate them on its side at all.
      for (const hx of c.description.hdrexts) {
        if (/sdes:mid|rtp-stream-id/.test(hx.uri)) continue;
        lines.push(`a=extmap:${hx.id} ${hx.uri}`);
      }
      if (c.description.extmapAllowMixed) lines.push('a=extmap-allow-mixed');
      if (dir === 'sendrecv') {
        for (const g of acc.ssrcGroups.filter((x) => x.media === m.type)) lines.push(`a=ssrc-group:${g.semantics} ${g.ssrcs.join(' ')}`);
        for (const x of srcs) lines.push(`a=ssrc:${x.ssrc} msid:${x.msid ?? `${s.ep} ${x.name}`}`);
      }
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  async onJingle(iq, jingle) {
    const from = iq.getAttribute('from');
    const r = this.rooms.get(bareOf(from));
    const ep = resourceOf(from);
    const model = parseJingle(jingle);
    this.received.push({ ep, action: model.action, model, xml: iq.toString() });
    const s = r?.sessions.get(ep);
    if (!s || s.sid !== model.sid) {
      this.comp.send(`<iq type="error" from="${esc(iq.getAttribute('to'))}" to="${esc(from)}" id="${esc(iq.getAttribute('id'))}"><error type="cancel"><item-not-found xmlns="${NS.STANZAS}"/><unknown-session xmlns="${NS.JINGLE_ERRORS}"/></error></iq>`);
      return;
    }
    this.note(`<- ${model.action} from ${ep}`);
    switch (model.action) {
      case 'session-accept':
        s.accept = model;
        await this.bridge.evaluate(([e, sdp]) => window.loopbackBridge.setAnswer(e, sdp), [ep, this.answerSdp(s)]);
        for (const c of firstTransport(model)?.candidates ?? []) {
          await this.bridge.evaluate(([e, cand]) => window.loopbackBridge.addCandidate(e, cand), [ep, candidateToSdp(c)]);
        }
        break;
      case 'transport-info': {
        const t = firstTransport(model);
        const cur = s.accept ? firstTransport(s.accept) : null;
        if (t?.ufrag && cur && t.ufrag !== cur.ufrag) {
          // The client's answer to an in-place ICE restart: new credentials.
          for (const c of s.accept.contents) {
            if (c.transport) { c.transport.ufrag = t.ufrag; c.transport.pwd = t.pwd; }
          }
          s.restartAnswered = { ufrag: t.ufrag, generation: t.iceGeneration };
          await this.bridge.evaluate(([e, sdp]) => window.loopbackBridge.setAnswer(e, sdp), [ep, this.answerSdp(s)]);
        }
        for (const c of t?.candidates ?? []) {
          if (!s.accept) continue;
          await this.bridge.evaluate(([e, cand]) => window.loopbackBridge.addCandidate(e, cand), [ep, candidateToSdp(c)]);
        }
        break;
      }
      case 'session-terminate':
        r.sessions.delete(ep);
        await this.bridge.evaluate((e) => window.loopbackBridge.close(e), ep);
        break;
      default:
        break;
    }
    this.comp.result(iq);
  }

  /** Moves an endpoint: session-terminate (success, "moving"), then a new session-initiate. */
  async move(roomJid, ep) {
    const r = this.rooms.get(roomJid);
    await this.serial(r, async () => {
      const s = r.sessions.get(ep);
      const term = el('jingle', { xmlns: NS.JINGLE, action: 'session-terminate', initiator: this.full, sid: s.sid }, [
        el('reason', {}, [el('success'), el('text', {}, ['moving'])]),
      ]);
      await this.comp.iq({ type: 'set', from: this.full, to: `${roomJid}/${ep}` }, serialize(term));
      r.sessions.delete(ep);
      await this.bridge.evaluate((e) => window.loopbackBridge.close(e), ep);
      // The others' m-lines for this owner stay; their tracks resume once ep sends again.
      await this.invite(r, ep);
    });
  }

  /**
   * In-place ICE restart: the bridge gets new ICE credentials, the client learns them from a
   * transport-info carrying ice-generation and answers with its own transport-info.
   */
  async iceRestart(roomJid, ep) {
    const r = this.rooms.get(roomJid);
    await this.serial(r, async () => {
      const s = r.sessions.get(ep);
      const o = await this.bridge.evaluate((e) => window.loopbackBridge.restartIce(e), ep);
      s.offerSdp = o.sdp;
      s.slots = o.slots;
      s.iceGeneration = (s.iceGeneration ?? 0) + 1;
      const m = parseSdp(o.sdp).media.find((x) => x.port !== 0);
      const transport = transportNode({ ufrag: m.ufrag, pwd: m.pwd, fingerprint: m.fingerprint, setup: 'actpass' },
        m.candidates.map(candidateFromSdp).filter(Boolean));
      transport.attrs['ice-generation'] = String(s.iceGeneration);
      const j = el('jingle', { xmlns: NS.JINGLE, action: 'transport-info', initiator: this.full, sid: s.sid }, [
        el('content', { creator: 'initiator', name: 'audio' }, [transport]),
      ]);
      this.note(`ice restart -> ${ep} (generation ${s.iceGeneration})`);
      await this.comp.iq({ type: 'set', from: this.full, to: `${roomJid}/${ep}` }, serialize(j));
    });
  }

  /** Sends a Jingle IQ with a session id the client does not know; resolves to the error. */
  async unknownSession(roomJid, ep) {
    const j = el('jingle', { xmlns: NS.JINGLE, action: 'transport-info', initiator: this.full, sid: 'no-such-sid' });
    try {
      await this.comp.iq({ type: 'set', from: this.full, to: `${roomJid}/${ep}` }, serialize(j));
      return null;
    } catch (e) {
      return e.stanza;
    }
  }

  dominant(ep) {
    const msg = JSON.stringify({ colibriClass: 'DominantSpeakerEndpointChangeEvent', dominantSpeakerEndpoint: ep, previousSpeakers: [] });
    for (const ws of this.sockets.values()) ws.send(msg);
  }

  onColibri(ws, req) {
    const m = /^\/colibri-ws\/loop\/([^/]+)\/([^/?]+)\?pwd=(.+)$/.exec(req.url);
    const r = m && [...this.rooms.values()].find((x) => x.conf === m[1]);
    const s = r?.sessions.get(m?.[2]);
    if (!s || s.pwd !== m[3]) {
      ws.close(1008, 'unknown endpoint');
      return;
    }
    const ep = m[2];
    this.sockets.set(ep, ws);
    ws.send(JSON.stringify({ colibriClass: 'ServerHello', version: 'parley-fake-focus' }));
    ws.on('message', (d) => {
      let msg;
      try { msg = JSON.parse(String(d)); } catch { return; }
      this.received.push({ ep, colibri: msg });
      if (msg.colibriClass === 'ReceiverVideoConstraints') this.constraints.set(ep, msg);
      if (msg.colibriClass === 'EndpointMessage') {
        const out = JSON.stringify({ ...msg, from: ep });
        for (const [other, sock] of this.sockets) {
          if (other !== ep && (!msg.to || msg.to === other)) sock.send(out);
        }
      }
    });
    ws.on('close', () => { if (this.sockets.get(ep) === ws) this.sockets.delete(ep); });
  }
}
