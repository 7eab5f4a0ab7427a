// SPDX-License-Identifier: MIT
// The settings panel in a meeting: choose the camera, the microphone and the speaker while
// the call goes on. A new camera or microphone replaces the track in place
// (RTCRtpSender.replaceTrack: nothing is renegotiated, the others notice nothing but the
// picture or the voice changing); the speaker is the output device of every remote <audio>
// element (setSinkId, where the browser has it). Also our own connection as the bridge sees it.
// Main thread; one instance per meeting view, shown and hidden by it.

import { clear, h } from './dom.js';
import { ICONS } from './icons.js';
import { LocalMedia } from '../media.js';

export const CAN_CHOOSE_SPEAKER = typeof globalThis.HTMLMediaElement !== 'undefined'
  && 'setSinkId' in globalThis.HTMLMediaElement.prototype;

export class SettingsPanel {
  /**
   * @param {object} p { media: LocalMedia, onClose(), onDevice(kind, id) -> Promise<boolean>,
   *                     speaker() -> current output id }
   */
  constructor(p) {
    this.p = p;
    this.el = this.build();
    this.el.hidden = true;
    this.onDeviceChange = () => { if (this.open) this.refresh(); };
    navigator.mediaDevices?.addEventListener?.('devicechange', this.onDeviceChange);
  }

  get open() { return !this.el.hidden; }

  select(id, label, icon, kind) {
    const sel = h(`select#${id}`, { ariaLabel: label });
    sel.addEventListener('change', async () => {
      sel.disabled = true;
      this.setError(null);
      const ok = await this.p.onDevice(kind, sel.value);
      sel.disabled = false;
      if (!ok) this.setError(`That ${label.toLowerCase()} could not be used.`);
      this.refresh();
    });
    const field = h('label.field.small', {}, h('span', {}, h('span.icon', { html: ICONS[icon] }), label), sel);
    return { sel, field };
  }

  build() {
    this.cam = this.select('camera-select', 'Camera', 'cam', 'video');
    this.mic = this.select('mic-select', 'Microphone', 'mic', 'audio');
    this.out = this.select('speaker-select', 'Speaker', 'speaker', 'output');
    this.out.field.hidden = !CAN_CHOOSE_SPEAKER;
    this.error = h('p.panel-error#settings-error', { role: 'alert', hidden: true });
    this.note = h('p.panel-status.ok', {}, 'Switching keeps the call going: nobody has to reconnect.');
    return h('aside.side-panel.settings-panel#settings-panel', { role: 'dialog', ariaLabel: 'Settings' },
      h('header.panel-head', {},
        h('span.panel-head-icon', { html: ICONS.gear }),
        h('h2', {}, 'Settings'),
        h('button.ghost.icon-only#settings-close', { type: 'button', ariaLabel: 'Close', title: 'Close', onclick: () => this.p.onClose() },
          h('span.icon', { html: ICONS.close }))),
      h('div.panel-body', {},
        h('section.panel-section', {}, h('h3', {}, 'Devices'), this.cam.field, this.mic.field, this.out.field, this.note),
        this.error));
  }

  setError(msg) {
    this.error.textContent = msg ?? '';
    this.error.hidden = !msg;
  }

  show() {
    this.el.hidden = false;
    this.setError(null);
    this.refresh();
  }

  hide() {
    this.el.hidden = true;
  }

  async refresh() {
    const list = await LocalMedia.listDevices();
    const m = this.p.media;
    const fill = (s, items, current, none) => {
      clear(s.sel);
      if (!items.length) s.sel.append(h('option', { value: '' }, none));
      for (const d of items) s.sel.append(h('option', { value: d.id }, d.label));
      if (current && items.some((d) => d.id === current)) s.sel.value = current;
      s.sel.disabled = !items.length;
    };
    fill(this.cam, list.video, m.currentDevice('video'), 'No camera found');
    fill(this.mic, list.audio, m.currentDevice('audio'), 'No microphone found');
    fill(this.out, list.output, this.p.speaker() ?? 'default', 'System default');
  }

  destroy() {
    this.hide();
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.onDeviceChange);
  }
}
