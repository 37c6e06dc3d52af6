// Shared widgets: announcements, toasts, confirmation dialogs, inline errors, busy buttons.
import { h } from './dom.js';

/** Says something to screen readers (the visible page shows it its own way). */
export function announce(text) {
  const el = document.getElementById('announcer');
  el.textContent = '';
  // A fresh text node after a tick is announced even when the text repeats.
  setTimeout(() => { el.textContent = text; }, 30);
}

/** A short message in the corner; errors stay until dismissed. */
export function toast(text, kind = 'info') {
  const region = document.getElementById('toasts');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', text: '×' });
  const el = h('div', { class: `toast toast-${kind}` }, h('p', { text }), close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  region.append(el);
  // At most three at a time; the oldest go first.
  while (region.children.length > 3) {
    region.firstElementChild.remove();
  }
  announce(text);
  if (kind !== 'error') {
    setTimeout(remove, 5000);
  }
  return el;
}

/** Shows an error in words in `slot` (an element with role=alert), or clears it. */
export function showError(slot, error, prefix) {
  if (!error) {
    slot.hidden = true;
    slot.textContent = '';
    return;
  }
  const message = error.message || String(error);
  slot.textContent = prefix ? `${prefix}: ${message}` : message;
  slot.hidden = false;
}

export function errorSlot() {
  return h('p', { class: 'error', role: 'alert', hidden: true });
}

/**
 * Runs `action` with the button disabled and marked busy; answers what the action answers, or
 * undefined when it threw (the error then goes to `slot`, or a toast).
 */
export async function busy(button, action, slot) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (slot) {
    showError(slot, null);
  }
  try {
    return await action();
  } catch (e) {
    if (slot) {
      showError(slot, e);
    } else {
      toast(e.message || String(e), 'error');
    }
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (button.textContent !== label && button.dataset.keepLabel === undefined) {
      button.textContent = label;
    }
  }
}

/** A modal yes/no question in a native <dialog>; resolves true when confirmed. */
export function confirmDialog({ title, body, confirm = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    const titleId = `confirm-title-${Date.now()}`;
    const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'btn btn-danger' : 'btn btn-primary', text: confirm });
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn', text: 'Cancel' });
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId, text: title }),
        (Array.isArray(body) ? body : [body]).map((p) => h('p', { text: p })),
        h('div', { class: 'dialog-actions' }, cancel, ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** "Nothing here yet" with what to do next. */
export function emptyState(title, text, ...actions) {
  return h('div', { class: 'empty' },
    h('p', { class: 'empty-title', text: title }),
    h('p', { class: 'empty-text', text }),
    actions.length ? h('div', { class: 'empty-actions' }, actions) : null);
}

/** A page heading that takes focus after navigation (so keyboard users land on it). */
export function pageHeader(title, intro, eyebrow) {
  return h('div', { class: 'page-head' },
    eyebrow ? h('p', { class: 'eyebrow', text: eyebrow }) : null,
    h('h1', { tabindex: '-1', text: title }),
    intro ? h('p', { class: 'lede', text: intro }) : null);
}

export function spinner(label = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

/** Copies text: the Clipboard API, else a hidden textarea and execCommand. Answers true on success. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: fall through to the old way.
    }
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
