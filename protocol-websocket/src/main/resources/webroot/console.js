// Tributary web console: MQTT over WebSocket back to the broker that served this page.
// Plain JS on MQTT.js (webroot/vendor/mqtt.min.js, bundled into the jar at build time).
(function () {
  'use strict';

  var MAX_MESSAGES = 500;

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    status: $('status'), url: $('ws-url'), log: $('log'),
    connectForm: $('connect-form'), path: $('ws-path'), clientId: $('client-id'),
    version: $('mqtt-version'), username: $('username'), password: $('password'), clean: $('clean'),
    connect: $('connect'), disconnect: $('disconnect'),
    subscribeForm: $('subscribe-form'), filter: $('filter'), replayFrom: $('replay-from'), subQos: $('sub-qos'),
    subscribe: $('subscribe'), subscriptions: $('subscriptions'),
    publishForm: $('publish-form'), pubTopic: $('pub-topic'), pubPayload: $('pub-payload'),
    pubQos: $('pub-qos'), pubRetain: $('pub-retain'), publish: $('publish'), pubResult: $('pub-result'),
    messages: $('messages'), empty: $('messages-empty'), count: $('message-count'), clear: $('clear')
  };

  var client = null;
  var received = [];          // {time, topic, qos, retain, bytes, row}
  var subscriptions = {};     // filter -> granted QoS
  var encoder = new TextEncoder();
  var strictDecoder = new TextDecoder('utf-8', { fatal: true });

  // ---- connection ---------------------------------------------------------------------------

  function brokerUrl() {
    var path = el.path.value.trim() || '/mqtt';
    if (path.charAt(0) !== '/') path = '/' + path;
    var scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    return scheme + '://' + location.host + path;
  }

  function setStatus(state, text) {
    el.status.dataset.state = state;
    el.status.textContent = text || state;
    var connected = state === 'connected';
    el.subscribe.disabled = !connected;
    el.publish.disabled = !connected;
    el.disconnect.disabled = client === null;
    el.connect.disabled = client !== null;
  }

  function log(text) {
    el.log.textContent = clock(new Date()) + '  ' + text;
  }

  // CONNACK codes MQTT.js reports as err.code for a refused login: bad user name or password,
  // not authorized (3.1.1: 4, 5; MQTT 5: 0x86, 0x87), banned (0x8A), bad authentication method (0x8C).
  var LOGIN_REFUSED = [4, 5, 0x86, 0x87, 0x8a, 0x8c];

  function connect() {
    if (client) return;
    var url = brokerUrl();
    el.url.textContent = url;
    var options = {
      clientId: el.clientId.value.trim() || randomClientId(),
      protocolVersion: Number(el.version.value),
      clean: el.clean.checked,
      keepalive: 30,
      reconnectPeriod: 2000,
      connectTimeout: 10000
    };
    if (el.username.value) options.username = el.username.value;
    if (el.password.value) options.password = el.password.value;
    el.clientId.value = options.clientId;

    setStatus('connecting', 'connecting\u2026');
    client = mqtt.connect(url, options);
    setStatus('connecting', 'connecting\u2026');

    var first = true;
    client.on('connect', function (connack) {
      setStatus('connected');
      log('connected to ' + url + ' as ' + options.clientId +
          (connack && connack.sessionPresent ? ' (session present)' : ''));
      // MQTT.js resubscribes by itself when it reconnects; a new Connect after Disconnect
      // starts a new client, which takes over the filters listed on the page.
      if (first) {
        first = false;
        Object.keys(subscriptions).forEach(function (f) { subscribe(f, subscriptions[f]); });
      }
    });
    client.on('reconnect', function () { setStatus('connecting', 'reconnecting\u2026'); });
    client.on('offline', function () { setStatus('offline'); });
    client.on('close', function () {
      if (client && !client.connected && el.status.dataset.state === 'connected') setStatus('offline');
    });
    client.on('error', function (err) {
      var message = err && err.message ? err.message : String(err);
      if (client && LOGIN_REFUSED.indexOf(err && err.code) >= 0) {
        // Retrying with the same credentials cannot help (and the broker refuses a client id that
        // reconnects too often): stop, and let the user fill in the login fields.
        var c = client;
        client = null;
        c.end(true);
        setStatus('error', 'login refused');
        log('login refused (' + message + '): enter the user name and password, then Connect');
        el.username.focus();
        return;
      }
      setStatus('error', 'error');
      log('error: ' + message);
    });
    client.on('message', onMessage);
  }

  function disconnect() {
    if (!client) return;
    var c = client;
    client = null;
    c.end(false, {}, function () { log('disconnected'); });
    setStatus('disconnected');
  }

  function randomClientId() {
    return 'console-' + Math.random().toString(16).slice(2, 10);
  }

  // ---- subscriptions ------------------------------------------------------------------------

  function subscribe(filter, qos) {
    client.subscribe(filter, { qos: qos }, function (err, granted) {
      if (err) { log('subscribe ' + filter + ' failed: ' + err.message); return; }
      var g = granted && granted[0] ? granted[0].qos : qos;
      if (g >= 128) {
        log('subscribe ' + filter + ' refused by the broker (0x' + g.toString(16) + ')');
        delete subscriptions[filter];
      } else {
        subscriptions[filter] = g;
        log('subscribed to ' + filter + ' (QoS ' + g + ')');
      }
      renderSubscriptions();
    });
  }

  function unsubscribe(filter) {
    delete subscriptions[filter];
    renderSubscriptions();
    if (client && client.connected) {
      client.unsubscribe(filter, function (err) {
        log(err ? 'unsubscribe ' + filter + ' failed: ' + err.message : 'unsubscribed from ' + filter);
      });
    }
  }

  function renderSubscriptions() {
    el.subscriptions.textContent = '';
    Object.keys(subscriptions).sort().forEach(function (filter) {
      var li = document.createElement('li');
      li.className = 'subscription';
      li.dataset.filter = filter;
      var name = document.createElement('code');
      name.textContent = filter;
      var qos = document.createElement('span');
      qos.className = 'badge';
      qos.textContent = 'QoS ' + subscriptions[filter];
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link';
      remove.textContent = 'unsubscribe';
      remove.addEventListener('click', function () { unsubscribe(filter); });
      li.append(name, qos, remove);
      el.subscriptions.appendChild(li);
    });
  }

  // ---- messages -----------------------------------------------------------------------------

  function payloadFormat() {
    return document.querySelector('input[name="payload-format"]:checked').value;
  }

  function toHex(bytes) {
    var out = new Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) out[i] = (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return out.join(' ');
  }

  function renderPayload(cell, bytes) {
    cell.classList.remove('binary', 'hex', 'empty-payload');
    if (bytes.length === 0) {
      cell.textContent = '(empty)';
      cell.classList.add('empty-payload');
      return;
    }
    if (payloadFormat() === 'hex') {
      cell.textContent = toHex(bytes);
      cell.classList.add('hex');
      return;
    }
    try {
      cell.textContent = strictDecoder.decode(bytes);
    } catch (e) {
      // Not UTF-8: show the bytes rather than replacement characters.
      cell.textContent = toHex(bytes);
      cell.classList.add('hex', 'binary');
    }
  }

  function onMessage(topic, payload, packet) {
    var bytes = payload instanceof Uint8Array ? payload : encoder.encode(String(payload));
    var m = { time: new Date(), topic: topic, qos: packet.qos, retain: !!packet.retain, bytes: bytes };

    var row = document.createElement('tr');
    row.className = 'message';
    row.dataset.topic = topic;
    row.appendChild(cell('time', clock(m.time)));
    row.appendChild(cell('topic', topic));
    row.appendChild(cell('qos', String(m.qos)));
    row.appendChild(cell('retain', m.retain ? 'retained' : ''));
    var p = cell('payload', '');
    renderPayload(p, bytes);
    row.appendChild(p);
    m.row = row;

    received.push(m);
    el.messages.insertBefore(row, el.messages.firstChild);   // newest first
    while (received.length > MAX_MESSAGES) {
      var old = received.shift();
      old.row.remove();
    }
    updateCount();
  }

  function clock(d) {
    var two = function (n) { return String(n).padStart(2, '0'); };
    return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) + '.' +
        String(d.getMilliseconds()).padStart(3, '0');
  }

  function cell(cls, text) {
    var td = document.createElement('td');
    td.className = cls;
    td.textContent = text;
    return td;
  }

  function updateCount() {
    el.count.textContent = String(received.length);
    el.empty.hidden = received.length > 0;
  }

  function rerenderPayloads() {
    received.forEach(function (m) { renderPayload(m.row.querySelector('.payload'), m.bytes); });
  }

  // ---- publish ------------------------------------------------------------------------------

  function publish() {
    var topic = el.pubTopic.value.trim();
    if (!topic) { el.pubResult.textContent = 'topic required'; el.pubTopic.focus(); return; }
    var qos = Number(el.pubQos.value);
    var retain = el.pubRetain.checked;
    el.pubResult.textContent = 'publishing\u2026';
    client.publish(topic, el.pubPayload.value, { qos: qos, retain: retain }, function (err) {
      el.pubResult.textContent = err ? 'failed: ' + err.message
          : 'published to ' + topic + (qos > 0 ? ' (acknowledged)' : '');
      el.pubResult.dataset.result = err ? 'error' : 'ok';
    });
  }

  // ---- wiring -------------------------------------------------------------------------------

  el.connectForm.addEventListener('submit', function (e) { e.preventDefault(); connect(); });
  el.disconnect.addEventListener('click', disconnect);
  el.path.addEventListener('input', function () { el.url.textContent = brokerUrl(); });
  el.subscribeForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var filter = el.filter.value.trim();
    // A "from" replays the log's history first: the broker reads $replay/{from}/{filter} as
    // filter, with the records from that point (earliest, an offset, a time, PT10M) before live ones.
    var from = el.replayFrom.value.trim();
    if (filter && from) filter = '$replay/' + from + '/' + filter;
    if (filter && client && client.connected) subscribe(filter, Number(el.subQos.value));
  });
  el.publishForm.addEventListener('submit', function (e) {
    e.preventDefault();
    if (client && client.connected) publish();
  });
  document.querySelectorAll('input[name="payload-format"]').forEach(function (r) {
    r.addEventListener('change', rerenderPayloads);
  });
  el.clear.addEventListener('click', function () {
    received = [];
    el.messages.textContent = '';
    updateCount();
  });

  var params = new URLSearchParams(location.search);
  if (params.get('path')) el.path.value = params.get('path');
  el.clientId.value = params.get('clientId') || randomClientId();
  el.url.textContent = brokerUrl();
  updateCount();
  setStatus('disconnected');

  if (typeof mqtt === 'undefined') {
    setStatus('error', 'MQTT.js missing');
    log('vendor/mqtt.min.js did not load');
    el.connect.disabled = true;
  } else if (params.get('connect') !== '0') {
    connect();
  }
})();
