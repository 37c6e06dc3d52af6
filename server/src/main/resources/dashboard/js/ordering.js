// Ordered delivery per conversation on the Webhooks page: the endpoint form's ordering setting, and
// for an ordered endpoint the conversations held behind a failing delivery, each with a Release button.
import * as api from './api.js';
import { h, clear, fmt } from './dom.js';
import { announce, busy, confirmDialog, errorSlot, showError, toast } from './ui.js';

const REFRESH_MS = 5000;
const LABELS = {
  none: 'No ordering: every event goes as soon as it can',
  conversation: 'One at a time per conversation, in order',
};

/** The form field: a select, and how to read it back. */
export function orderingField(id, initial) {
  const select = h('select', { id: `${id}-ordering`, name: 'ordering', 'aria-describedby': `${id}-ordering-help` },
    Object.keys(LABELS).map((o) => h('option', { value: o, text: LABELS[o], selected: o === (initial || 'none') })));
  const el = h('div', { class: 'field' },
    h('label', { for: select.id, text: 'Ordering' }),
    select,
    h('p', {
      class: 'help',
      id: `${id}-ordering-help`,
      text: 'Ordered: events with the same conversation_id go one at a time, in the order accepted; each carries '
        + 'its position in the x-chatwire-sequence header.',
    }));
  return { el, value: () => select.value };
}

/** What an endpoint's card shows about ordering; nothing for an unordered endpoint. */
export function endpointOrdering(endpoint) {
  if (endpoint.ordering !== 'conversation') {
    return null;
  }
  const list = h('div', { class: 'held-conversations', 'aria-live': 'polite' });
  const error = errorSlot();
  const section = h('div', { class: 'endpoint-ordering' },
    h('p', { class: 'muted small', text: 'Ordered per conversation.' }),
    list,
    error);
  let refresh = null;
  const load = async () => {
    clearTimeout(refresh);
    try {
      const page = await api.get(`/v1/endpoints/${api.enc(endpoint.id)}/held-conversations`);
      render(page.data);
      // While something is held the list changes as heads go through or are released: look again
      // for as long as this card is on the page (a re-render replaces it, and the polling stops).
      if (page.data.length > 0) {
        refresh = setTimeout(() => {
          if (section.isConnected) {
            load();
          }
        }, REFRESH_MS);
      }
    } catch (e) {
      showError(error, e, 'Could not load the held conversations');
    }
  };
  const render = (held) => {
    clear(list);
    if (held.length === 0) {
      return;
    }
    list.append(
      h('p', { class: 'held-summary' }, h('span', { class: 'badge badge-warn', text: `${held.length} held` }),
        ` conversation${held.length === 1 ? '' : 's'} waiting behind a delivery that has not gone through:`),
      h('ul', { class: 'held-list', 'aria-label': 'Held conversations' }, held.map((c) => heldItem(c))));
  };
  const heldItem = (c) => {
    const release = h('button', { type: 'button', class: 'btn btn-small btn-warn release-conversation', text: 'Release' });
    release.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Release this conversation?',
        body: [`The delivery it waits for (position ${c.head.position}) ends as failed and is not sent again;`
          + ` the ${c.waiting} behind it go on. The receiver sees a gap in x-chatwire-sequence.`],
        confirm: 'Release',
        danger: true,
      });
      if (!ok) {
        release.focus();
        return;
      }
      await busy(release, async () => {
        await api.post(`/v1/endpoints/${api.enc(endpoint.id)}/held-conversations/release`,
          { conversation_id: c.conversation_id });
        toast('Conversation released: the rest of it goes on.');
        announce('Conversation released');
        await load();
      }, error);
    });
    return h('li', { class: 'held-item', dataset: { conversationId: c.conversation_id } },
      h('code', { class: 'held-id', text: c.conversation_id }),
      h('span', { class: 'held-detail' },
        ` · ${c.waiting} waiting since `, h('time', { datetime: c.held_since, text: fmt.when(c.held_since) }),
        ` · head tried ${c.head.attempts} time${c.head.attempts === 1 ? '' : 's'}`),
      release);
  };
  load();
  return section;
}
