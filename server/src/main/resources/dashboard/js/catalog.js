// The event catalog in Settings → Webhooks: which event type "Send test event" sends, and a panel
// showing what an endpoint will receive for each type (GET /v1/event-types: the schemas' own
// descriptions and examples, the same ones the test event sends).
import * as api from './api.js';
import { h, clear, uid } from './dom.js';
import { spinner } from './ui.js';

const LABELS = {
  chat: 'Chat',
  'lead-submission': 'Lead submission',
  'live-chat-escalation': 'Live chat escalation',
};

const chosen = new Map(); // endpoint id -> the type its next test event sends (kept across re-renders)

/** A labelled select of the event types, placed before an endpoint's "Send test event" button. */
export function typePicker(endpointId) {
  const id = uid('test-type');
  const select = h('select', { id, class: 'test-type', dataset: { endpointId } },
    api.EVENT_TYPES.map((t) => h('option', { value: t, text: LABELS[t] || t })));
  select.value = chosen.get(endpointId) || 'chat';
  select.addEventListener('change', () => chosen.set(endpointId, select.value));
  return h('span', { class: 'test-type-field' },
    h('label', { for: id, class: 'visually-hidden', text: 'Event type of the test event' }), select);
}

/** Where "Send test event" posts: the example of the type picked for this endpoint. */
export function testEventPath(endpointId) {
  const type = chosen.get(endpointId) || 'chat';
  return api.withQuery(`/v1/endpoints/${api.enc(endpointId)}/test`, { event: type });
}

let catalog = null; // the promise of GET /v1/event-types, asked once

/**
 * "What it receives": opens "What my endpoint will receive", each type's description and example,
 * with the type picked for this endpoint open. A dialog, so the page around it keeps its layout.
 */
export function receiveButton(endpointId) {
  return h('button', {
    type: 'button', class: 'btn btn-small show-catalog', text: 'What it receives',
    onclick: () => openPanel(chosen.get(endpointId) || 'chat'),
  });
}

function openPanel(openType) {
  const headingId = uid('catalog');
  const body = h('div', { class: 'catalog-types' }, spinner('Loading the event types…'));
  const close = h('button', { type: 'submit', class: 'btn', text: 'Close' });
  const dialog = h('dialog', { class: 'catalog', 'aria-labelledby': headingId },
    h('form', { method: 'dialog' },
      h('h2', { id: headingId, text: 'What my endpoint will receive' }),
      h('p', { class: 'muted' }, 'Each event arrives as this JSON, signed; "Send test event" sends exactly this example, with your chatbot\'s id. ',
        h('a', { href: '/openapi.json', text: 'The schemas are in the API description' }), '.'),
      body,
      h('div', { class: 'dialog-actions' }, close)));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
  catalog = catalog || api.get('/v1/event-types');
  catalog.then((page) => {
    clear(body).append(...page.data.map((t) => h('details', { class: 'catalog-type', open: t.name === openType, dataset: { eventType: t.name } },
      h('summary', {}, h('strong', { text: LABELS[t.name] || t.name }), ' ', h('code', { text: t.name })),
      h('p', { class: 'catalog-description', text: t.description }),
      h('pre', { class: 'catalog-example', tabindex: '0', role: 'region', 'aria-label': `Example ${t.name} event` },
        h('code', { text: JSON.stringify(t.example, null, 2) })))));
  }, (e) => {
    catalog = null;
    clear(body).append(h('p', { class: 'error', role: 'alert', text: `Could not load the event types: ${e.message}` }));
  });
}
