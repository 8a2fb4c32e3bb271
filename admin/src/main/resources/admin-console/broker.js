// Tributary broker view: polls the admin API of the listener that served this page
// (/api/v1/overview every 2 s, the open tab's table with it) and draws the last five minutes.
(function () {
  'use strict';
  const POLL_MS = 2000;
  const WINDOW = 150; // points: five minutes at one every 2 s
  const history = [];
  let last = null;
  let view = 'overview';

  const $ = (id) => document.getElementById(id);
  const fmt = (n) => Number(n).toLocaleString('en-US', { maximumFractionDigits: 1 });
  const bytes = (n) => n >= 1 << 30 ? fmt(n / (1 << 30)) + ' GiB' : n >= 1 << 20 ? fmt(n / (1 << 20)) + ' MiB'
    : n >= 1024 ? fmt(n / 1024) + ' KiB' : n + ' B';
  const when = (ms) => ms ? new Date(ms).toLocaleString() : '-';
  const since = (ms) => {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min' : Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  };

  $('token').value = sessionStorage.getItem('tributary-token') || '';
  $('token').addEventListener('change', () => { sessionStorage.setItem('tributary-token', $('token').value); poll(); });

  async function api(path, method) {
    const headers = {};
    const token = $('token').value.trim();
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const response = await fetch('/api/v1' + path, { method: method || 'GET', headers, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || (response.status + ' ' + response.statusText));
    }
    return body;
  }

  function showError(e) {
    $('error').hidden = !e;
    $('error').textContent = e ? String(e.message || e) : '';
    $('state').textContent = e ? 'error' : 'live';
    $('state').className = 'pill ' + (e ? 'bad' : 'ok');
  }

  function cell(row, text, cls) {
    const td = row.insertCell();
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function button(row, label, onClick) {
    const b = document.createElement('button');
    b.className = 'act danger';
    b.textContent = label;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try { await onClick(); await poll(); } catch (e) { showError(e); }
    });
    row.insertCell().appendChild(b);
  }

  // ---- overview ----------------------------------------------------------------------------
  function overview(o) {
    let inRate = 0, outRate = 0;
    if (last) {
      const dt = Math.max(0.001, (o.time - last.time) / 1000);
      inRate = Math.max(0, (o.messages.received - last.messages.received) / dt);
      outRate = Math.max(0, (o.messages.sent - last.messages.sent) / dt);
    }
    last = o;
    history.push({ inRate, outRate, connections: o.connections.total });
    while (history.length > WINDOW) history.shift();
    $('version').textContent = 'tributary ' + o.version;
    $('uptime').textContent = 'up ' + since(Date.now() - o.uptimeSeconds * 1000);
    $('o-connections').textContent = fmt(o.connections.total);
    $('o-sessions').textContent = fmt(o.sessions.online) + ' / ' + fmt(o.sessions.offline);
    $('o-in-rate').textContent = fmt(inRate);
    $('o-out-rate').textContent = fmt(outRate);
    $('o-subscriptions').textContent = fmt(o.subscriptions);
    $('o-inflight').textContent = fmt(o.inflight);
    $('o-retained').textContent = fmt(o.retained.messages) + ' (' + bytes(o.retained.bytes) + ')';
    $('o-log').textContent = fmt(o.log.endOffset - o.log.startOffset) + ' rec, ' + bytes(o.log.bytes);
    draw();
  }

  function draw() {
    const canvas = $('chart');
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, pad = 30;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#dde3ea';
    ctx.fillStyle = '#667485';
    ctx.font = '12px system-ui, sans-serif';
    for (let i = 0; i <= 4; i++) {
      const y = pad / 2 + (h - pad) * i / 4;
      ctx.beginPath(); ctx.moveTo(pad + 20, y); ctx.lineTo(w, y); ctx.stroke();
    }
    const rateMax = Math.max(1, ...history.map(p => Math.max(p.inRate, p.outRate)));
    const connMax = Math.max(1, ...history.map(p => p.connections));
    ctx.fillText(fmt(rateMax) + '/s', 2, pad / 2 + 4);
    ctx.fillText(fmt(connMax) + ' conn', w - 80, pad / 2 + 12);
    const line = (color, value, max) => {
      ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
      history.forEach((p, i) => {
        const x = pad + 20 + (w - pad - 20) * (i + WINDOW - history.length) / (WINDOW - 1);
        const y = pad / 2 + (h - pad) * (1 - value(p) / max);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke(); ctx.lineWidth = 1;
    };
    const css = getComputedStyle(document.documentElement);
    line(css.getPropertyValue('--in').trim(), p => p.inRate, rateMax);
    line(css.getPropertyValue('--out').trim(), p => p.outRate, rateMax);
    line(css.getPropertyValue('--conn').trim(), p => p.connections, connMax);
  }

  // ---- tables ------------------------------------------------------------------------------
  async function clients() {
    const prefix = $('clients-prefix').value;
    const page = await api('/clients?size=500' + (prefix ? '&prefix=' + encodeURIComponent(prefix) : ''));
    $('clients-total').textContent = page.total + ' connected';
    const body = $('clients').tBodies[0];
    body.replaceChildren();
    for (const c of page.items) {
      const row = body.insertRow();
      row.dataset.clientId = c.clientId;
      cell(row, c.clientId, 'mono');
      cell(row, c.listener);
      cell(row, c.protocol + (c.protocolVersion === 5 ? ' 5' : c.protocolVersion === 4 ? ' 3.1.1' : ''));
      cell(row, c.remoteAddress, 'mono');
      cell(row, c.username || '-');
      cell(row, since(c.connectedAt));
      cell(row, fmt(c.subscriptions), 'num');
      cell(row, fmt(c.inflight), 'num');
      cell(row, fmt(c.lag), 'num lag');
      button(row, 'Disconnect', () => api('/clients/' + encodeURIComponent(c.clientId), 'DELETE'));
    }
  }

  async function sessions() {
    const page = await api('/sessions?connected=false&size=500');
    $('sessions-total').textContent = '(' + page.total + ')';
    const body = $('sessions').tBodies[0];
    body.replaceChildren();
    for (const s of page.items) {
      const row = body.insertRow();
      row.dataset.clientId = s.clientId;
      cell(row, s.clientId, 'mono');
      cell(row, when(s.disconnectedAt));
      cell(row, fmt(s.subscriptions), 'num');
      cell(row, fmt(s.inflight), 'num');
      cell(row, fmt(s.lag), 'num lag');
      button(row, 'End session', () => api('/sessions/' + encodeURIComponent(s.clientId), 'DELETE'));
    }
  }

  async function retained() {
    const filter = $('retained-filter').value || '#';
    const page = await api('/retained?limit=500&filter=' + encodeURIComponent(filter));
    $('retained-total').textContent = page.total + ' retained';
    const body = $('retained').tBodies[0];
    body.replaceChildren();
    for (const m of page.items) {
      const row = body.insertRow();
      row.dataset.topic = m.topic;
      cell(row, m.topic, 'mono');
      cell(row, m.encoding === 'text' ? m.payload : '(binary, base64) ' + m.payload, 'mono');
      cell(row, fmt(m.bytes), 'num');
      cell(row, m.qos, 'num');
      cell(row, when(m.timestamp));
      button(row, 'Clear', () => api('/retained?topic=' + encodeURIComponent(m.topic), 'DELETE'));
    }
  }

  async function logView() {
    const l = await api('/log');
    const body = $('log').tBodies[0];
    body.replaceChildren();
    const rows = [
      ['Offsets', fmt(l.startOffset) + ' to ' + fmt(l.endOffset)], ['Records', fmt(l.records)],
      ['Size', bytes(l.bytes)], ['Segments', fmt(l.segments)],
      ['Oldest record', when(l.oldestTimestamp)], ['Newest record', when(l.newestTimestamp)],
      ['Forces (fsync)', fmt(l.flushes)], ['Recovery at start', l.recovery]];
    for (const [k, v] of rows) {
      const row = body.insertRow();
      cell(row, k);
      cell(row, v, 'mono');
    }
  }

  const views = { clients, sessions, retained, log: logView };

  async function poll() {
    try {
      overview(await api('/overview'));
      if (views[view]) await views[view]();
      showError(null);
    } catch (e) {
      showError(e);
    }
  }

  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => {
      view = b.dataset.view;
      document.querySelectorAll('.tabs button').forEach(x => x.classList.toggle('active', x === b));
      document.querySelectorAll('.view').forEach(v => v.classList.toggle('active', v.id === 'view-' + view));
      poll();
    });
  }
  $('clients-prefix').addEventListener('input', poll);
  $('retained-filter').addEventListener('change', poll);
  poll();
  setInterval(poll, POLL_MS);
})();
