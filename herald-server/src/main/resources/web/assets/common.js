// Shared by the demo app and /test-notifications: demo sign-in and small DOM helpers.

const SESSION_KEY = 'herald.demo.session';

export const DEMO_USERS = [
  { id: 'alice', name: 'Alice Martin' },
  { id: 'bob', name: 'Bob Chen' },
  { id: 'carol', name: 'Carol Diaz' },
];

/** Creates an element; attributes, then children (strings become text, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

export const $ = (id) => document.getElementById(id);

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY)) ?? null;
  } catch {
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Mints a development token (POST /api/v1/dev/token, only on a node started with --dev). */
export async function signIn(userId, name) {
  const res = await fetch('/api/v1/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: userId, name: name || userId }),
  });
  if (res.status === 404) throw new Error('Demo sign-in is off: start Herald with --dev to try the demo.');
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `sign-in failed (${res.status})`);
  const s = { id: String(userId), name: name || String(userId), token: body.token, expiresAt: body.expires_at };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  return s;
}

/** The token provider handed to Herald: the stored token, minted again when it is about to expire. */
export function tokenProvider() {
  return async () => {
    const s = session();
    if (!s) throw new Error('signed out');
    if (Date.parse(s.expiresAt) - Date.now() < 60_000) return (await signIn(s.id, s.name)).token;
    return s.token;
  };
}

export function initials(name) {
  return String(name).split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
}

export function colorOf(id) {
  let h = 0;
  for (const ch of String(id)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `hsl(${h % 360} 55% 48%)`;
}

export function avatar(id, name, cls = '') {
  const node = el('span', { class: `avatar ${cls}`.trim(), title: name }, initials(name));
  node.style.background = colorOf(id);
  return node;
}

export function timeAgo(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/** A readable title and text for any notification (the app's own `message` when it has one). */
export function describe(n) {
  const pretty = n.type.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
  if (n.type === 'new_message') return { title: n.message ?? 'New message', text: n.content_preview ?? '' };
  return { title: n.title ?? pretty, text: n.message ?? n.body ?? '' };
}

export const STATUS_TEXT = {
  idle: 'Connecting…', connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…',
  offline: 'Offline', closed: 'Disconnected',
};

export function badgeText(count) {
  return count > 99 ? '99+' : String(count);
}
