// An endpoint's filter and transform (JSONata): the editor in the endpoint form, with a live
// preview over an example event (POST /v1/transforms/preview), and the summary on the endpoint.
import * as api from './api.js';
import { h, clear, uid } from './dom.js';
import { announce, busy, errorSlot, showError } from './ui.js';

const EXAMPLE_EVENT = {
  event: 'chat',
  messages: [{ role: 'user', content: 'Where is my order?' }],
  answer: { role: 'assistant', content: 'It ships today.', score: 0.42 },
  source: 'whatsapp',
  conversation_id: 'dbf24043-83a6-47fb-b241-9865de3877c9',
  lead: { name: 'Ana', email: 'ana@example.com' },
};
const PREVIEW_DELAY_MS = 600;

/**
 * The filter and transform fields of the endpoint form. `values()` gives what to send (null clears
 * a field on save).
 */
export function shapingFields(initial) {
  const id = uid('shape');
  const filter = code(`${id}-filter`, initial.filter, 'answer.score < 0.5');
  const transform = code(`${id}-transform`, initial.transform,
    "{ 'text': 'Q: ' & messages[role='user'][-1].content & '\\nA: ' & answer.content }", 5);
  const example = code(`${id}-example`, JSON.stringify(EXAMPLE_EVENT, null, 2), '', 8);
  const result = h('div', { class: 'preview-result', id: `${id}-result`, 'aria-live': 'polite' });
  const error = errorSlot();
  const previewBtn = h('button', { type: 'button', class: 'btn btn-small preview-transform', text: 'Preview' });

  let timer = null;
  let sequence = 0;
  const run = async () => {
    const mine = ++sequence;
    showError(error, null);
    clear(result);
    const body = { filter: filter.value.trim() || null, transform: transform.value.trim() || null };
    if (!body.filter && !body.transform) {
      result.append(h('p', { class: 'muted small', text: 'Write a filter or a transform to preview it.' }));
      return;
    }
    try {
      body.event = JSON.parse(example.value);
    } catch (e) {
      showError(error, { message: `The example event is not valid JSON: ${e.message}` });
      return;
    }
    try {
      const answer = await api.post('/v1/transforms/preview', body);
      if (mine === sequence) {
        showResult(result, answer);
        announce('Preview updated');
      }
    } catch (e) {
      if (mine === sequence) {
        showError(error, e, e.code && e.code.startsWith('invalid_') ? 'Not valid' : 'Failed on the example');
        pointAt(e, { filter, transform });
      }
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(run, PREVIEW_DELAY_MS);
  };
  for (const field of [filter, transform, example]) {
    field.addEventListener('input', later);
  }
  previewBtn.addEventListener('click', () => { clearTimeout(timer); return busy(previewBtn, run, error); });

  // Closed unless the endpoint has one: most endpoints take events as they are.
  const el = h('details', { class: 'field shaping', open: Boolean(initial.filter || initial.transform) },
    h('summary', { class: 'shaping-toggle', text: 'Filter and transform (optional)' }),
    h('p', { class: 'help' }, 'Written in ', h('a', { href: 'https://docs.jsonata.org/overview', target: '_blank', rel: 'noopener', text: 'JSONata' }),
      ', over the event. The filter decides whether this endpoint gets an event at all; the transform makes the body it is sent ',
      '(no value: nothing is sent; ', h('code', { text: "$header('X-Name', value)" }), ' adds a header).'),
    h('label', { for: filter.id, text: 'Filter' }), filter,
    h('label', { for: transform.id, text: 'Transform' }), transform,
    h('details', { class: 'preview-example' },
      h('summary', { text: 'Example event for the preview' }), example),
    h('div', { class: 'form-actions' }, previewBtn),
    error,
    result);
  return {
    el,
    values: () => ({ filter: filter.value.trim() || null, transform: transform.value.trim() || null }),
  };
}

/** What the endpoint's filter and transform are, on its line in the list. */
export function shapingSummary(e) {
  if (!e.filter && !e.transform) {
    return null;
  }
  return h('div', { class: 'muted small endpoint-shaping' },
    e.filter ? h('p', { class: 'endpoint-filter' }, 'Filter ', h('code', { text: e.filter }),
      ` · ${e.filtered_out || 0} event${e.filtered_out === 1 ? '' : 's'} filtered out`) : null,
    e.transform ? h('p', { class: 'endpoint-transform' }, 'Transform ', h('code', { text: oneLine(e.transform) })) : null);
}

function code(id, value, placeholder, rows = 2) {
  const area = h('textarea', {
    id, rows, spellcheck: 'false', autocomplete: 'off', class: 'code-input', placeholder, maxlength: 16384,
  });
  area.value = value || '';
  return area;
}

function showResult(slot, answer) {
  if (answer.filter) {
    slot.append(h('p', { class: `preview-filter ${answer.filter.passes ? 'is-ok' : 'is-off'}` },
      h('strong', { text: answer.filter.passes ? 'Passes the filter' : 'Filtered out' }),
      answer.filter.passes ? ': this endpoint gets the event.' : ': this endpoint would not get the event.'));
  }
  const t = answer.transform;
  if (t && t.outcome === 'drop') {
    slot.append(h('p', { class: 'preview-drop' }, h('strong', { text: 'Nothing sent' }), `: ${t.reason}`));
  } else if (t) {
    const headers = Object.entries(t.headers || {});
    slot.append(h('p', { class: 'small', text: 'Body sent, byte for byte (and signed):' }),
      h('pre', { class: 'code preview-body', text: t.body }));
    if (headers.length) {
      slot.append(h('ul', { class: 'preview-headers', 'aria-label': 'Headers added' },
        headers.map(([k, v]) => h('li', {}, h('code', { text: `${k}: ${v}` })))));
    }
  }
}

/** Puts the caret where the API said the expression went wrong. */
function pointAt(error, fields) {
  const offset = /offset (\d+)\)/.exec(error.message || '');
  const field = /^(filter|transform)/.exec(error.message || '') || /invalid_(filter|transform)|(filter|transform)_failed/.exec(error.code || '');
  const name = field && (field[1] || field[2]);
  const area = name && fields[name];
  if (area && offset) {
    const at = Math.min(Number(offset[1]), area.value.length);
    area.setSelectionRange(at, at + 1);
  }
}

function oneLine(text) {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
