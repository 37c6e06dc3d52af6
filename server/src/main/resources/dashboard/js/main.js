// The dashboard shell: sign in, the header, and a hash router over the three pages.
import * as api from './api.js';
import { h, clear } from './dom.js';
import { announce, errorSlot, showError, toast } from './ui.js';
import * as webhooks from './webhooks.js';
import * as deliveries from './deliveries.js';
import * as analytics from './analytics.js';
import * as portal from './portal.js';

const PAGES = {
  webhooks: { module: webhooks, title: 'Webhooks' },
  deliveries: { module: deliveries, title: 'Deliveries' },
  analytics: { module: analytics, title: 'Analytics' },
};

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const app = { account: null };
let unmount = null;
let navigated = false;

function route() {
  const name = (location.hash.match(/^#\/([a-z]+)/) || [])[1];
  return PAGES[name] ? name : 'webhooks';
}

async function show() {
  if (unmount) {
    unmount();
    unmount = null;
  }
  if (!app.account) {
    return;
  }
  const name = route();
  for (const link of document.querySelectorAll('.mainnav a')) {
    if (link.dataset.route === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  document.title = `${PAGES[name].title} · Chatwire`;
  clear(main);
  const page = h('div', { class: `page page-${name}` });
  main.append(page);
  unmount = PAGES[name].module.mount(page, app) || null;
  if (navigated) {
    // After a click in the menu, keyboard and screen reader users land on the new page's heading.
    const heading = page.querySelector('h1');
    if (heading) {
      heading.focus({ preventScroll: true });
    }
    announce(`${PAGES[name].title} page`);
  }
  navigated = true;
}

function signInForm(reason) {
  topbar.hidden = true;
  clear(main);
  document.title = 'Sign in · Chatwire';
  const input = h('input', {
    id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, placeholder: 'cwk_…', 'aria-describedby': 'api-key-help',
  });
  const error = errorSlot();
  const button = h('button', { type: 'submit', class: 'btn btn-primary btn-block', text: 'Sign in' });
  const form = h('form', { class: 'signin-card', novalidate: true },
    h('div', { class: 'signin-brand' },
      h('img', { src: 'favicon.svg', alt: '', width: 40, height: 40 }),
      h('span', { text: 'Chatwire' })),
    h('h1', { tabindex: '-1', text: 'Sign in to your dashboard' }),
    h('p', { class: 'lede', text: 'Webhook settings, the delivery log and usage charts for your chatbots.' }),
    h('div', { class: 'field' },
      h('label', { for: 'api-key', text: 'Account API key' }),
      input,
      h('p', { class: 'help', id: 'api-key-help', text: 'Kept in this browser tab only, and forgotten when you close it or sign out.' })),
    error,
    button);
  if (reason) {
    showError(error, { message: reason });
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showError(error, { message: 'Enter your account API key (it starts with cwk_).' });
      input.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    showError(error, null);
    try {
      const account = await api.get('/v1/account', { key });
      api.session.set(key);
      input.value = '';
      start(account);
    } catch (e) {
      showError(error, e, e.status === 401 ? 'This key was not accepted' : undefined);
      input.focus();
      input.select();
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });
  main.append(h('div', { class: 'signin' }, form));
  input.focus();
}

function start(account) {
  app.account = account;
  document.getElementById('who-name').textContent = account.name;
  document.getElementById('who-plan').textContent = `${account.plan[0].toUpperCase()}${account.plan.slice(1)} plan`;
  topbar.hidden = false;
  navigated = false;
  if (!location.hash.startsWith('#/')) {
    history.replaceState(null, '', '#/webhooks');
  }
  show();
  main.querySelector('h1')?.focus({ preventScroll: true });
}

function signOut(reason) {
  if (unmount) {
    unmount();
    unmount = null;
  }
  if (portal.active) {
    endPortal(reason ? 'expired' : 'signed-out');
    return;
  }
  api.session.clear();
  app.account = null;
  signInForm(reason);
  announce(reason || 'Signed out');
}

document.getElementById('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => show());
api.onUnauthorized((e) => signOut(`You were signed out: ${e.message}`));

/** The portal's end: its cookie is cleared on sign-out; an expired one is refused by the server anyway. */
async function endPortal(reason) {
  app.account = null;
  if (reason === 'signed-out') {
    await portal.signOut().catch(() => {});
  }
  portal.ended(main, reason);
  announce(reason === 'signed-out' ? 'Signed out' : 'Your session has expired');
}

async function bootPortal() {
  portal.applyTheme();
  main.append(h('p', { class: 'loading', role: 'status', text: 'Loading…' }));
  try {
    if (!(await portal.begin())) {
      portal.ended(main, 'expired');
      return;
    }
    portal.watchExpiry(() => {
      if (app.account) {
        signOut('expired');
      }
    });
    start(await api.get('/v1/account'));
  } catch (e) {
    if (e.status === 401) {
      return; // onUnauthorized has shown the end page
    }
    clear(main);
    main.append(h('p', { class: 'error', role: 'alert', text: `Could not load your webhook settings: ${e.message}` }));
  }
}

async function boot() {
  if (portal.active) {
    bootPortal();
    return;
  }
  const key = api.session.key;
  if (!key) {
    signInForm();
    return;
  }
  main.append(h('p', { class: 'loading', role: 'status', text: 'Loading…' }));
  try {
    start(await api.get('/v1/account', { key }));
  } catch (e) {
    if (e.status === 401) {
      return; // onUnauthorized has shown the sign-in form
    }
    signInForm(`Could not load your account: ${e.message}`);
    toast(e.message, 'error');
  }
}

boot();
