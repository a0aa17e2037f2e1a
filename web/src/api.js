// The admin API (docs/admin-api.md): JSON under /admin/api/, a session cookie and the
// CSRF token it came with on every change.
let csrfToken = '';
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// Called when any request finds the session gone (expired, signed out elsewhere).
export function onSessionLost(callback) {
  onSignedOut = callback;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(`/admin/api/${path}`, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check that warung is running.');
  }
  let answer = null;
  try {
    answer = await res.json();
  } catch (e) {
    throw new ApiError(res.status, 'bad_answer', `The server answered ${res.status} without JSON.`);
  }
  if (answer && answer.ok) return answer.data;
  const err = (answer && answer.error) || {};
  const e = new ApiError(res.status, err.code || 'unknown', err.message || `HTTP ${res.status}`, err.field);
  if (res.status === 401 && path !== 'login' && path !== 'me') onSignedOut(e);
  if (res.status === 429) {
    const after = res.headers.get('Retry-After');
    if (after) e.message += ` Try again in ${Math.ceil(Number(after) / 60)} minute(s).`;
  }
  throw e;
}

export const get = (path, query) => {
  const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)) : null;
  return api('GET', q && [...q].length ? `${path}?${q}` : path);
};
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
