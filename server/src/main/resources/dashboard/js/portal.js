// Portal mode: the dashboard opened through a platform's one-time portal link, at /portal/. The
// session is an HttpOnly cookie scoped to /portal; API calls go to /portal/api/v1/... with the
// session's CSRF token on every change. The platform may theme the page through the link's query.

import { h, clear } from './dom.js';

export const active = location.pathname.startsWith('/portal/');

/** The session: { account_id, chatbot_id?, read_only, expires_at, csrf_token }, once begun. */
let session = null;

/** Listings a one-chatbot session must filter by its chatbot (the server refuses them otherwise). */
const LISTINGS = /^\/v1\/(events|deliveries|attempts|attempts\/stream|analytics\/[a-z]+)$/;

/** Where an API path is served for this page, and with which extra headers. */
export function route(method, path) {
  if (!active) {
    return { path, headers: {} };
  }
  const url = new URL(path, location.origin);
  if (session && session.chatbot_id && LISTINGS.test(url.pathname) && !url.searchParams.get('chatbot_id')) {
    url.searchParams.set('chatbot_id', session.chatbot_id);
  }
  const headers = method === 'GET' || !session ? {} : { 'X-Chatwire-CSRF': session.csrf_token };
  return { path: `/portal/api${url.pathname}${url.search}`, headers };
}

/** Reads the session the cookie holds; null when there is none (expired, signed out or revoked). */
export async function begin() {
  const response = await fetch('/portal/session', { cache: 'no-store', credentials: 'same-origin' });
  if (response.status === 401) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`The server answered ${response.status}.`);
  }
  session = await response.json();
  document.body.classList.add('portal');
  document.body.classList.toggle('portal-read-only', session.read_only);
  document.body.classList.toggle('portal-one-chatbot', Boolean(session.chatbot_id));
  document.getElementById('view-only').hidden = !session.read_only;
  return session;
}

/** Calls `onExpiry` when the session runs out, even if the page makes no request by then. */
export function watchExpiry(onExpiry) {
  const left = Date.parse(session.expires_at) - Date.now();
  // setTimeout cannot wait past 2^31 ms; sessions are shorter than that anyway (at most 12 h).
  setTimeout(onExpiry, Math.max(0, Math.min(left, 2 ** 31 - 1)));
}

export async function signOut() {
  if (!session) {
    return;
  }
  try {
    await fetch('/portal/sign-out', {
      method: 'POST', credentials: 'same-origin', headers: { 'X-Chatwire-CSRF': session.csrf_token },
    });
  } finally {
    session = null;
  }
}

/** The page shown instead of the dashboard once the session is over. */
export function ended(main, reason) {
  session = null;
  document.getElementById('topbar').hidden = true;
  document.title = 'Session expired · Chatwire';
  clear(main);
  main.append(h('div', { class: 'portal-ended' },
    h('h1', { tabindex: '-1', text: reason === 'signed-out' ? 'You are signed out' : 'Your session has expired' }),
    h('p', { text: reason === 'signed-out'
      ? 'This webhook settings session has ended.'
      : 'For your security, webhook settings sessions end after a while.' }),
    h('p', { text: 'Open the webhook settings again from your platform to continue.' })));
  main.querySelector('h1').focus({ preventScroll: true });
}

// --- theming -----------------------------------------------------------------------------------

const COLOUR = /^#[0-9a-f]{6}$/i;
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/;

/** https: only (never http:, which anyone on the way could swap), or a small data:image. */
function isLogo(v) {
  if (v.startsWith('data:')) {
    return v.length <= 8192 && DATA_IMAGE.test(v);
  }
  return v.length <= 2048 && /^https:\/\/[^\s"'<>\\]+$/.test(v);
}

function luminance(hex) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * Applies the link's theme: brand (a #rrggbb colour, with white or near-black text on it, whichever
 * reads better), logo, header=hidden (the platform shows its own; the page menu stays) and
 * appearance=light|dark. Anything else is ignored.
 */
export function applyTheme() {
  if (!active) {
    return;
  }
  const q = new URLSearchParams(location.search);
  const root = document.documentElement;
  const appearance = q.get('appearance');
  if (appearance === 'light' || appearance === 'dark') {
    root.dataset.appearance = appearance;
  }
  const brand = q.get('brand');
  if (brand && COLOUR.test(brand)) {
    const l = luminance(brand);
    const onBrand = (1.05 / (l + 0.05)) >= ((l + 0.05) / 0.0556) ? '#ffffff' : '#111111';
    root.style.setProperty('--primary', brand);
    root.style.setProperty('--primary-hover', brand);
    root.style.setProperty('--primary-text', onBrand);
    root.style.setProperty('--focus', brand);
  }
  const logo = q.get('logo');
  if (logo && isLogo(logo)) {
    const mark = document.querySelector('.brand-mark');
    mark.replaceWith(h('img', { class: 'brand-logo', src: logo, alt: '', height: 28 }));
  }
  if (q.get('header') === 'hidden') {
    document.body.classList.add('portal-no-header');
  }
}
