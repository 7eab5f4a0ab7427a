// SPDX-License-Identifier: MIT
// The bridge channel over colibri-ws (jitsi-wire-reference §4): a WebSocket to the URL the
// focus put in the transport's <web-socket>, JSON messages tagged by colibriClass. Handles
// ServerHello, EndpointMessage, DominantSpeakerEndpointChangeEvent, ForwardedSources,
// EndpointConnectivityStatusChangeEvent, SenderSourceConstraints; ignores unknown classes.
// Reconnects with backoff (1 s doubling to 60 s) until closed. Main thread; one instance per
// Jingle session. `WebSocketImpl` is injectable so node tests can use the `ws` package.

const MAX_BACKOFF_MS = 60000;
const MAX_QUEUE = 100;

export class BridgeChannel extends EventTarget {
  /**
   * @param {string} url colibri-ws URL
   * @param {object} [opts] { WebSocketImpl, rewriteOrigin?: string (e.g. page origin when the
   *                          web server proxies /colibri-ws) }
   */
  constructor(url, opts = {}) {
    super();
    this.url = BridgeChannel.effectiveUrl(url, opts.rewriteOrigin);
    this.WS = opts.WebSocketImpl ?? globalThis.WebSocket;
    this.ws = null;
    this.open = false;
    this.closed = false;
    this.attempt = 0;
    this.timer = null;
    this.queue = [];
    this.hello = null;
    this.stats = { sent: 0, received: 0, reconnects: 0, ignored: 0 };
    this.lastConstraints = null;
  }

  /** With a proxying web server the bridge's ws URL is re-based onto the page's origin. */
  static effectiveUrl(url, rewriteOrigin) {
    if (!rewriteOrigin) return url;
    const u = new URL(url);
    const o = new URL(rewriteOrigin);
    u.protocol = o.protocol === 'https:' ? 'wss:' : 'ws:';
    u.hostname = o.hostname;
    u.port = o.port;
    return u.toString();
  }

  connect() {
    if (this.closed) return;
    let ws;
    try {
      ws = new this.WS(this.url);
    } catch (e) {
      this.scheduleReconnect(`${e.message}`);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.open = true;
      this.attempt = 0;
      this.dispatchEvent(new CustomEvent('open'));
      // The bridge keeps what it was told last; resend it after a reconnect.
      if (this.lastConstraints) this.rawSend(this.lastConstraints);
      for (const m of this.queue.splice(0)) this.rawSend(m);
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.onMessage(typeof ev.data === 'string' ? ev.data : String(ev.data));
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      const wasOpen = this.open;
      this.open = false;
      this.ws = null;
      if (this.closed) return;
      this.dispatchEvent(new CustomEvent('close', { detail: { code: ev.code, wasOpen } }));
      this.scheduleReconnect(`closed (${ev.code})`);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  scheduleReconnect(reason) {
    if (this.closed || this.timer) return;
    const delay = Math.min(1000 * 2 ** this.attempt++, MAX_BACKOFF_MS);
    this.stats.reconnects++;
    this.dispatchEvent(new CustomEvent('reconnecting', { detail: { reason, delay } }));
    this.timer = setTimeout(() => { this.timer = null; this.connect(); }, delay);
  }

  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      this.stats.ignored++;
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.colibriClass !== 'string') {
      this.stats.ignored++;
      return;
    }
    this.stats.received++;
    switch (msg.colibriClass) {
      case 'ServerHello':
        this.hello = msg;
        this.dispatchEvent(new CustomEvent('hello', { detail: msg }));
        break;
      case 'EndpointMessage':
        this.dispatchEvent(new CustomEvent('endpoint-message', {
          detail: { from: msg.from ?? null, to: msg.to ?? '', payload: msg.msgPayload ?? null },
        }));
        break;
      case 'DominantSpeakerEndpointChangeEvent':
        this.dispatchEvent(new CustomEvent('dominant-speaker', {
          detail: { id: msg.dominantSpeakerEndpoint, previous: msg.previousSpeakers ?? [], silence: !!msg.silence },
        }));
        break;
      case 'ForwardedSources':
        this.dispatchEvent(new CustomEvent('forwarded-sources', {
          detail: Array.isArray(msg.forwardedSources) ? msg.forwardedSources : [],
        }));
        break;
      case 'EndpointConnectivityStatusChangeEvent':
        this.dispatchEvent(new CustomEvent('connectivity', {
          detail: { id: msg.endpoint, active: msg.active === true || msg.active === 'true' },
        }));
        break;
      case 'SenderSourceConstraints':
        this.dispatchEvent(new CustomEvent('sender-constraints', {
          detail: { sourceName: msg.sourceName, maxHeight: msg.maxHeight },
        }));
        break;
      default:
        this.stats.ignored++;
        this.dispatchEvent(new CustomEvent('other', { detail: msg }));
        break;
    }
  }

  rawSend(obj) {
    if (!this.open || !this.ws) return false;
    this.ws.send(JSON.stringify(obj));
    this.stats.sent++;
    return true;
  }

  /** Sends a message now, or queues it (bounded) until the channel opens. */
  send(obj) {
    if (this.rawSend(obj)) return true;
    if (this.closed) return false;
    if (this.queue.length >= MAX_QUEUE) this.queue.shift();
    this.queue.push(obj);
    return false;
  }

  /** EndpointMessage to one endpoint, or to everyone when `to` is empty. */
  sendEndpointMessage(payload, to = '') {
    return this.send({ colibriClass: 'EndpointMessage', to: to ?? '', msgPayload: payload });
  }

  /**
   * SourceVideoTypeMessage: the type of one of our video sources ('camera', 'desktop',
   * 'desktop_high_fps', 'none'), as lib-jitsi-meet sends it for its screen share.
   */
  sendSourceVideoType(sourceName, videoType) {
    return this.send({ colibriClass: 'SourceVideoTypeMessage', sourceName, videoType });
  }

  /** ReceiverVideoConstraints; remembered and resent after reconnects. */
  sendReceiverConstraints(c) {
    this.lastConstraints = { colibriClass: 'ReceiverVideoConstraints', ...c };
    return this.rawSend(this.lastConstraints);
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    this.open = false;
    if (ws) {
      try { ws.close(1000, 'bye'); } catch { /* already closing */ }
    }
  }
}
