// Herald's service worker: shows Herald's Web Push notifications and reports their opening.
// Served by every Herald node at /herald-sw.js (docs/client-js.md#push-notifications).
//
// Two ways to use it:
// - Herald serves the app (as the demo does): register /herald-sw.js itself, scope '/'.
// - The app is on another origin: a service worker must come from the page's own origin, so the
//   app's worker file imports this one and names Herald's origin in its own URL:
//     navigator.serviceWorker.register('/sw.js?herald=https://herald.example.com')
//     // sw.js:  importScripts('https://herald.example.com/herald-sw.js');
//   The receipt of an opened push then goes to that origin (list the app in --cors-origins).
//
// A push whose payload is not Herald's ({"herald": 1, ...}) is shown as "New notification" by
// Herald's own worker (Chrome subscribes with userVisibleOnly: every push must show something);
// imported into an app's worker, it is left to the app's own push listeners.

/* global self, clients */
const OWN_WORKER = /\/herald-sw\.js$/.test(self.location.pathname);
const HERALD_ORIGIN = heraldOrigin();

function heraldOrigin() {
  const given = new URL(self.location.href).searchParams.get('herald');
  if (!given) return self.location.origin;
  try {
    return new URL(given).origin;
  } catch {
    return self.location.origin;
  }
}

if (OWN_WORKER) {
  // Take over open pages at once, so a click can navigate the tab the user already has.
  self.addEventListener('install', () => self.skipWaiting());
  self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
}

function parsePayload(data) {
  if (!data) return null;
  try {
    const payload = data.json();
    return payload && payload.herald === 1 ? payload : null;
  } catch {
    return null;
  }
}

self.addEventListener('push', (event) => {
  const payload = parsePayload(event.data);
  if (!payload) {
    if (OWN_WORKER) event.waitUntil(self.registration.showNotification('New notification'));
    return;
  }
  const shown = self.registration.showNotification(payload.title || 'New notification', {
    body: payload.body || '',
    icon: payload.icon,
    tag: payload.tag || payload.id,
    renotify: false,
    data: { herald: 1, id: payload.id, type: payload.type, url: payload.url, receipt: payload.receipt },
  });
  // `badge` is the user's unseen count: the app icon's badge where the Badging API exists
  // (Notification's own `badge` option is an image URL, not a number).
  const badge = typeof payload.badge === 'number' && self.navigator?.setAppBadge
    ? self.navigator.setAppBadge(payload.badge).catch(() => {}) : null;
  event.waitUntil(Promise.all([shown, badge]));
});

self.addEventListener('notificationclick', (event) => {
  const data = event.notification.data;
  if (!data || data.herald !== 1) return; // not Herald's: the app's own listeners handle it
  event.notification.close();
  event.waitUntil(Promise.all([reportOpened(data.receipt), openApp(data.url)]));
});

/** The receipt is the only credential: it marks the notification read for its user. */
async function reportOpened(receipt) {
  if (!receipt) return;
  try {
    await fetch(`${HERALD_ORIGIN}/api/v1/push/opened`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ receipt }),
      credentials: 'omit',
    });
  } catch {
    // Offline or refused: the notification stays unread in the inbox, nothing else is lost.
  }
}

/** Focuses a window showing `url` (or navigates one of the app's windows there), else opens one. */
async function openApp(url) {
  const scope = self.registration.scope;
  const target = new URL(url || scope, scope).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const exact = windows.find((w) => w.url === target);
  if (exact) return exact.focus();
  const sameOrigin = new URL(target).origin === self.location.origin;
  // navigate() works only on a window this worker controls.
  const ours = sameOrigin ? windows.find((w) => w.url.startsWith(scope) && w.frameType !== 'nested') : null;
  if (ours) {
    try {
      const focused = await ours.focus();
      const moved = await focused.navigate(target);
      if (moved) return moved;
    } catch {
      // not controlled by this worker: open a window instead
    }
  }
  return self.clients.openWindow(target);
}

// The push service replaced the subscription (Firefox does this; Chrome rarely). Subscribing
// again needs no credential, but registering the new endpoint with Herald needs the user's token,
// which only the page has: tell the open pages, whose herald.js registers it (push.status() or
// push.enable() must have run there once). With no page open, the next push.enable() does it.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    let subscription = event.newSubscription;
    const key = event.oldSubscription?.options?.applicationServerKey;
    if (!subscription && key) {
      subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    }
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const w of windows) {
      w.postMessage({
        herald: 'pushsubscriptionchange',
        oldEndpoint: event.oldSubscription?.endpoint ?? null,
        endpoint: subscription?.endpoint ?? null,
      });
    }
  })());
});
