// The account API, called with the API key kept in sessionStorage (never in a URL or a cookie),
// or, in portal mode, with the portal's session cookie (see portal.js).
import * as portal from './portal.js';

const KEY = 'chatwire.apiKey';

export const session = {
  get key() {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Storage may be disabled; nothing to clear then.
    }
  },
};

/** A refusal or failure, with the API's own words in `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = () => {};

/** Called when a signed-in call answers 401: the key was revoked or the account suspended. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * Calls the API. Answers the parsed JSON (null for 204), or `{json, text}` with `raw: true`;
 * throws ApiError with the API's `message` for any refusal.
 */
export async function call(method, path, body, { key = session.key, raw = false, signal } = {}) {
  const routed = portal.route(method, path);
  const headers = { Accept: 'application/json', ...routed.headers };
  if (key && !portal.active) {
    headers.Authorization = `Bearer ${key}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(routed.path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: portal.active ? 'same-origin' : 'omit',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'network', 'Cannot reach the Chatwire server. Check that it is running and try again.');
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw refusal(response, json, key);
  }
  return raw ? { json, text } : json;
}

function refusal(response, json, key) {
  const message = (json && typeof json.message === 'string' && json.message)
    || `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  const error = new ApiError(response.status, (json && json.error) || `http_${response.status}`, message);
  if (response.status === 401 && (portal.active || (key && key === session.key))) {
    unauthorizedHandler(error);
  }
  return error;
}

/**
 * Opens a server-sent events stream with fetch(), authenticated like every other call (EventSource
 * cannot send the Authorization header, and the key must never go into a URL). Answers the open
 * Response, whose body the caller reads; throws ApiError for a refusal.
 */
export async function openStream(path, { lastEventId, signal, key = session.key } = {}) {
  const routed = portal.route('GET', path);
  const headers = { Accept: 'text/event-stream', ...routed.headers };
  if (key && !portal.active) {
    headers.Authorization = `Bearer ${key}`;
  }
  if (lastEventId) {
    headers['Last-Event-ID'] = lastEventId;
  }
  let response;
  try {
    response = await fetch(routed.path, {
      method: 'GET', headers, cache: 'no-store', credentials: portal.active ? 'same-origin' : 'omit', signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, 'network', 'Cannot reach the Chatwire server.');
  }
  if (!response.ok || !response.body) {
    let json = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }
    throw refusal(response, json, key);
  }
  return response;
}

export const get = (path, options) => call('GET', path, undefined, options);
export const post = (path, body, options) => call('POST', path, body ?? {}, options);
export const patch = (path, body, options) => call('PATCH', path, body, options);
export const del = (path, options) => call('DELETE', path, undefined, options);

/** A path with a query string of the given parameters, leaving out empty ones. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      q.set(name, String(value));
    }
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const enc = encodeURIComponent;

export const EVENT_TYPES = ['chat', 'lead-submission', 'live-chat-escalation'];

/** An endpoint's content_type choices, each with the content-type header its deliveries carry. */
export const CONTENT_TYPES = {
  'text/plain': 'text/plain; charset=utf-8',
  'application/json': 'application/json',
};
