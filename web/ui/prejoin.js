// SPDX-License-Identifier: MIT
// The pre-join screen: room name, display name, camera and microphone preview with toggles,
// device choice, a microphone level meter, permission messages, and the join button.
// Main thread; one instance while the screen is shown (destroy() stops its meter).

import { clear, h, initials } from './dom.js';
import { ICONS } from './icons.js';
import { displayRoomName, normalizeRoomName, randomRoomName } from '../room.js';
import { isWeakRoomName } from '../roomname.js';

const REASONS = {
  denied: 'blocked — allow it in the browser\'s site settings',
  'not-found': 'not found',
  'in-use': 'in use by another application',
  unsupported: 'not available in this browser',
  ended: 'disconnected',
  failed: 'could not be started',
};

export function mediaNotes(errors) {
  const notes = [];
  if (errors.audio && errors.video && errors.audio === errors.video) {
    notes.push(`Camera and microphone ${REASONS[errors.audio] ?? REASONS.failed}. You can still join to watch and listen.`);
  } else {
    if (errors.video) notes.push(`Camera ${REASONS[errors.video] ?? REASONS.failed}. Others won't see you.`);
    if (errors.audio) notes.push(`Microphone ${REASONS[errors.audio] ?? REASONS.failed}. Others won't hear you.`);
  }
  return notes;
}

export class Prejoin {
  /**
   * @param {HTMLElement} root
   * @param {object} p { room, name, media: LocalMedia, onJoin({room, name}), busy }
   */
  constructor(root, p) {
    this.root = root;
    this.p = p;
    this.meter = null;
    this.render();
  }

  render() {
    const { media } = this.p;
    clear(this.root);
    this.video = h('video.preview-video.mirror', { autoplay: true, muted: true, playsInline: true });
    this.video.muted = true;
    this.off = h('div.preview-off', {}, h('div.avatar.avatar-lg', {}, initials(this.p.name || '')), h('span', {}, 'Camera is off'));
    this.micBtn = h('button.round', { type: 'button', onclick: () => this.toggleMic() });
    this.camBtn = h('button.round', { type: 'button', onclick: () => this.toggleCam() });
    this.level = h('div.level', { ariaHidden: 'true' }, h('span'));
    const preview = h('div.preview', {}, this.video, this.off,
      h('div.preview-controls', {}, this.micBtn, this.camBtn), this.level);

    this.nameInput = h('input#display-name', {
      type: 'text', name: 'name', autocomplete: 'nickname', maxlength: '60',
      placeholder: 'e.g. Ada Lovelace', value: this.p.name ?? '', required: true,
    });
    this.nameInput.addEventListener('input', () => {
      this.off.querySelector('.avatar').textContent = initials(this.nameInput.value);
    });
    const hasRoom = !!this.p.room;
    this.roomInput = hasRoom ? null : h('input#room-name', {
      type: 'text', name: 'room', maxlength: '100', value: randomRoomName(), required: true,
      spellcheck: 'false', autocapitalize: 'off',
    });
    this.joinBtn = h('button.primary.join', { type: 'submit' }, 'Join meeting');
    this.notes = h('div.notes', { role: 'status' });
    this.hint = h('p.hint');
    this.camSelect = h('select#camera-select', { ariaLabel: 'Camera' });
    this.micSelect = h('select#mic-select', { ariaLabel: 'Microphone' });
    this.camSelect.addEventListener('change', () => this.switchDevice('video', this.camSelect.value));
    this.micSelect.addEventListener('change', () => this.switchDevice('audio', this.micSelect.value));

    const form = h('form.join-form', {
      onsubmit: (e) => {
        e.preventDefault();
        this.submit();
      },
    },
    h('h1', {}, 'Ready to join?'),
    hasRoom
      ? h('p.room-line', {}, h('span.muted', {}, 'Meeting '), h('strong.room-name', {}, displayRoomName(this.p.room)))
      : h('label.field', {}, h('span', {}, 'Meeting name'), this.roomInput),
    h('label.field', {}, h('span', {}, 'Your name'), this.nameInput),
    h('div.devices', {},
      h('label.field.small', {}, h('span', {}, 'Camera'), this.camSelect),
      h('label.field.small', {}, h('span', {}, 'Microphone'), this.micSelect)),
    this.joinBtn,
    this.notes,
    this.hint);

    if (this.roomInput) this.roomInput.addEventListener('input', () => this.updateHint());
    append2(this.root, h('main.prejoin', {},
      h('header.brand', {}, h('span.logo', { html: ICONS.logo }), h('span', {}, 'Parley')),
      h('section.prejoin-card', {}, preview, form)));
    this.update();
    this.updateHint();
    this.fillDevices();
    this.startMeter();
    media.addEventListener('track', this.onTrack = () => { this.update(); this.startMeter(); });
  }

  async fillDevices() {
    let devices = [];
    try {
      devices = await navigator.mediaDevices.enumerateDevices();
    } catch { /* no device list */ }
    const fill = (sel, kind, track) => {
      clear(sel);
      const list = devices.filter((d) => d.kind === kind && d.deviceId);
      const current = track?.getSettings?.().deviceId;
      list.forEach((d, i) => sel.append(h('option', { value: d.deviceId, selected: d.deviceId === current },
        d.label || `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${i + 1}`)));
      sel.disabled = list.length < 2;
      if (!list.length) sel.append(h('option', {}, 'None available'));
    };
    fill(this.camSelect, 'videoinput', this.p.media.videoTrack);
    fill(this.micSelect, 'audioinput', this.p.media.audioTrack);
  }

  async switchDevice(kind, id) {
    await this.p.media.useDevice(kind, id);
    this.update();
  }

  update() {
    const { media } = this.p;
    const camOn = !!media.videoTrack;
    const micOn = !!media.audioTrack && !media.audioMuted;
    if (camOn) {
      if (this.video.srcObject !== media.stream) this.video.srcObject = media.stream;
      this.video.play?.().catch(() => {});
    }
    this.video.hidden = !camOn;
    this.off.hidden = camOn;
    this.micBtn.innerHTML = micOn ? ICONS.mic : ICONS.micOff;
    this.micBtn.classList.toggle('off', !micOn);
    this.micBtn.disabled = !media.audioTrack;
    this.micBtn.setAttribute('aria-label', micOn ? 'Turn microphone off' : 'Turn microphone on');
    this.micBtn.title = this.micBtn.getAttribute('aria-label');
    this.camBtn.innerHTML = camOn ? ICONS.cam : ICONS.camOff;
    this.camBtn.classList.toggle('off', !camOn);
    this.camBtn.disabled = !!media.errors.video && !media.videoMuted;
    this.camBtn.setAttribute('aria-label', camOn ? 'Turn camera off' : 'Turn camera on');
    this.camBtn.title = this.camBtn.getAttribute('aria-label');
    clear(this.notes);
    for (const n of mediaNotes(media.errors)) {
      this.notes.append(h('p.note', {}, h('span.note-icon', { html: ICONS.warn }), h('span', {}, n)));
    }
    this.level.hidden = !media.audioTrack;
    this.joinBtn.disabled = !!this.p.busy;
    this.joinBtn.textContent = this.p.busy ? 'Joining…' : 'Join meeting';
  }

  updateHint() {
    const room = this.p.room || normalizeRoomName(this.roomInput?.value ?? '');
    const weak = room && isWeakRoomName(room);
    this.hint.textContent = weak
      ? 'This meeting name is easy to guess: anyone who guesses it can join. Choose a longer name, or secure the meeting with a lobby or password once inside.'
      : '';
  }

  toggleMic() {
    this.p.media.setAudioMuted(!this.p.media.audioMuted);
    this.update();
  }

  async toggleCam() {
    await this.p.media.setVideoMuted(!!this.p.media.videoTrack);
    this.update();
    this.startMeter();
  }

  startMeter() {
    this.stopMeter();
    const track = this.p.media.audioTrack;
    if (!track || !globalThis.AudioContext) return;
    try {
      const ctx = new AudioContext();
      const src = ctx.createMediaStreamSource(new MediaStream([track]));
      const an = ctx.createAnalyser();
      an.fftSize = 512;
      src.connect(an);
      const buf = new Float32Array(an.fftSize);
      const bar = this.level.firstChild;
      let raf = 0;
      const tick = () => {
        an.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        const rms = Math.sqrt(sum / buf.length);
        const level = this.p.media.audioMuted ? 0 : Math.min(1, rms * 6);
        bar.style.transform = `scaleX(${level.toFixed(3)})`;
        raf = requestAnimationFrame(tick);
      };
      tick();
      this.meter = () => { cancelAnimationFrame(raf); ctx.close().catch(() => {}); };
    } catch {
      this.meter = null;
    }
  }

  stopMeter() {
    if (this.meter) this.meter();
    this.meter = null;
  }

  submit() {
    const name = this.nameInput.value.trim();
    if (!name) {
      this.nameInput.focus();
      return;
    }
    const room = this.p.room || normalizeRoomName(this.roomInput.value);
    if (!room) {
      this.roomInput.focus();
      return;
    }
    this.p.onJoin({ room, name });
  }

  setBusy(busy) {
    this.p.busy = busy;
    this.update();
  }

  destroy() {
    this.stopMeter();
    this.p.media.removeEventListener('track', this.onTrack);
    this.video.srcObject = null;
  }
}

function append2(root, el) {
  root.append(el);
}
