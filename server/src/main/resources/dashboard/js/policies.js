// An endpoint's own delivery policy in the add/edit form: rate limit, retry schedule, timeout and
// static headers (docs/policies.md). Empty fields mean Chatwire's defaults. Header values are
// write-only: the API lists names only, so the form offers to replace or remove a stored header,
// never to show it.
import { h, fmt, uid } from './dom.js';

/**
 * The policy part of the endpoint form. `fields.el` goes into the form; `fields.values()` gives the
 * members to send, or throws an Error with a message for the form's error slot. On an edit, only
 * what changed is sent (a cleared field as null, a removed header as null).
 */
export function policyFields(initial) {
  const id = uid('policy');
  const rate = h('input', {
    id: `${id}-rate`, name: 'rate_limit', type: 'text', inputmode: 'numeric', autocomplete: 'off',
    value: initial.rate_limit ?? '', placeholder: 'No limit', 'aria-describedby': `${id}-rate-help`,
  });
  const schedule = h('input', {
    id: `${id}-retries`, name: 'retry_schedule', type: 'text', autocomplete: 'off', spellcheck: 'false',
    value: initial.retry_schedule ? (initial.retry_schedule.length ? initial.retry_schedule.join(', ') : 'none') : '',
    placeholder: 'Chatwire\'s default', 'aria-describedby': `${id}-retries-help`,
  });
  const timeout = h('input', {
    id: `${id}-timeout`, name: 'timeout', type: 'text', autocomplete: 'off', spellcheck: 'false',
    value: initial.timeout ?? '', placeholder: 'Chatwire\'s default', 'aria-describedby': `${id}-timeout-help`,
  });

  const stored = new Set(initial.headers || []);
  const removed = new Set();
  const storedList = h('ul', { class: 'policy-headers', 'aria-label': 'Stored headers' });
  const paintStored = () => {
    storedList.replaceChildren(...[...stored].map((name) => {
      const gone = removed.has(name);
      const toggle = h('button', {
        type: 'button', class: 'btn btn-small remove-header', text: gone ? 'Keep' : 'Remove',
        'aria-label': `${gone ? 'Keep' : 'Remove'} header ${name}`,
      });
      toggle.addEventListener('click', () => {
        if (gone) {
          removed.delete(name);
        } else {
          removed.add(name);
        }
        paintStored();
        storedList.querySelector(`[aria-label$=" ${CSS.escape(name)}"]`)?.focus();
      });
      return h('li', { class: gone ? 'is-removed' : '', dataset: { header: name } },
        h('code', { text: name }), ' ', h('span', { class: 'muted small', text: gone ? 'removed on save' : 'value hidden' }), ' ', toggle);
    }));
    storedList.hidden = stored.size === 0;
  };
  paintStored();

  const rows = h('div', { class: 'policy-new-headers' });
  const addRow = () => {
    const n = uid('hdr');
    const name = h('input', {
      id: `${n}-name`, type: 'text', class: 'header-name', autocomplete: 'off', spellcheck: 'false', placeholder: 'Authorization',
    });
    const value = h('input', {
      id: `${n}-value`, type: 'password', class: 'header-value', autocomplete: 'new-password', spellcheck: 'false',
      placeholder: 'Bearer …',
    });
    const row = h('div', { class: 'inline-fields policy-header-row' },
      h('div', { class: 'field' }, h('label', { for: name.id, text: 'Header name' }), name),
      h('div', { class: 'field' }, h('label', { for: value.id, text: 'Value' }), value),
      h('button', { type: 'button', class: 'btn btn-small', text: 'Remove', 'aria-label': 'Remove this new header', onclick: () => { row.remove(); addBtn.focus(); } }));
    rows.append(row);
    name.focus();
  };
  const addBtn = h('button', { type: 'button', class: 'btn btn-small add-header', text: 'Add header', onclick: addRow });

  const el = h('details', { class: 'field endpoint-policy', open: hasPolicy(initial) },
    h('summary', { text: 'Delivery policy (optional)' }),
    h('div', { class: 'field' },
      h('label', { for: rate.id, text: 'Rate limit (requests per second)' }), rate,
      h('p', { class: 'help', id: `${id}-rate-help`, text: 'Events beyond it wait their turn; none is dropped. Chatwire also slows down when your server answers 429 with Retry-After.' })),
    h('div', { class: 'field' },
      h('label', { for: schedule.id, text: 'Retry schedule' }), schedule,
      h('p', { class: 'help', id: `${id}-retries-help`, text: 'Pauses before each retry, e.g. 5s, 1m, 30m (units ms, s, m, h, d); "none" for a single attempt.' })),
    h('div', { class: 'field' },
      h('label', { for: timeout.id, text: 'Timeout per attempt' }), timeout,
      h('p', { class: 'help', id: `${id}-timeout-help`, text: 'e.g. 5s. An attempt without an answer by then is retried.' })),
    h('fieldset', { class: 'field' },
      h('legend', { text: 'Static headers' }),
      h('p', { class: 'help', text: 'Sent with every delivery, e.g. your server\'s own token. Values are stored encrypted and never shown again.' }),
      storedList, rows, h('div', {}, addBtn)));

  const values = () => {
    const out = {};
    const rateText = rate.value.trim();
    if (rateText) {
      if (!/^\d+$/.test(rateText)) {
        throw fieldError(rate, 'The rate limit is a whole number of requests per second.');
      }
      out.rate_limit = Number(rateText);
    } else if (initial.rate_limit != null) {
      out.rate_limit = null;
    }
    const scheduleText = schedule.value.trim();
    if (scheduleText) {
      out.retry_schedule = scheduleText.toLowerCase() === 'none' ? [] : scheduleText.split(',').map((s) => s.trim()).filter(Boolean);
    } else if (initial.retry_schedule != null) {
      out.retry_schedule = null;
    }
    const timeoutText = timeout.value.trim();
    if (timeoutText) {
      out.timeout = timeoutText;
    } else if (initial.timeout != null) {
      out.timeout = null;
    }
    const headers = {};
    for (const name of removed) {
      headers[name] = null;
    }
    for (const row of rows.querySelectorAll('.policy-header-row')) {
      const name = row.querySelector('.header-name');
      const value = row.querySelector('.header-value');
      if (!name.value.trim() && !value.value) {
        continue;
      }
      if (!name.value.trim() || !value.value) {
        throw fieldError(name.value.trim() ? value : name, 'A header needs both a name and a value.');
      }
      headers[name.value.trim()] = value.value;
    }
    if (Object.keys(headers).length) {
      out.headers = headers;
    }
    return out;
  };
  return { el, values };
}

/** One line under an endpoint: its own policy, and a pause its receiver asked for, if any. */
export function policySummary(e) {
  const parts = [];
  if (e.rate_limit != null) {
    parts.push(`at most ${e.rate_limit}/s`);
  }
  if (e.retry_schedule) {
    parts.push(e.retry_schedule.length ? `retries after ${e.retry_schedule.join(', ')}` : 'no retries');
  }
  if (e.timeout) {
    parts.push(`timeout ${e.timeout}`);
  }
  if (e.headers && e.headers.length) {
    parts.push(`headers ${e.headers.join(', ')}`);
  }
  const paused = e.paused_until && new Date(e.paused_until) > new Date();
  if (!parts.length && !paused) {
    return null;
  }
  return h('p', { class: 'muted small endpoint-policy-summary' },
    parts.length ? `Policy: ${parts.join(' · ')}` : null,
    paused ? h('span', { class: 'badge badge-warn' }, 'Paused by the receiver until ',
      h('time', { datetime: e.paused_until, text: fmt.dateTime(e.paused_until) })) : null);
}

function hasPolicy(e) {
  return e.rate_limit != null || e.retry_schedule != null || e.timeout != null || Boolean(e.headers && e.headers.length);
}

function fieldError(input, message) {
  input.focus();
  return new Error(message);
}
