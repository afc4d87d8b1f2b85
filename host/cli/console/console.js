// SPDX-License-Identifier: Apache-2.0
// The officer console page: live state from the console process as
// Server-Sent Events (GET /events), actions as form posts (POST
// /api/action). Plain JavaScript, no library, nothing fetched from elsewhere.
// Text from kiosks and the host is only ever put into the page with
// textContent (never as HTML).
'use strict';
(function () {
  // Reasons offered with one key (1-6); any other reason can be typed.
  const PRESETS = [
    'Passport inspected by hand, holder confirmed',
    'Face compared by the officer: same person',
    'Not the passport holder',
    'Document not valid for entry',
    'Sent to secondary inspection',
    'Lane closed for maintenance',
  ];
  // The rule that fired, for people (the code stays visible beside it).
  const RULES = {
    biometric_mismatch: 'Face does not match the chip portrait',
    chip_unreadable: 'The passport chip could not be read',
    document_check_failed: 'A document check failed',
    face_capture_failed: 'No usable picture of the face',
    more_than_one_person: 'More than one person in the lane',
    mrz_invalid: 'The printed data (MRZ) is not valid',
    pad_alarm: 'Possible presentation attack (photo, screen or mask)',
    watchlist_hit: 'Watchlist match',
    officer_hold: 'Gate held by an officer',
  };
  const BIOMETRIC = /biometric|match|face|pad|liveness|watchlist/;
  const REASON_MAX = 200;

  const $ = (id) => document.getElementById(id);
  const state = {
    kiosks: new Map(), referrals: new Map(), images: new Map(), arrived: new Map(),
    selected: null, preset: -1, link: { state: 'connecting', detail: '' }, officer: '',
  };
  // What the tests and the screenshots read (never anything personal).
  const metrics = { events: 0, beeps: 0, audible: false, alerts: [], appeared: {}, actions: [] };
  window.egateConsole = metrics;

  // ---- the secret: in the URL after '#', then kept for this tab only -------------
  let token = '';
  const m = /(?:^#|&)k=([0-9a-f]{64})/.exec(location.hash);
  if (m) {
    token = m[1];
    sessionStorage.setItem('egate-console-token', token);
    history.replaceState(null, '', location.pathname);   // out of the address bar
  } else {
    token = sessionStorage.getItem('egate-console-token') || '';
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clockTime(ms) {
    if (!ms) return '-';
    return new Date(ms).toLocaleTimeString([], { hour12: false });
  }
  function ageText(ms) {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return 'waiting ' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function refKey(kiosk, seq) { return kiosk + '/' + seq; }

  // ---- notices and the alert -------------------------------------------------------
  let noticeTimer = null;
  function notice(text, error) {
    const n = $('notice');
    n.textContent = text;
    n.className = 'notice' + (error ? ' error' : '');
    n.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { n.hidden = true; }, error ? 15000 : 8000);
  }
  let alertTimer = null;
  function alertReferral(r) {
    const a = $('alert');
    a.textContent = 'New referral at ' + r.kiosk + ' (passage ' + r.seq + '): ' +
      (RULES[r.reason] || r.reason || 'see the queue');
    a.hidden = false;
    // restart the flash animation
    a.style.animation = 'none'; void a.offsetWidth; a.style.animation = '';
    metrics.alerts.push({ kiosk: r.kiosk, seq: r.seq, at: Date.now() });
    clearTimeout(alertTimer);
    alertTimer = setTimeout(() => { a.hidden = true; }, 10000);
    beep();
  }

  // Web Audio: two short tones, made here (no sound file to fetch).
  let audio = null;
  function audioOn() {
    try {
      if (!audio) audio = new AudioContext();
      if (audio.state === 'suspended') audio.resume();
    } catch (e) { audio = null; }
    soundButton();
  }
  function soundButton() {
    const b = $('sound');
    const on = audio && audio.state === 'running';
    b.className = 'sound ' + (on ? 'on' : 'off');
    b.textContent = on ? 'Sound is on' : 'Sound is off: click to turn it on';
  }
  function beep() {
    metrics.beeps++;
    if (!audio) audioOn();
    if (!audio) return;
    try {
      const t = audio.currentTime + 0.02;
      [[880, 0], [660, 0.22]].forEach(([f, d]) => {
        const o = audio.createOscillator(), g = audio.createGain();
        o.type = 'sine'; o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, t + d);
        g.gain.exponentialRampToValueAtTime(0.35, t + d + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, t + d + 0.18);
        o.connect(g).connect(audio.destination);
        o.start(t + d); o.stop(t + d + 0.2);
      });
      metrics.audible = audio.state === 'running';
    } catch (e) { /* no sound device: the banner still shows */ }
    soundButton();
  }

  // ---- the reason -------------------------------------------------------------------
  function presetsRender() {
    const fs = $('presets');
    fs.querySelectorAll('label').forEach((l) => l.remove());
    PRESETS.forEach((p, i) => {
      const l = el('label', i === state.preset ? 'chosen' : '');
      const r = el('input');
      r.type = 'radio'; r.name = 'preset'; r.value = String(i); r.checked = i === state.preset;
      r.addEventListener('change', () => choosePreset(i));
      l.appendChild(r);
      l.appendChild(el('kbd', '', String(i + 1)));
      l.appendChild(document.createTextNode(' ' + p));
      fs.appendChild(l);
    });
  }
  function choosePreset(i) {
    state.preset = state.preset === i ? -1 : i;
    if (state.preset >= 0) $('reason').value = '';
    presetsRender();
  }
  // The rule the host applies (blank, control characters, length), said first here.
  function reasonCheck(s) {
    if (!s) return 'choose a reason (1-6) or type one';
    if (new TextEncoder().encode(s).length > REASON_MAX) return 'the reason is longer than 200 bytes';
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(s))
      return 'the reason holds a control character';
    if (!/[^\s\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]/.test(s)) return 'the reason is blank';
    return '';
  }
  function currentReason() {
    return state.preset >= 0 ? PRESETS[state.preset] : $('reason').value;
  }

  // ---- actions ----------------------------------------------------------------------
  async function act(kiosk, action, passage) {
    const reason = currentReason();
    const bad = reasonCheck(reason);
    if (bad) {
      notice(bad, true);
      const bar = document.querySelector('footer.reasonbar');
      bar.classList.remove('need'); void bar.offsetWidth; bar.classList.add('need');
      return;
    }
    const body = new URLSearchParams({ kiosk: kiosk, action: action, reason: reason });
    if (passage) body.set('passage', String(passage));
    notice('Sending ' + action.replace('_', ' ') + ' to ' + kiosk + '…');
    let res;
    try {
      const r = await fetch('/api/action', {
        method: 'POST', body: body, cache: 'no-store', credentials: 'omit',
        headers: { 'X-Egate-Token': token },
      });
      res = await r.json().catch(() => ({ ok: false, detail: 'HTTP ' + r.status }));
    } catch (e) {
      res = { ok: false, detail: 'the console process does not answer' };
    }
    metrics.actions.push({ kiosk: kiosk, action: action, passage: passage || 0, ok: res.ok,
      detail: res.detail });
    if (res.ok) {
      notice(kiosk + ': ' + action.replace('_', ' ') + ' done' +
        (res.command_id ? ' (command ' + res.command_id + ')' : ''));
      state.preset = -1; $('reason').value = ''; presetsRender();
    } else {
      notice(kiosk + ': ' + action.replace('_', ' ') + ' refused: ' + (res.detail || 'no reason given'), true);
    }
  }
  function decide(open) {
    const r = state.referrals.get(state.selected);
    if (!r) { notice('No referral chosen', true); return; }
    act(r.kiosk, open ? 'override_open' : 'override_reject', r.seq);
  }

  // ---- rendering ----------------------------------------------------------------------
  function sortedReferrals() {
    return Array.from(state.referrals.values()).sort((a, b) => (b.ts_ms - a.ts_ms) ||
      (state.arrived.get(refKey(b.kiosk, b.seq)) - state.arrived.get(refKey(a.kiosk, a.seq))));
  }
  function explanationBlock(r, card) {
    let x = null;
    try { x = r.explanation ? JSON.parse(r.explanation) : null; } catch (e) { x = null; }
    if (!x) {
      card.appendChild(el('p', 'meta', r.explanation ? 'Explanation not readable' :
        'The record with the explanation is on its way…'));
      return;
    }
    const failed = (x.checks || []).filter((c) => c.result !== 'pass' && c.result !== 'skipped');
    card.appendChild(el('h3', '', 'Failed or not checked'));
    if (failed.length === 0) {
      card.appendChild(el('p', 'meta', 'none'));
    } else {
      const ul = el('ul', 'failed');
      failed.forEach((c) => {
        const li = el('li');
        li.appendChild(el('span', 'name', c.name + ' '));
        li.appendChild(el('span', 'res', c.result));
        if (c.detail) li.appendChild(el('span', 'detail', ' — ' + c.detail));
        ul.appendChild(li);
      });
      card.appendChild(ul);
    }
    if ((x.scores || []).length) {
      card.appendChild(el('h3', '', 'Scores against thresholds'));
      const t = el('table', 'scores');
      const h = el('tr');
      ['score', 'value', 'threshold', ''].forEach((s) => h.appendChild(el('th', '', s)));
      t.appendChild(h);
      x.scores.forEach((s) => {
        const tr = el('tr');
        tr.appendChild(el('td', '', s.name));
        tr.appendChild(el('td', 'num', typeof s.value === 'number' ? s.value.toFixed(3) : '-'));
        tr.appendChild(el('td', 'num', typeof s.threshold === 'number' ? s.threshold.toFixed(3) : '-'));
        tr.appendChild(el('td', s.passed ? 'pass' : 'fail', s.passed ? 'passed' : 'FAILED'));
        t.appendChild(tr);
      });
      card.appendChild(t);
    }
    const meta = [];
    if (x.issuing_state || x.document_type) meta.push('document ' + (x.issuing_state || '-') + ' ' + (x.document_type || ''));
    if (x.model_version) meta.push('model ' + x.model_version);
    meta.push('configuration ' + x.config_version);
    if (x.duration_ms) meta.push((x.duration_ms / 1000).toFixed(1) + ' s at the gate');
    card.appendChild(el('p', 'meta', meta.join(' · ')));
  }
  function facesBlock(r, card) {
    const im = state.images.get(refKey(r.kiosk, r.seq));
    if (!im) {
      if (BIOMETRIC.test(r.reason || '')) card.appendChild(el('p', 'faces missing',
        'No pictures from the kiosk for this referral.'));
      return;
    }
    const f = el('div', 'faces');
    [['live', 'Live face (camera)'], ['portrait', 'Chip portrait (DG2)']].forEach(([k, cap]) => {
      const fig = el('figure');
      if (im[k]) {
        const img = el('img', k);
        img.alt = cap; img.src = im[k];
        fig.appendChild(img);
      } else {
        fig.appendChild(el('p', '', 'not sent'));
      }
      fig.appendChild(el('figcaption', '', cap));
      f.appendChild(fig);
    });
    card.appendChild(f);
  }
  function renderQueue() {
    const q = $('queue');
    const list = sortedReferrals();
    q.textContent = '';
    $('queue-count').textContent = String(list.length);
    $('queue-count').className = 'count' + (list.length ? ' some' : '');
    document.title = (list.length ? '(' + list.length + ') ' : '') + 'egate officer console';
    if (!state.referrals.has(state.selected)) state.selected = list.length ? refKey(list[0].kiosk, list[0].seq) : null;
    if (list.length === 0) q.appendChild(el('p', 'empty', 'No referral waiting.'));
    list.forEach((r) => {
      const key = refKey(r.kiosk, r.seq);
      const card = el('article', 'card' + (key === state.selected ? ' selected' : '') +
        (Date.now() - (state.arrived.get(key) || 0) < 1500 ? ' new' : ''));
      card.dataset.key = key;
      card.dataset.kiosk = r.kiosk;
      card.dataset.seq = String(r.seq);
      const h = el('header');
      h.appendChild(el('span', 'kiosk', r.kiosk));
      h.appendChild(el('span', 'passage', 'passage ' + r.seq));
      h.appendChild(el('span', 'time', clockTime(r.ts_ms)));
      h.appendChild(el('span', 'age', ageText(state.arrived.get(key) || Date.now())));
      card.appendChild(h);
      const rule = el('div', 'rule', RULES[r.reason] || r.reason || 'referred');
      card.appendChild(rule);
      card.appendChild(el('div', 'rulecode', 'rule ' + (r.reason || '-')));
      explanationBlock(r, card);
      facesBlock(r, card);
      const a = el('div', 'actions');
      const go = el('button', 'act go', 'Let through (O)');
      go.type = 'button';
      go.addEventListener('click', (e) => { e.stopPropagation(); state.selected = key; renderQueue(); decide(true); });
      const no = el('button', 'act stop', 'Refuse (R)');
      no.type = 'button';
      no.addEventListener('click', (e) => { e.stopPropagation(); state.selected = key; renderQueue(); decide(false); });
      a.appendChild(go); a.appendChild(no);
      card.appendChild(a);
      card.addEventListener('click', () => { state.selected = key; $('alert').hidden = true; renderQueue(); });
      q.appendChild(card);
    });
  }
  function renderKiosks() {
    const box = $('kiosks');
    box.textContent = '';
    const list = Array.from(state.kiosks.values()).sort((a, b) => a.kiosk.localeCompare(b.kiosk));
    if (list.length === 0) box.appendChild(el('p', 'empty', 'No kiosk has connected to the host since it started.'));
    list.forEach((k) => {
      const offline = !k.connected;
      const t = el('div', 'tile s-' + k.state.replace(/[^A-Z_]/g, '') + (offline ? ' offline' : '') +
        (k.held ? ' held' : ''));
      t.dataset.kiosk = k.kiosk;
      t.appendChild(el('div', 'id', k.kiosk));
      t.appendChild(el('div', 'state', offline ? 'OFFLINE' : (k.state || 'CONNECTED')));
      const b = el('div', 'badges');
      if (offline) b.appendChild(el('span', 'badge bad', 'no link to the host'));
      if (k.held) b.appendChild(el('span', 'badge warn', 'OUT OF SERVICE'));
      if (k.referral_seq) b.appendChild(el('span', 'badge bad', 'referral ' + k.referral_seq));
      if (k.pending_events) b.appendChild(el('span', 'badge', k.pending_events + ' record(s) unsent'));
      // the kiosk's TLS certificate: it is locked out the day it ends
      if (typeof k.cert_days_left === 'number' && k.cert_days_left < 0) {
        b.appendChild(el('span', 'badge bad', 'certificate expired'));
      } else if (typeof k.cert_days_left === 'number' && k.cert_days_left < 30) {
        b.appendChild(el('span', 'badge warn', 'certificate expires in ' + k.cert_days_left + ' day(s)'));
      }
      t.appendChild(b);
      const dv = el('ul', 'devices');
      Object.keys(k.devices || {}).forEach((name) => {
        const h = k.devices[name];
        const li = el('li', 'h-' + h, name + ' ' + h);
        const d = (k.device_details || {})[name];
        if (d) li.title = d;
        dv.appendChild(li);
      });
      t.appendChild(dv);
      t.appendChild(el('div', 'meta', 'configuration ' + k.config_version + ' · firmware ' +
        (k.firmware || '-') + ' · ' + k.events + ' record(s) since the host started'));
      const rec = el('ol', 'recent');
      (k.recent || []).forEach((p) => {
        const li = el('li');
        li.appendChild(el('span', 'time', clockTime(p.ts_ms) + ' '));
        li.appendChild(el('span', 'd-' + p.decision, p.decision));
        li.appendChild(document.createTextNode(' ' + p.reason + (p.officer ? ' (by ' + p.officer + ')' : '')));
        rec.appendChild(li);
      });
      if ((k.recent || []).length === 0 && k.last_decision) {
        const li = el('li');
        li.appendChild(el('span', 'time', clockTime(k.last_ts_ms) + ' '));
        li.appendChild(el('span', 'd-' + k.last_decision, k.last_decision));
        li.appendChild(document.createTextNode(' ' + k.last_reason));
        rec.appendChild(li);
      }
      t.appendChild(rec);
      const a = el('div', 'actions');
      [['open', 'Open gate', 'act go', offline || !(k.referral_seq || k.held)],
        ['hold', 'Hold', 'act plain', offline || k.held],
        ['release', 'Release', 'act plain', offline || !k.held]].forEach(([action, label, cls, dis]) => {
        const bt = el('button', cls, label);
        bt.type = 'button'; bt.disabled = dis; bt.dataset.action = action;
        bt.addEventListener('click', () => act(k.kiosk, action, 0));
        a.appendChild(bt);
      });
      t.appendChild(a);
      box.appendChild(t);
    });
  }
  function renderLink() {
    const l = $('link');
    const s = state.link.state;
    l.className = 'link ' + (s === 'up' ? 'up' : s === 'down' ? 'down' : 'connecting');
    l.textContent = s === 'up' ? 'connected to egate-host' : s === 'down' ?
      'no link to egate-host: ' + (state.link.detail || '') : 'connecting to egate-host…';
    $('officer').textContent = state.officer ? 'officer ' + state.officer : '';
  }
  function render() { renderLink(); renderQueue(); renderKiosks(); }

  // ---- the event stream -------------------------------------------------------------
  function referralArrived(r, quiet) {
    const key = refKey(r.kiosk, r.seq);
    const fresh = !state.referrals.has(key);
    state.referrals.set(key, r);
    if (fresh) {
      state.arrived.set(key, Date.now());
      metrics.appeared[key] = { at: Date.now(), ts_ms: r.ts_ms };
      if (!quiet) alertReferral(r);
    }
  }
  function start() {
    if (!token) {
      notice('Open the console with the address "egate officer console" printed (it ends with #k=…).', true);
      return;
    }
    const es = new EventSource('/events?k=' + encodeURIComponent(token));
    const on = (type, fn) => es.addEventListener(type, (e) => {
      metrics.events++;
      let d;
      try { d = JSON.parse(e.data); } catch (x) { return; }
      fn(d);
      render();
    });
    on('snapshot', (s) => {
      const had = new Set(state.referrals.keys());
      state.officer = s.officer || '';
      state.link = s.link || state.link;
      state.kiosks = new Map((s.kiosks || []).map((k) => [k.kiosk, k]));
      state.referrals = new Map();
      (s.referrals || []).forEach((r) => referralArrived(r, had.has(refKey(r.kiosk, r.seq))));
      state.images = new Map((s.images || []).map((i) => [refKey(i.kiosk, i.seq), i]));
    });
    on('kiosk', (k) => { state.kiosks.set(k.kiosk, k); });
    on('referral', (r) => referralArrived(r, false));
    on('images', (i) => { state.images.set(refKey(i.kiosk, i.seq), i); });
    on('closed', (c) => {
      const key = refKey(c.kiosk, c.seq);
      state.referrals.delete(key);
      state.images.delete(key);   // the pictures are dropped with the referral
      state.arrived.delete(key);
      notice(c.kiosk + ' passage ' + c.seq + ': ' + (c.officer ? 'decided by ' + c.officer +
        ' (' + (c.action === 'OVERRIDE_OPEN' || c.action === 'OPEN' ? 'let through' : 'refused') + ')' : c.why));
    });
    on('link', (l) => {
      state.link = l;
      if (l.state !== 'up') { state.images.clear(); }
    });
    es.onerror = () => {
      state.link = { state: 'connecting', detail: 'the console process does not answer; retrying' };
      renderLink();
    };
  }

  // ---- keys ---------------------------------------------------------------------------
  document.addEventListener('keydown', (e) => {
    const typing = e.target && e.target.id === 'reason';
    if (typing) {
      if (e.key === 'Escape') e.target.blur();
      if (e.key === 'Enter') e.target.blur();
      if ($('reason').value) { state.preset = -1; presetsRender(); }
      return;
    }
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const list = sortedReferrals();
    const i = list.findIndex((r) => refKey(r.kiosk, r.seq) === state.selected);
    if (e.key >= '1' && e.key <= String(PRESETS.length)) { choosePreset(Number(e.key) - 1); e.preventDefault(); }
    else if (e.key === 'o' || e.key === 'O') { decide(true); e.preventDefault(); }
    else if (e.key === 'r' || e.key === 'R') { decide(false); e.preventDefault(); }
    else if (e.key === '/') { $('reason').focus(); e.preventDefault(); }
    else if ((e.key === 'ArrowDown' || e.key === 'j') && list.length) {
      state.selected = refKey(list[Math.min(list.length - 1, i + 1)].kiosk, list[Math.min(list.length - 1, i + 1)].seq);
      renderQueue(); e.preventDefault();
    } else if ((e.key === 'ArrowUp' || e.key === 'k') && list.length) {
      state.selected = refKey(list[Math.max(0, i - 1)].kiosk, list[Math.max(0, i - 1)].seq);
      renderQueue(); e.preventDefault();
    }
    $('alert').hidden = true;
  });
  $('reason').addEventListener('input', () => { if ($('reason').value) { state.preset = -1; presetsRender(); } });
  $('sound').addEventListener('click', audioOn);
  document.addEventListener('pointerdown', () => { if (!audio) audioOn(); }, { once: true });
  // the waiting time on each card (a clock, not a request)
  setInterval(() => {
    document.querySelectorAll('.card').forEach((c) => {
      const a = c.querySelector('.age');
      const t = state.arrived.get(c.dataset.key);
      if (a && t) a.textContent = ageText(t);
    });
  }, 1000);

  presetsRender();
  render();
  start();
})();
