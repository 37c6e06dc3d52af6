// Settings → Webhooks: the signing secret, the plan and endpoint allowance, and each chatbot's
// endpoints (add, edit, enable/disable, delete, send a test event, health).
import * as api from './api.js';
import * as catalog from './catalog.js';
import { h, clear, fmt, uid } from './dom.js';
import { policyFields, policySummary } from './policies.js';
import { kindField, kindNote } from './destinations.js';
import { shapingFields, shapingSummary } from './transforms.js';
import { endpointOrdering, orderingField } from './ordering.js';
import {
  announce, busy, confirmDialog, copyText, emptyState, errorSlot, pageHeader, showError, spinner, toast,
} from './ui.js';

const MASK = `whsec_${'•'.repeat(24)}`;
const EVENT_LABELS = {
  chat: 'Chat',
  'lead-submission': 'Lead submission',
  'live-chat-escalation': 'Live chat escalation',
};
const CONTENT_TYPE_LABELS = {
  'text/plain': 'text/plain (Chat Data compatible)',
  'application/json': 'application/json',
};

export function mount(root, app) {
  let alive = true;
  root.append(pageHeader('Webhooks',
    'Chatwire sends each event of your chatbots to the endpoints you register here, signed with your secret.',
    'Settings'));
  const secretCard = h('section', { class: 'card', 'aria-labelledby': 'secret-heading' });
  const planCard = h('section', { class: 'card plan-card', 'aria-labelledby': 'plan-heading' });
  const bots = h('div', { class: 'chatbots' }, spinner('Loading your chatbots…'));
  const top = h('div', { class: 'settings-top' }, secretCard, planCard);
  root.append(top, bots);

  renderSecret(secretCard, () => alive);
  const chatbots = [];
  const renderPlan = () => renderPlanCard(planCard, app.account, chatbots);
  renderPlan();

  (async () => {
    try {
      const page = await api.get('/v1/chatbots');
      if (!alive) {
        return;
      }
      clear(bots);
      for (const bot of page.data) {
        const component = chatbotCard(bot, app.account, renderPlan);
        chatbots.push(component);
        bots.append(component.el);
        component.load();
      }
      bots.append(addChatbot((bot) => {
        const component = chatbotCard(bot, app.account, renderPlan);
        chatbots.push(component);
        bots.querySelector('.add-chatbot').before(component.el);
        bots.querySelector('.empty-bots')?.remove();
        component.loaded([]);
        renderPlan();
        component.el.querySelector('h2').focus();
      }));
      if (page.data.length === 0) {
        bots.prepend(h('div', { class: 'card empty-bots' }, emptyState('No chatbots yet',
          'Your chatbots appear here once the platform registers them, or add one below. Then register the URL where its events should be sent.')));
      }
      renderPlan();
    } catch (e) {
      clear(bots).append(h('div', { class: 'card' }, h('p', { class: 'error', role: 'alert', text: `Could not load your chatbots: ${e.message}` })));
    }
  })();
  return () => { alive = false; };
}

// --- signing secret ---------------------------------------------------------------------------

function renderSecret(card, isAlive) {
  let secret = null;
  let revealed = false;
  const value = h('code', { class: 'secret-value', id: 'signing-secret', text: MASK, 'aria-label': 'Signing secret, hidden' });
  const reveal = h('button', {
    type: 'button', class: 'btn', id: 'reveal-secret', 'aria-pressed': 'false', 'aria-controls': 'signing-secret', text: 'Reveal',
  });
  const copy = h('button', { type: 'button', class: 'btn', id: 'copy-secret', text: 'Copy' });
  const rotate = h('button', { type: 'button', class: 'btn btn-warn', id: 'rotate-secret', text: 'Rotate…' });
  const expiry = h('p', { class: 'secret-expiry', id: 'secret-expiry', 'aria-live': 'polite' });
  const error = errorSlot();

  const paint = () => {
    value.textContent = revealed && secret ? secret.signing_secret : MASK;
    value.setAttribute('aria-label', revealed ? 'Signing secret' : 'Signing secret, hidden');
    value.classList.toggle('is-revealed', revealed);
    reveal.textContent = revealed ? 'Hide' : 'Reveal';
    reveal.setAttribute('aria-pressed', String(revealed));
    clear(expiry);
    if (secret && secret.previous_secret_expires_at) {
      const at = secret.previous_secret_expires_at;
      expiry.append(h('span', { class: 'badge badge-warn', text: 'Rotation in progress' }), ' The previous secret keeps working until ',
        h('time', { datetime: at, text: fmt.when(at) }), ` (${fmt.relative(at)}). Deliveries carry a signature for each secret until then; update your receiver before.`);
      expiry.hidden = false;
    } else {
      expiry.hidden = true;
    }
  };
  const load = async () => {
    secret = await api.get('/v1/account/signing-secret');
    if (isAlive()) {
      paint();
    }
    return secret;
  };

  reveal.addEventListener('click', () => busy(reveal, async () => {
    if (!secret) {
      await load();
    }
    revealed = !revealed;
    paint();
    announce(revealed ? 'Signing secret shown' : 'Signing secret hidden');
  }, error));
  copy.addEventListener('click', () => busy(copy, async () => {
    const current = secret || await load();
    if (await copyText(current.signing_secret)) {
      toast('Signing secret copied to the clipboard.');
    } else {
      revealed = true;
      paint();
      const range = document.createRange();
      range.selectNodeContents(value);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      throw new Error('This browser did not let the page copy. The secret is shown and selected: press Ctrl+C (⌘C on a Mac).');
    }
  }, error));
  rotate.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Rotate the signing secret?',
      body: ['A new secret signs every delivery from now on. The current one stays valid for a grace period, so you can update your receiver without missing events.',
        'This cannot be undone.'],
      confirm: 'Rotate secret',
      danger: true,
    });
    if (!ok) {
      rotate.focus();
      return;
    }
    await busy(rotate, async () => {
      secret = await api.post('/v1/account/signing-secret/rotate', {});
      revealed = true;
      paint();
      toast('Signing secret rotated: the new one is shown. Copy it into your receiver.');
    }, error);
    rotate.focus();
  });

  card.append(
    h('h2', { id: 'secret-heading', text: 'Signing secret' }),
    h('p', { class: 'muted', text: 'Every delivery is signed with this secret (x-chat-data-hmac-sha256 and webhook-signature headers). Keep it on your server only.' }),
    h('div', { class: 'secret-row' }, value, h('div', { class: 'btn-group' }, reveal, copy, rotate)),
    expiry,
    error,
  );
  paint();
  load().catch((e) => showError(error, e, 'Could not load the signing secret'));
}

// --- plan -------------------------------------------------------------------------------------

function renderPlanCard(card, account, chatbots) {
  clear(card);
  const paid = account.plan !== 'free';
  card.append(
    h('h2', { id: 'plan-heading', text: 'Plan' }),
    h('p', { class: 'plan-name' }, h('strong', { text: capital(account.plan) }), ' plan',
      account.status && account.status !== 'active' ? h('span', { class: 'badge badge-bad', text: account.status }) : null),
    h('p', { class: 'muted', text: paid
      ? 'Each chatbot can send its events to a few endpoints:'
      : 'The free plan has no webhooks. Ask your Chat Data administrator to move this account to Standard or Professional.' }),
  );
  if (paid && chatbots.length) {
    card.append(h('ul', { class: 'usage-list', id: 'plan-usage' }, chatbots.map((c) => h('li', {},
      h('span', { class: 'usage-bot', text: c.bot.name }),
      usageMeter(c.count(), c.bot.endpoint_limit)))));
  }
}

function usageMeter(used, limit) {
  if (used === null) {
    return h('span', { class: 'usage muted', text: '…' });
  }
  const bar = h('span', { class: 'usage-fill' });
  bar.style.width = `${limit > 0 ? Math.min(100, (100 * used) / limit) : 100}%`;
  const full = used >= limit;
  return h('span', { class: `usage${full ? ' is-full' : ''}` },
    h('span', { class: 'usage-bar', 'aria-hidden': 'true' }, bar),
    h('span', { class: 'usage-text', text: `${used} of ${limit} used` }));
}

// --- chatbots and endpoints -------------------------------------------------------------------

function chatbotCard(bot, account, onCountChange) {
  const headingId = uid('bot');
  let endpoints = null;
  let adding = false;
  let editing = null;
  const results = new Map(); // endpoint id -> last test result (kept across re-renders)
  const errors = new Map(); // endpoint id -> last action error
  const el = h('section', { class: 'card chatbot', 'aria-labelledby': headingId, dataset: { chatbotId: bot.id } });

  const component = {
    bot,
    el,
    count: () => (endpoints ? endpoints.length : null),
    async load() {
      render();
      try {
        const page = await api.get(`/v1/chatbots/${api.enc(bot.id)}/endpoints`);
        component.loaded(page.data);
      } catch (e) {
        errors.set('_load', e);
        render();
      }
    },
    loaded(list) {
      endpoints = list;
      render();
      onCountChange();
    },
  };

  const replace = (updated) => {
    endpoints = endpoints.map((e) => (e.id === updated.id ? updated : e));
  };
  const focusAfter = (selector) => {
    const target = el.querySelector(selector);
    if (target) {
      target.focus();
    }
  };

  function render() {
    clear(el);
    const limit = bot.endpoint_limit;
    el.append(h('header', { class: 'chatbot-head' },
      h('div', {},
        h('h2', { id: headingId, tabindex: '-1', text: bot.name }),
        h('p', { class: 'mono muted small' }, 'Chatbot id ', h('span', { class: 'chatbot-id', text: bot.id }))),
      endpoints ? usageMeter(endpoints.length, limit) : null));

    const loadError = errors.get('_load');
    if (loadError) {
      el.append(h('p', { class: 'error', role: 'alert', text: `Could not load the endpoints: ${loadError.message}` }));
      return;
    }
    if (!endpoints) {
      el.append(spinner('Loading endpoints…'));
      return;
    }
    if (endpoints.length === 0 && !adding) {
      el.append(emptyState('No endpoints yet',
        account.plan === 'free'
          ? 'Webhooks need a paid plan. Once this account is on Standard or Professional, add the URL that should receive this chatbot\'s events.'
          : 'Add the URL that should receive this chatbot\'s events, then press "Send test event" to check it.'));
    } else {
      el.append(h('ul', { class: 'endpoints', 'aria-label': `Endpoints of ${bot.name}` },
        endpoints.map((e) => (editing === e.id ? h('li', { class: 'endpoint is-editing' }, editForm(e)) : endpointItem(e)))));
    }
    if (adding) {
      el.append(addForm());
    } else {
      const full = endpoints.length >= limit;
      el.append(h('div', { class: 'chatbot-foot' },
        h('button', {
          type: 'button', class: 'btn btn-primary add-endpoint', text: 'Add endpoint',
          onclick: () => { adding = true; render(); focusAfter('.endpoint-form input[type=url]'); },
        }),
        full ? h('p', { class: 'muted small', text: `All ${limit} endpoints of this chatbot are in use: delete one to add another.` }) : null));
    }
  }

  function endpointItem(e) {
    const result = results.get(e.id);
    const error = errors.get(e.id);
    const errorEl = errorSlot();
    if (error) {
      showError(errorEl, error);
    }
    const testBtn = h('button', { type: 'button', class: 'btn btn-small send-test', text: 'Send test event' });
    const toggleBtn = h('button', {
      type: 'button', class: 'btn btn-small toggle-endpoint', text: e.enabled ? 'Disable' : 'Enable', dataset: { focusKey: `toggle-${e.id}` },
    });
    const editBtn = h('button', { type: 'button', class: 'btn btn-small edit-endpoint', text: 'Edit' });
    const deleteBtn = h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet delete-endpoint', text: 'Delete' });
    const item = h('li', { class: `endpoint${e.enabled ? '' : ' is-disabled'}`, dataset: { endpointId: e.id } },
      h('div', { class: 'endpoint-main' },
        h('div', { class: 'endpoint-line' }, healthBadge(e), h('code', { class: 'endpoint-url', text: e.url })),
        e.description ? h('p', { class: 'endpoint-desc', text: e.description }) : null,
        h('ul', { class: 'chips', 'aria-label': 'Events sent' }, e.events.map((t) => h('li', { class: 'chip', text: t }))),
        kindNote(e) || h('p', { class: 'muted small endpoint-content-type' }, 'Sent as ', h('code', { text: api.CONTENT_TYPES[e.content_type] || e.content_type })),
        e.own_secret ? h('p', { class: 'muted small', text: 'Signed with its own secret.' }) : null,
        policySummary(e),
        shapingSummary(e),
        endpointOrdering(e)),
      h('div', { class: 'endpoint-actions' }, catalog.typePicker(e.id), testBtn, catalog.receiveButton(e.id), editBtn, toggleBtn, deleteBtn),
      result ? testResult(result) : null,
      errorEl);

    testBtn.addEventListener('click', () => busy(testBtn, async () => {
      testBtn.textContent = 'Sending…';
      results.delete(e.id);
      errors.delete(e.id);
      try {
        const answer = await api.post(catalog.testEventPath(e.id), {});
        results.set(e.id, answer);
        try {
          replace(await api.get(`/v1/endpoints/${api.enc(e.id)}`));
        } catch {
          // The result matters more than the refreshed health badge.
        }
        const a = answer.attempt;
        announce(a ? `Test event ${a.outcome === 'delivered' ? 'delivered' : 'failed'}` : 'Test event queued');
      } catch (err) {
        errors.set(e.id, err);
      }
      render();
      focusAfter(`[data-endpoint-id="${e.id}"] .send-test`);
    }));
    toggleBtn.addEventListener('click', () => busy(toggleBtn, async () => {
      errors.delete(e.id);
      try {
        replace(await api.patch(`/v1/endpoints/${api.enc(e.id)}`, { enabled: !e.enabled }));
        announce(`Endpoint ${e.enabled ? 'disabled' : 'enabled'}`);
      } catch (err) {
        errors.set(e.id, err);
      }
      render();
      focusAfter(`[data-focus-key="toggle-${e.id}"]`);
    }));
    editBtn.addEventListener('click', () => {
      editing = e.id;
      render();
      focusAfter('.is-editing input[type=url]');
    });
    deleteBtn.addEventListener('click', async () => {
      const ok = await confirmDialog({
        title: 'Delete this endpoint?',
        body: [e.url, 'It stops receiving events at once. Its delivery log is kept.'],
        confirm: 'Delete endpoint',
        danger: true,
      });
      if (!ok) {
        deleteBtn.focus();
        return;
      }
      await busy(deleteBtn, async () => {
        try {
          await api.del(`/v1/endpoints/${api.enc(e.id)}`);
          endpoints = endpoints.filter((x) => x.id !== e.id);
          results.delete(e.id);
          errors.delete(e.id);
          toast('Endpoint deleted.');
          render();
          onCountChange();
          focusAfter('.add-endpoint');
        } catch (err) {
          errors.set(e.id, err);
          render();
        }
      });
    });
    return item;
  }

  function addForm() {
    return endpointForm({
      title: `Add an endpoint to ${bot.name}`,
      submitLabel: 'Add endpoint',
      // The API's default too: what Chat Data's example receiver needs.
      initial: { url: '', content_type: 'text/plain', events: [...api.EVENT_TYPES], description: '' },
      onCancel: () => { adding = false; render(); focusAfter('.add-endpoint'); },
      onSubmit: async (values) => {
        const created = await api.post(`/v1/chatbots/${api.enc(bot.id)}/endpoints`, values);
        endpoints = [...endpoints, created];
        adding = false;
        render();
        onCountChange();
        toast('Endpoint added. Send a test event to check it.');
        focusAfter(`[data-endpoint-id="${created.id}"] .send-test`);
      },
    });
  }

  function editForm(e) {
    return endpointForm({
      title: 'Edit endpoint',
      submitLabel: 'Save changes',
      initial: e,
      onCancel: () => { editing = null; render(); focusAfter(`[data-endpoint-id="${e.id}"] .edit-endpoint`); },
      onSubmit: async (values) => {
        replace(await api.patch(`/v1/endpoints/${api.enc(e.id)}`, values));
        editing = null;
        render();
        announce('Endpoint saved');
        focusAfter(`[data-endpoint-id="${e.id}"] .edit-endpoint`);
      },
    });
  }

  return component;
}

/** The add/edit form: URL, content type, event types, description. */
function endpointForm({ title, submitLabel, initial, onSubmit, onCancel }) {
  const id = uid('ep');
  const url = h('input', {
    id: `${id}-url`, name: 'url', type: 'url', inputmode: 'url', required: true, autocomplete: 'off',
    placeholder: 'https://example.com/webhooks', value: initial.url, spellcheck: 'false',
  });
  const boxes = api.EVENT_TYPES.map((t) => h('input', {
    type: 'checkbox', name: 'events', value: t, id: `${id}-${t}`, checked: initial.events.includes(t),
  }));
  const contentType = h('select', { id: `${id}-ctype`, name: 'content_type', 'aria-describedby': `${id}-ctype-help` },
    Object.keys(api.CONTENT_TYPES).map((t) => h('option', { value: t, text: CONTENT_TYPE_LABELS[t], selected: t === initial.content_type })));
  const kind = kindField(initial.kind);
  const description = h('input', {
    id: `${id}-desc`, name: 'description', type: 'text', maxlength: 500, value: initial.description || '',
    placeholder: 'e.g. CRM sync (optional)',
  });
  const policy = policyFields(initial);
  const shaping = shapingFields(initial);
  const ordering = orderingField(id, initial.ordering);
  const error = errorSlot();
  const save = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel });
  const form = h('form', { class: 'endpoint-form', novalidate: true, 'aria-label': title },
    h('h3', { text: title }),
    kind.element,
    h('div', { class: 'field' },
      h('label', { for: url.id, text: 'Endpoint URL' }),
      url,
      h('p', { class: 'help', text: 'Where your server receives the events (https recommended). It should answer 2xx; redirects are not followed.' })),
    h('div', { class: 'field' },
      h('label', { for: contentType.id, text: 'Content type' }),
      contentType,
      h('p', { class: 'help', id: `${id}-ctype-help`, text: 'text/plain works with Chat Data\'s example receiver; choose application/json for frameworks that parse JSON.' })),
    h('fieldset', { class: 'field' },
      h('legend', { text: 'Events to send' }),
      h('div', { class: 'checks' }, boxes.map((b) => h('label', { class: 'check', for: b.id }, b,
        h('span', {}, EVENT_LABELS[b.value], ' ', h('code', { class: 'muted small', text: b.value })))))),
    h('div', { class: 'field' },
      h('label', { for: description.id, text: 'Description' }),
      description),
    policy.el,
    shaping.el,
    ordering.el,
    error,
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', class: 'btn', text: 'Cancel', onclick: onCancel }),
      save));
  kind.bind(form);
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      onCancel();
    }
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const events = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!url.value.trim()) {
      showError(error, { message: 'Enter the URL that should receive the events.' });
      url.focus();
      return;
    }
    if (events.length === 0) {
      showError(error, { message: 'Choose at least one event to send.' });
      boxes[0].focus();
      return;
    }
    busy(save, () => onSubmit({
      url: url.value.trim(), content_type: contentType.value, events, description: description.value.trim(),
      ...policy.values(), ...kind.values(), ...shaping.values(), ordering: ordering.value(),
    }), error);
  });
  return form;
}

function healthBadge(e) {
  const hl = e.health || {};
  if (!e.enabled) {
    if (hl.disabled_reason) {
      return h('span', { class: 'badge badge-bad health', title: hl.disabled_at ? `Disabled ${fmt.dateTime(hl.disabled_at)}` : null },
        `Disabled automatically because ${hl.disabled_reason}`);
    }
    return h('span', { class: 'badge badge-off health', text: 'Disabled' });
  }
  if (hl.status === 'failing') {
    const since = hl.failing_since ? `Failing since ${fmt.when(hl.failing_since)}` : 'Failing';
    const n = hl.consecutive_failures;
    return h('span', { class: 'badge badge-warn health' }, `${since}${n ? ` · ${n} failed attempt${n === 1 ? '' : 's'}` : ''}`);
  }
  return h('span', { class: 'badge badge-ok health', text: 'Healthy' });
}

function testResult(answer) {
  const a = answer.attempt;
  if (!a) {
    return h('div', { class: 'test-result is-pending' },
      'Test event queued; it was not attempted at once. ', h('a', { href: '#/deliveries', text: 'Watch the delivery log' }), '.');
  }
  const ok = a.outcome === 'delivered';
  const what = fmt.result(a);
  return h('div', { class: `test-result ${ok ? 'is-ok' : 'is-bad'}` },
    h('p', {},
      h('strong', { text: ok ? 'Test event delivered' : 'Test event failed' }),
      ` · ${what} in ${fmt.ms(a.latency_ms)}`,
      !ok && a.error_message ? ` · ${a.error_message}` : '',
      ' · ', h('a', { href: '#/deliveries', text: 'See it in the delivery log' })),
    a.response_body ? h('details', {}, h('summary', { text: 'Response body' }), h('pre', { class: 'code', text: a.response_body })) : null);
}

function addChatbot(onAdded) {
  const name = h('input', { id: 'new-bot-name', type: 'text', required: true, maxlength: 200, placeholder: 'Support bot' });
  const error = errorSlot();
  const save = h('button', { type: 'submit', class: 'btn', text: 'Add chatbot' });
  const form = h('form', { class: 'card add-chatbot', novalidate: true, 'aria-labelledby': 'add-bot-heading' },
    h('h2', { id: 'add-bot-heading', text: 'Add a chatbot' }),
    h('div', { class: 'inline-fields' },
      h('div', { class: 'field' }, h('label', { for: name.id, text: 'Name' }), name),
      save),
    h('p', { class: 'help', text: 'Chatwire gives it an id. Chatbots the platform registers for you appear here by themselves.' }),
    error);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!name.value.trim()) {
      showError(error, { message: 'Give the chatbot a name.' });
      name.focus();
      return;
    }
    busy(save, async () => {
      const bot = await api.post('/v1/chatbots', { name: name.value.trim() });
      name.value = '';
      announce(`Chatbot ${bot.name} added`);
      onAdded(bot);
    }, error);
  });
  return form;
}

function capital(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
