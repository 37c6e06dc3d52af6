// Deliveries: the attempt log, with new rows streamed in as they are logged (server-sent events;
// polled every 2 s while the stream is down), filters, and a details view per attempt: the event
// payload, the request headers sent, every attempt, resend and recover.
import * as api from './api.js';
import * as livestream from './livestream.js';
import { h, clear, fmt, shortId, shortUrl } from './dom.js';
import {
  announce, busy, emptyState, errorSlot, pageHeader, showError, spinner, toast,
} from './ui.js';

const POLL_MS = 2000;
const PAGE = 50;
/** Error kinds of attempts that made no request. */
const NOT_SENT = new Set(['endpoint_disabled', 'endpoint_deleted', 'plan_without_webhooks']);
const OUTCOMES = { delivered: 'Delivered', retry: 'Will retry', failed: 'Failed' };

export function mount(root) {
  let alive = true;
  let live = true;
  let generation = 0;
  let timer = null;
  let attempts = [];
  let nextCursor = null;
  let firstLoad = true;
  // 'stream' while the live stream is up; 'poll' before it opens and whenever it is down.
  let mode = 'poll';
  let stream = null;
  let newestKnown = null; // the newest attempt id seen: where a stream resumes
  let pending = [];
  let flushTimer = null;
  const seen = new Set();
  const events = new Map(); // event id -> {event, test, chatbot_id}
  const endpoints = new Map(); // endpoint id -> endpoint
  const chatbots = [];

  root.append(pageHeader('Deliveries',
    'Every attempt to deliver an event to one of your endpoints, newest first. New attempts appear here as they happen.'));

  const chatbotSel = h('select', { id: 'filter-chatbot', name: 'chatbot_id' }, h('option', { value: '', text: 'All chatbots' }));
  const endpointSel = h('select', { id: 'filter-endpoint', name: 'endpoint_id' }, h('option', { value: '', text: 'All endpoints' }));
  const statusSel = h('select', { id: 'filter-status', name: 'outcome' },
    h('option', { value: '', text: 'Any status' }),
    Object.entries(OUTCOMES).map(([v, label]) => h('option', { value: v, text: label })));
  const eventSel = h('select', { id: 'filter-event', name: 'event' },
    h('option', { value: '', text: 'All events' }),
    api.EVENT_TYPES.map((t) => h('option', { value: t, text: t })));
  const liveBtn = h('button', { type: 'button', class: 'btn btn-small live-toggle', 'aria-pressed': 'true' });
  const liveText = h('span', { class: 'live-text', id: 'live-status' });
  const pollError = h('p', { class: 'error', role: 'alert', hidden: true });
  const filters = h('form', { class: 'filters card', 'aria-label': 'Filter the delivery log' },
    field('Chatbot', chatbotSel),
    field('Endpoint', endpointSel),
    field('Status', statusSel),
    field('Event', eventSel));
  const liveBar = h('div', { class: 'live-bar' }, h('span', { class: 'live-dot', 'aria-hidden': 'true' }), liveText, liveBtn);
  const list = h('ol', { class: 'log', id: 'delivery-log', 'aria-label': 'Attempt log', 'aria-busy': 'true' });
  const listArea = h('div', { class: 'log-area' }, spinner('Loading the delivery log…'));
  const more = h('button', { type: 'button', class: 'btn', id: 'load-older', text: 'Load older attempts', hidden: true });
  root.append(filters, liveBar, pollError, listArea, h('div', { class: 'more' }, more));

  const paintLive = (updatedAt) => {
    liveBtn.textContent = live ? 'Pause' : 'Resume';
    liveBtn.setAttribute('aria-pressed', String(live));
    liveBtn.setAttribute('aria-label', live ? 'Pause live updates' : 'Resume live updates');
    liveBar.classList.toggle('is-paused', !live);
    liveBar.dataset.mode = live ? mode : 'paused';
    const how = mode === 'stream' ? 'streaming' : 'polling every 2 s';
    if (!live) {
      liveText.textContent = 'Paused: new attempts are not loaded.';
    } else if (updatedAt) {
      liveText.textContent = `Live (${how}) · updated ${fmt.time(updatedAt)}`;
    } else {
      liveText.textContent = `Live (${how})`;
    }
  };
  paintLive();
  liveBtn.addEventListener('click', () => {
    live = !live;
    paintLive();
    announce(live ? 'Live updates resumed' : 'Live updates paused');
    if (live) {
      schedule(0);
    } else {
      stopStream();
    }
  });

  const query = () => ({
    chatbot_id: chatbotSel.value, endpoint_id: endpointSel.value, outcome: statusSel.value, event: eventSel.value,
  });
  const restart = () => {
    stopStream();
    generation += 1;
    attempts = [];
    seen.clear();
    nextCursor = null;
    firstLoad = true;
    clear(listArea).append(spinner('Loading…'));
    schedule(0);
  };
  chatbotSel.addEventListener('change', () => {
    fillEndpoints();
    restart();
  });
  for (const sel of [endpointSel, statusSel, eventSel]) {
    sel.addEventListener('change', restart);
  }
  filters.addEventListener('submit', (e) => e.preventDefault());

  function fillEndpoints() {
    const bot = chatbotSel.value;
    const current = endpointSel.value;
    clear(endpointSel).append(h('option', { value: '', text: 'All endpoints' }));
    for (const e of endpoints.values()) {
      if (!bot || e.chatbot_id === bot) {
        endpointSel.append(h('option', { value: e.id, text: shortUrl(e.url, 48) }));
      }
    }
    endpointSel.value = [...endpointSel.options].some((o) => o.value === current) ? current : '';
  }

  function schedule(ms = POLL_MS) {
    clearTimeout(timer);
    if (alive) {
      timer = setTimeout(poll, ms);
    }
  }

  async function poll() {
    if (!alive) {
      return;
    }
    if (mode === 'stream' && !firstLoad) {
      return; // the stream brings new attempts
    }
    if (!live || document.hidden) {
      schedule();
      return;
    }
    const gen = generation;
    try {
      const page = await api.get(api.withQuery('/v1/attempts', { ...query(), limit: PAGE }));
      if (gen !== generation || !alive) {
        return;
      }
      const fresh = page.data.filter((a) => !seen.has(a.id));
      fresh.forEach((a) => seen.add(a.id));
      page.data.forEach((a) => known(a.id));
      await describeEvents(fresh);
      if (gen !== generation || !alive) {
        return;
      }
      if (firstLoad) {
        attempts = page.data;
        nextCursor = page.next_cursor || null;
        firstLoad = false;
        renderAll();
      } else if (fresh.length) {
        attempts = [...fresh, ...attempts];
        prepend(fresh);
        announce(`${fmt.count(fresh.length, 'new attempt')} in the log`);
      }
      showError(pollError, null);
      paintLive(new Date().toISOString());
      if (!stream && live) {
        startStream();
      }
    } catch (e) {
      if (gen === generation) {
        showError(pollError, e, 'The log could not be refreshed (retrying every 2 seconds)');
        if (firstLoad) {
          clear(listArea);
        }
      }
    }
    schedule();
  }

  function known(id) {
    if (!newestKnown || id > newestKnown) {
      newestKnown = id;
    }
  }

  /** Opens the live stream for the current filters; polling stops while it is up. */
  function startStream() {
    const gen = generation;
    stream = livestream.follow(api.withQuery('/v1/attempts/stream', query()), {
      position: () => newestKnown,
      onAttempt: (a) => {
        if (gen === generation && alive && !seen.has(a.id)) {
          seen.add(a.id);
          known(a.id);
          pending.push(a);
          flushTimer = flushTimer || setTimeout(flush, 100);
        }
      },
      onState: (state) => {
        if (gen !== generation || !alive) {
          return;
        }
        if (state === 'streaming') {
          mode = 'stream';
          clearTimeout(timer);
          showError(pollError, null);
          paintLive(new Date().toISOString());
        } else if (mode === 'stream') {
          // Down: poll until the stream is back (it reconnects by itself, resuming where it was).
          mode = 'poll';
          paintLive();
          schedule(0);
        }
      },
    });
  }

  function stopStream() {
    if (stream) {
      stream.close();
      stream = null;
    }
    mode = 'poll';
    clearTimeout(flushTimer);
    flushTimer = null;
    pending = [];
  }

  /** Adds the attempts streamed in the last moment at once (a burst comes as one update). */
  async function flush() {
    flushTimer = null;
    const gen = generation;
    // The stream sends oldest first; the log shows newest first.
    const fresh = pending.reverse();
    pending = [];
    await describeEvents(fresh);
    if (gen !== generation || !alive || fresh.length === 0) {
      return;
    }
    attempts = [...fresh, ...attempts];
    prepend(fresh);
    announce(`${fmt.count(fresh.length, 'new attempt')} in the log`);
    paintLive(new Date().toISOString());
  }

  /** Learns the type of events not seen before (the attempt log names only the event id). */
  async function describeEvents(rows) {
    const unknown = [...new Set(rows.map((a) => a.event_id).filter((id) => !events.has(id)))];
    if (unknown.length === 0) {
      return;
    }
    try {
      if (unknown.length > 3) {
        const page = await api.get(api.withQuery('/v1/events', { chatbot_id: chatbotSel.value, limit: 200 }));
        page.data.forEach((e) => events.set(e.id, e));
      }
      await Promise.all(unknown.filter((id) => !events.has(id)).slice(0, 12).map(async (id) => {
        events.set(id, await api.get(`/v1/events/${api.enc(id)}`));
      }));
    } catch {
      // Rows then show the event id only; the details view loads the event itself.
    }
  }

  function renderAll() {
    list.setAttribute('aria-busy', 'false');
    clear(list);
    attempts.forEach((a) => list.append(row(a, false)));
    clear(listArea);
    if (attempts.length === 0) {
      const filtered = Object.values(query()).some(Boolean);
      listArea.append(h('div', { class: 'card' }, filtered
        ? emptyState('No attempts match these filters', 'Change or clear the filters above. New attempts that match appear here by themselves.',
          h('button', { type: 'button', class: 'btn', text: 'Clear filters', onclick: () => { for (const sel of [chatbotSel, endpointSel, statusSel, eventSel]) { sel.value = ''; } fillEndpoints(); restart(); } }))
        : emptyState('No deliveries yet',
          'Add an endpoint in Settings → Webhooks and press "Send test event": the attempt shows up here within seconds. Events your chatbots send appear here too.',
          h('a', { class: 'btn btn-primary', href: '#/webhooks', text: 'Go to Webhooks' }))));
      // The list stays in the page (empty) so that the first attempt can be added to it.
      listArea.append(list);
      list.hidden = true;
    } else {
      list.hidden = false;
      listArea.append(list);
    }
    more.hidden = !nextCursor;
  }

  function prepend(fresh) {
    if (list.hidden) {
      renderAll();
      list.querySelectorAll('.log-row').forEach((r) => r.classList.add('is-new'));
      return;
    }
    const rows = fresh.map((a) => row(a, true));
    list.prepend(...rows);
  }

  more.addEventListener('click', () => busy(more, async () => {
    const gen = generation;
    const page = await api.get(api.withQuery('/v1/attempts', { ...query(), limit: PAGE, cursor: nextCursor }));
    if (gen !== generation) {
      return;
    }
    const older = page.data.filter((a) => !seen.has(a.id));
    older.forEach((a) => seen.add(a.id));
    await describeEvents(older);
    attempts = [...attempts, ...older];
    older.forEach((a) => list.append(row(a, false)));
    nextCursor = page.next_cursor || null;
    more.hidden = !nextCursor;
    announce(`${fmt.count(older.length, 'older attempt')} loaded`);
  }));

  function row(a, isNew) {
    const ev = events.get(a.event_id);
    const ep = endpoints.get(a.endpoint_id);
    const result = fmt.result(a);
    const button = h('button', {
      type: 'button', class: `log-row outcome-${a.outcome}${isNew ? ' is-new' : ''}`, 'aria-haspopup': 'dialog',
      dataset: { attemptId: a.id, eventId: a.event_id },
    },
    h('span', { class: `badge ${badgeClass(a.outcome)} log-outcome`, text: OUTCOMES[a.outcome] || a.outcome }),
    h('span', { class: 'log-event' },
      h('span', { class: 'log-type', text: ev ? ev.event : 'event' }),
      ev && ev.test ? h('span', { class: 'tag', text: 'test' }) : null,
      h('span', { class: 'log-id mono', text: shortId(a.event_id) })),
    h('span', { class: 'log-url mono', text: shortUrl(ep ? ep.url : a.url, 44), title: a.url }),
    h('span', { class: 'log-result', text: result }),
    h('span', { class: 'log-latency', text: fmt.ms(a.latency_ms) }),
    h('time', { class: 'log-time', datetime: a.started_at, title: fmt.dateTime(a.started_at), text: timeLabel(a.started_at) }),
    h('span', { class: 'visually-hidden', text: `, attempt ${a.attempt_number}. Open details.` }));
    button.addEventListener('click', () => openDetails(a, { events, endpoints, onClose: () => button.focus() }));
    return h('li', {}, button);
  }

  // Filter choices: the account's chatbots and their endpoints.
  (async () => {
    try {
      const page = await api.get('/v1/chatbots');
      chatbots.push(...page.data);
      page.data.forEach((b) => chatbotSel.append(h('option', { value: b.id, text: b.name })));
      const lists = await Promise.all(page.data.map((b) => api.get(`/v1/chatbots/${api.enc(b.id)}/endpoints`)));
      lists.forEach((l) => l.data.forEach((e) => endpoints.set(e.id, e)));
      fillEndpoints();
    } catch (e) {
      toast(`Could not load the filter choices: ${e.message}`, 'error');
    }
  })();

  const onVisible = () => {
    if (!document.hidden) {
      schedule(0);
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  schedule(0);
  return () => {
    alive = false;
    clearTimeout(timer);
    stopStream();
    document.removeEventListener('visibilitychange', onVisible);
    document.querySelectorAll('dialog.details').forEach((d) => d.close());
  };
}

function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id, text: label }), control);
}

function badgeClass(status) {
  return { delivered: 'badge-ok', retry: 'badge-warn', pending: 'badge-warn', failed: 'badge-bad' }[status] || 'badge-off';
}

function timeLabel(iso) {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? fmt.time(iso) : fmt.dateTime(iso);
}

// --- details ----------------------------------------------------------------------------------

function openDetails(attempt, { endpoints, onClose }) {
  const close = h('button', { type: 'button', class: 'btn btn-quiet dialog-close', 'aria-label': 'Close details', text: '×' });
  const body = h('div', { class: 'details-body' }, spinner('Loading the event…'));
  const title = h('h2', { id: 'details-title', text: 'Delivery details' });
  const dialog = h('dialog', { class: 'details', 'aria-labelledby': 'details-title' },
    h('header', { class: 'details-head' }, title, close), body);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) {
      dialog.close(); // a click on the backdrop
    }
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();

  let selected = attempt;
  const load = async () => {
    try {
      const [event, deliveries] = await Promise.all([
        api.get(`/v1/events/${api.enc(attempt.event_id)}`, { raw: true }),
        api.get(`/v1/events/${api.enc(attempt.event_id)}/deliveries`),
      ]);
      if (!dialog.open) {
        return;
      }
      const ev = event.json;
      title.textContent = `${ev.test ? 'Test event' : 'Event'} · ${ev.event}`;
      // The delivery of the row that was opened comes first.
      const list = [...deliveries.data].sort((x, y) => Number(y.endpoint_id === attempt.endpoint_id) - Number(x.endpoint_id === attempt.endpoint_id));
      render(ev, rawPayload(event.text), list);
    } catch (e) {
      clear(body).append(h('p', { class: 'error', role: 'alert', text: `Could not load this event: ${e.message}` }));
    }
  };

  function render(ev, raw, deliveries) {
    clear(body);
    const headersBox = h('div', { class: 'headers-box' });
    body.append(
      h('dl', { class: 'facts' },
        fact('Event id', h('span', { class: 'mono', text: ev.id })),
        fact('Type', ev.event + (ev.test ? ' (test event)' : '')),
        fact('Chatbot', h('span', { class: 'mono', text: ev.chatbot_id })),
        fact('Received', h('time', { datetime: ev.created_at, text: fmt.dateTime(ev.created_at) }))),
      h('section', { class: 'details-section', 'aria-labelledby': 'headers-title' },
        h('h3', { id: 'headers-title', text: 'Request headers sent' }),
        headersBox),
      h('section', { class: 'details-section', 'aria-labelledby': 'attempts-title' },
        h('h3', { id: 'attempts-title', text: 'Deliveries and attempts' }),
        deliveries.length ? deliveries.map((d) => deliveryBlock(d)) : h('p', { class: 'muted', text: 'This event has no deliveries (no enabled endpoint was subscribed to it).' })),
      h('section', { class: 'details-section', 'aria-labelledby': 'payload-title' },
        h('h3', { id: 'payload-title', text: 'Payload' }),
        h('pre', { class: 'code payload', tabindex: '0', 'aria-label': 'Event payload', text: pretty(raw) })));
    paintHeaders(headersBox, ev);

    function deliveryBlock(d) {
      const ep = endpoints.get(d.endpoint_id);
      const error = errorSlot();
      const resend = h('button', { type: 'button', class: 'btn btn-small resend', text: 'Resend' });
      const since = h('input', { type: 'datetime-local', id: `since-${d.id}`, value: localInput(Date.now() - 24 * 3600 * 1000), step: 60 });
      const recover = h('button', { type: 'submit', class: 'btn btn-small', text: 'Recover' });
      const recoverForm = h('form', { class: 'recover' },
        h('label', { for: since.id, text: 'Recover failed since' }), since, recover);
      resend.addEventListener('click', () => busy(resend, async () => {
        const r = await api.post(`/v1/events/${api.enc(ev.id)}/resend`, { endpoint_id: d.endpoint_id });
        toast(`Resending: delivery ${shortId(r.delivery_id)} is ${r.status}. The new attempt appears in the log.`);
        setTimeout(load, 1500);
      }, error));
      recoverForm.addEventListener('submit', (e) => {
        e.preventDefault();
        if (!since.value) {
          showError(error, { message: 'Choose the time from which to recover failed deliveries.' });
          return;
        }
        busy(recover, async () => {
          const r = await api.post(`/v1/endpoints/${api.enc(d.endpoint_id)}/recover`, { since: new Date(since.value).toISOString() });
          toast(r.recovered === 0
            ? 'No failed deliveries of this endpoint since then: nothing to recover.'
            : `${fmt.count(r.recovered, 'failed delivery', 'failed deliveries')} ${r.recovered === 1 ? 'was' : 'were'} put back on the schedule.`);
        }, error);
      });
      return h('article', { class: 'delivery', dataset: { deliveryId: d.id } },
        h('header', { class: 'delivery-head' },
          h('span', { class: `badge ${badgeClass(d.status)}`, text: d.status }),
          h('code', { class: 'endpoint-url', text: ep ? ep.url : d.endpoint_id }),
          h('span', { class: 'muted small', text: `${fmt.count(d.attempt_count, 'attempt')}${d.next_attempt_at ? ` · next ${fmt.relative(d.next_attempt_at)}` : ''}` })),
        d.attempts.length ? attemptsTable(d.attempts, `Attempts to ${ep ? ep.url : d.endpoint_id}`) : h('p', { class: 'muted', text: 'Not attempted yet.' }),
        h('div', { class: 'delivery-actions' }, resend, recoverForm),
        error);
    }

    function attemptsTable(list, label) {
      return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label }, h('table', { class: 'attempts' },
        h('thead', {}, h('tr', {}, ['#', 'Started', 'Status', 'Latency', 'Response'].map((c) => h('th', { scope: 'col', text: c })),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Headers' })))),
        h('tbody', {}, list.map((a) => {
          const show = h('button', {
            type: 'button', class: 'btn btn-small btn-quiet', text: 'Headers', 'aria-pressed': String(a.id === selected.id),
            'aria-label': `Show the headers of attempt ${a.attempt_number}`,
          });
          show.addEventListener('click', () => {
            selected = a;
            body.querySelectorAll('table.attempts button[aria-pressed]').forEach((b) => b.setAttribute('aria-pressed', 'false'));
            show.setAttribute('aria-pressed', 'true');
            paintHeaders(body.querySelector('.headers-box'), ev);
          });
          return h('tr', { class: a.id === attempt.id ? 'is-current' : null },
            h('td', { text: a.attempt_number }),
            h('td', {}, h('time', { datetime: a.started_at, text: fmt.dateTime(a.started_at) })),
            h('td', {}, h('span', { class: `badge ${badgeClass(a.outcome)}`, text: fmt.result(a) }),
              a.error_message ? h('span', { class: 'muted small block', text: a.error_message }) : null),
            h('td', { text: fmt.ms(a.latency_ms) }),
            h('td', {}, a.response_body
              ? h('details', {}, h('summary', { text: fmt.count(a.response_body.length, 'char') }), h('pre', { class: 'code', text: a.response_body }))
              : h('span', { class: 'muted', text: 'empty' })),
            h('td', {}, show));
        }))));
    }
  }

  function paintHeaders(box, ev) {
    const a = selected;
    // What the attempt recorded when it was sent: signatures are never recomputed here, since the
    // secrets may have been rotated since (the request then carried other signatures).
    const recorded = a.request_headers && Object.keys(a.request_headers).length ? a.request_headers : null;
    const rows = recorded ? Object.entries(recorded) : [
      ['x-chat-data-topic', ev.event],
      ['webhook-id', ev.id],
      ['webhook-timestamp', String(Math.floor(new Date(a.started_at).getTime() / 1000))],
    ];
    let note;
    if (recorded) {
      note = 'As sent with this attempt; signatures are shown shortened to their first characters (one per secret in use at the time).';
    } else if (NOT_SENT.has(a.error_kind)) {
      note = 'No request was made in this attempt.';
    } else {
      note = 'This attempt was logged before Chatwire recorded the headers it sent: its content type and signatures are not known.';
    }
    clear(box).append(
      h('p', { class: 'small' }, `Attempt ${a.attempt_number}: POST `, h('code', { text: a.url })),
      h('pre', { class: 'code headers', tabindex: '0', 'aria-label': 'Request headers', text: rows.map(([n, v]) => `${n}: ${v}`).join('\n') }),
      h('p', { class: 'muted small headers-note', text: note }));
  }

  load();
}

function fact(term, value) {
  return h('div', {}, h('dt', { text: term }), h('dd', {}, value));
}

/** The payload exactly as stored: the raw text after "payload": in the event's JSON. */
function rawPayload(text) {
  const at = text.indexOf('"payload":');
  return at < 0 ? '{}' : text.slice(at + 10, text.lastIndexOf('}'));
}

function pretty(raw) {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

function localInput(ms) {
  const d = new Date(ms);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}
