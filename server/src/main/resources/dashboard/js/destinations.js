// Destinations: the kind of an endpoint (a webhook of the customer's own, a Slack incoming webhook
// or a Discord webhook) in the endpoint form and list. Slack and Discord get a message Chatwire
// renders for people; the content type choice applies to webhooks only.
import * as api from './api.js';
import { h, uid } from './dom.js';

export const KINDS = {
  webhook: {
    label: 'Webhook (your server)',
    placeholder: 'https://example.com/webhooks',
    help: 'Your server gets each event as JSON, signed with your secret.',
  },
  slack: {
    label: 'Slack channel',
    placeholder: 'https://hooks.slack.com/services/T…/B…/…',
    help: 'Paste a Slack incoming-webhook URL. Each event arrives as a message: the question, the answer with its score, source, conversation and lead.',
  },
  discord: {
    label: 'Discord channel',
    placeholder: 'https://discord.com/api/webhooks/…/…',
    help: 'Paste a Discord webhook URL (channel settings → Integrations → Webhooks). Each event arrives as a message that pings nobody.',
  },
};

/**
 * The "Kind" choice of the endpoint form. `bind(form)` makes the URL placeholder follow the kind
 * and hides the content type, which only webhooks use; `values()` is what the API takes.
 */
export function kindField(initialKind) {
  const id = uid('kind');
  const select = h('select', { id, name: 'kind', 'aria-describedby': `${id}-help` },
    Object.entries(KINDS).map(([k, v]) => h('option', { value: k, text: v.label, selected: k === (initialKind || 'webhook') })));
  const help = h('p', { class: 'help', id: `${id}-help` });
  const element = h('div', { class: 'field endpoint-kind' }, h('label', { for: id, text: 'Kind' }), select, help);
  let form = null;
  const sync = () => {
    const kind = KINDS[select.value];
    help.textContent = kind.help;
    if (form) {
      const url = form.querySelector('input[name=url]');
      if (url) {
        url.placeholder = kind.placeholder;
      }
      const contentType = form.querySelector('select[name=content_type]');
      if (contentType) {
        contentType.closest('.field').hidden = select.value !== 'webhook';
      }
    }
  };
  select.addEventListener('change', sync);
  sync();
  return {
    element,
    bind(f) {
      form = f;
      sync();
    },
    values: () => ({ kind: select.value }),
  };
}

/** The line of an endpoint in the list that says where its messages go, for Slack and Discord. */
export function kindNote(endpoint) {
  if (!endpoint.kind || endpoint.kind === 'webhook') {
    return null;
  }
  const service = endpoint.kind === 'slack' ? 'Slack' : 'Discord';
  return h('p', { class: 'muted small endpoint-kind-note' },
    h('span', { class: 'chip', text: service }),
    ` Sent as ${service} messages (`, h('code', { text: 'application/json' }), `), cut to ${service}'s limits.`);
}
