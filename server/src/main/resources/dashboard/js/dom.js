// Small DOM helpers: elements are built with text nodes only (never innerHTML with data).

/**
 * h('button', {class: 'btn', onclick: fn, disabled: true}, 'Save') builds an element.
 * Attributes: `class`, `text`, `on<event>` handlers, booleans (set when true), `dataset`, others as-is.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'text') {
      el.textContent = value;
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// --- formatting -----------------------------------------------------------------------------

const dateTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const dateTimeShort = new Intl.DateTimeFormat(undefined, {
  weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const number = new Intl.NumberFormat();
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export const fmt = {
  dateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : ''),
  when: (iso) => (iso ? dateTimeShort.format(new Date(iso)) : ''),
  time: (iso) => (iso ? timeOnly.format(new Date(iso)) : ''),
  /** "2026-11-25" as "25 Nov" (the analytics days are UTC dates). */
  day: (isoDate) => dayLabel.format(new Date(`${isoDate}T00:00:00Z`)),
  number: (n) => number.format(n),
  /** "1 chat", "2 chats", "0 chats": a count with its noun in the right number (`many` when not just +s). */
  count: (n, one, many = `${one}s`) => `${number.format(n)} ${n === 1 ? one : many}`,
  compact: (n) => (Math.abs(n) < 10000 ? number.format(Math.round(n * 100) / 100) : compact.format(n)),
  percent: (rate) => `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`,
  /** What an attempt got: "HTTP 503", or its error kind in words. */
  result(attempt) {
    if (attempt.http_status) {
      return `HTTP ${attempt.http_status}`;
    }
    const kinds = {
      timeout: 'Timed out', connect: 'Connect error', dns: 'DNS error', tls: 'TLS error', redirect: 'Redirect',
      io: 'Connection broke', blocked_target: 'Blocked address', endpoint_disabled: 'Endpoint disabled',
      endpoint_deleted: 'Endpoint deleted', http_status: 'HTTP error', relay_unavailable: 'No listener',
    };
    return kinds[attempt.error_kind] || attempt.error_kind || 'No answer';
  },
  ms: (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${number.format(ms)} ms`),
  /** "in 23 hours", "5 minutes ago". */
  relative(iso, now = Date.now()) {
    const diff = (new Date(iso).getTime() - now) / 1000;
    const abs = Math.abs(diff);
    const [value, unit] = abs < 45 ? [Math.round(diff), 'second']
      : abs < 2700 ? [Math.round(diff / 60), 'minute']
        : abs < 64800 ? [Math.round(diff / 3600), 'hour']
          : [Math.round(diff / 86400), 'day'];
    return relative.format(value, unit);
  },
};

export function shortId(id) {
  return id && id.length > 12 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

/** "https://example.com/a/very/long/path" shortened to fit a label. */
export function shortUrl(url, max = 42) {
  const u = url.replace(/^https?:\/\//, '');
  return u.length > max ? `${u.slice(0, max - 1)}…` : u;
}

/** Today's date in UTC as yyyy-mm-dd, shifted by `days`. */
export function utcDay(days = 0) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
