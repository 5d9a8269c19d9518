// WEB TEST RIG browser side (test and development tool, not a product mode): implements the same `window.api` the
// Electron preload exposes (see src-shared/contract/bridge.ts), over fetch and an EventSource. Authentication is the
// HttpOnly cookie the rig set at /__rig/enter; the page script never sees the token.
(function () {
  'use strict';
  var listeners = new Map();
  var source = null;

  function ensureEvents() {
    if (source) return;
    source = new EventSource('/__rig/events');
    source.onmessage = function (message) {
      var data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      var set = listeners.get(data.name);
      if (set) set.forEach(function (listener) { listener(data.payload); });
    };
  }

  window.api = Object.freeze({
    invoke: function (channel, input) {
      return fetch('/__rig/invoke/' + encodeURIComponent(channel), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: input === undefined ? '' : JSON.stringify(input),
        credentials: 'same-origin',
      })
        .then(function (response) { return response.json(); })
        .catch(function () {
          return { ok: false, error: { code: 'INTERNAL', message: 'The test rig did not answer.' } };
        });
    },
    on: function (name, listener) {
      ensureEvents();
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(listener);
      return function () { listeners.get(name).delete(listener); };
    },
  });
})();
