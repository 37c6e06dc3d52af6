// Follows the attempt log over server-sent events (GET /v1/attempts/stream), read with fetch() so
// that the API key travels in the Authorization header like on every other call. Reconnects by
// itself, resuming with Last-Event-ID; tells the caller when it streams and when it cannot, so that
// the caller polls meanwhile.
import * as api from './api.js';

const RETRY_MS = [1000, 2000, 5000, 15000, 30000];

/**
 * Starts following. `position()` gives the position to resume from (the newest attempt id known);
 * `onAttempt(a)` gets each attempt; `onState('streaming' | 'down', error)` tells whether the stream is
 * up. Answers `{ close() }`.
 */
export function follow(path, { position, onAttempt, onState }) {
  const controller = new AbortController();
  let stopped = false;
  let last = null;

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const from = newest(last, position());
        const response = await api.openStream(path, { lastEventId: from, signal: controller.signal });
        // Up once the first bytes (the server's opening comment) arrive, not at the headers: a proxy
        // that buffers the body would otherwise leave the page waiting for events that never come.
        await readEvents(response.body, () => {
          failures = 0;
          onState('streaming');
        }, (event) => {
          if (event.id) {
            last = newest(last, event.id);
          }
          if (event.event === 'attempt' && event.data) {
            onAttempt(JSON.parse(event.data));
          }
        });
        if (!stopped) {
          failures += 1; // a server stopping, or a proxy cutting streams: retry, slower if it repeats
          onState('down', new Error('The live stream ended.'));
        }
      } catch (e) {
        if (stopped || e.name === 'AbortError') {
          return;
        }
        failures += 1;
        onState('down', e);
        if (e.status === 401) {
          return; // signed out: the shell shows the sign-in form
        }
      }
      await wait(RETRY_MS[Math.min(failures, RETRY_MS.length - 1)], controller.signal);
    }
  };
  run();
  return {
    close() {
      stopped = true;
      controller.abort();
    },
  };
}

/** The later of two positions (attempt ids sort by time); either may be missing. */
function newest(a, b) {
  if (!a) {
    return b || null;
  }
  return b && b > a ? b : a;
}

function wait(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/**
 * Reads a text/event-stream body, calling `onOpen()` when the first bytes arrive and
 * `onEvent({event, id, data})` per event, until it ends.
 */
async function readEvents(body, onOpen, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { event: 'message', id: null, data: '' };
  let opened = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    if (!opened) {
      opened = true;
      onOpen();
    }
    buffer += value;
    let end = buffer.search(/\r?\n/);
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === '\r' ? end + 2 : end + 1);
      if (line === '') {
        if (event.data) {
          onEvent(event);
        }
        event = { event: 'message', id: null, data: '' };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data = event.data ? `${event.data}\n${value}` : value;
        } else if (field === 'event') {
          event.event = value;
        } else if (field === 'id') {
          event.id = value;
        }
      }
      end = buffer.search(/\r?\n/);
    }
  }
}
