// Push: herald.push against a real Herald node, and herald-sw.js (as the node serves it) run in Node.
//
// Node has no Push API, so the browser's side is faked, minimally: navigator.serviceWorker,
// PushManager and Notification (FakeBrowser), backed by a push service on loopback that decrypts
// what Herald sends (RFC 8291, with node:crypto). What is real: Herald's device API, its VAPID key,
// the encrypted push with a real receipt, and the receipt marking the notification read.
//
// The worker's click handler is tested here and not in Chromium: no DevTools or WebDriver command
// clicks a notification, and a notificationclick dispatched by script is untrusted (waitUntil
// throws, openWindow is refused). Chromium shows a delivered push in PushBrowserTest.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, hkdfSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import vm from 'node:vm';
import { Herald, HeraldError } from '../herald.js';
import { HeraldNode, until } from './server.js';

let node;
let pushService;
before(async () => {
  node = await HeraldNode.start();
  pushService = await PushService.start();
});
after(async () => {
  await node?.close();
  await pushService?.close();
});

let userCounter = 0;
function nextUser() {
  return `p${process.pid}x${++userCounter}`;
}

/** A push service on 127.0.0.1: keeps each push it receives, decrypted with its subscription's keys. */
class PushService {
  static async start() {
    const service = new PushService();
    await new Promise((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  constructor() {
    this.subscriptions = new Map(); // path -> {ecdh, publicKey, auth}
    this.received = []; // {path, payload}
    this.counter = 0;
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const keys = this.subscriptions.get(req.url);
        this.received.push({ path: req.url, payload: keys ? JSON.parse(decrypt(Buffer.concat(chunks), keys)) : null });
        res.writeHead(keys ? 201 : 410).end();
      });
    });
  }

  get url() {
    return `http://127.0.0.1:${this.server.address().port}`;
  }

  /** A new subscription's endpoint and keys, as a browser's push service creates them. */
  newSubscription() {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const path = `/push/${++this.counter}`;
    const keys = { ecdh, publicKey: ecdh.getPublicKey(), auth: randomBytes(16) };
    this.subscriptions.set(path, keys);
    return { endpoint: this.url + path, path, keys };
  }

  pushesTo(endpoint) {
    const path = new URL(endpoint).pathname;
    return this.received.filter((r) => r.path === path);
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

/** RFC 8291 (aes128gcm, one record) as the user agent decrypts it. */
function decrypt(body, { ecdh, publicKey, auth }) {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const serverKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const info = Buffer.concat([Buffer.from('WebPush: info\0'), publicKey, serverKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdh.computeSecret(serverKey), auth, info, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  return padded.subarray(0, padded.lastIndexOf(2)).toString('utf8'); // the last record ends with 0x02, then zeros
}

/**
 * The browser APIs herald.push uses, installed as globals: a service worker container with one
 * registration whose PushManager subscribes at the PushService. `permission` is what the user answers.
 */
class FakeBrowser {
  constructor({ permission = 'granted', badKeys = false, hang = false } = {}) {
    this.asked = 0;
    this.registered = [];
    this.subscribeCalls = [];
    this.listeners = [];
    const browser = this;
    this.Notification = {
      permission: 'default',
      async requestPermission() {
        browser.asked++;
        this.permission = permission === 'dismissed' ? 'default' : permission;
        return this.permission;
      },
    };
    this.pushManager = {
      current: null,
      async getSubscription() {
        return this.current;
      },
      async subscribe(options) {
        browser.subscribeCalls.push(options);
        if (hang) return new Promise(() => {}); // as Chromium offline: its push service never answers
        this.current = browser.subscription(options.applicationServerKey, badKeys);
        return this.current;
      },
    };
    this.container = {
      registration: null,
      async register(script, options) {
        browser.registered.push({ script, options });
        this.registration ??= { scope: `${node.url}${options?.scope ?? '/'}`, active: { state: 'activated' }, pushManager: browser.pushManager };
        return this.registration;
      },
      async getRegistration() {
        return this.registration ?? undefined;
      },
      addEventListener(type, fn) {
        if (type === 'message') browser.listeners.push(fn);
      },
    };
  }

  /** A PushSubscription at the push service (its toJSON() is what Herald registers). */
  subscription(applicationServerKey, badKeys = false) {
    const created = pushService.newSubscription();
    const manager = this.pushManager;
    return {
      endpoint: created.endpoint,
      options: { userVisibleOnly: true, applicationServerKey: new Uint8Array(applicationServerKey).buffer },
      unsubscribed: false,
      toJSON: () => ({
        endpoint: created.endpoint,
        expirationTime: null,
        keys: { p256dh: badKeys ? 'AAAA' : created.keys.publicKey.toString('base64url'), auth: created.keys.auth.toString('base64url') },
      }),
      async unsubscribe() {
        this.unsubscribed = true;
        if (manager.current === this) manager.current = null;
        return true;
      },
    };
  }

  /** A message from the service worker to the page. */
  postToPage(data) {
    this.listeners.forEach((fn) => fn({ data }));
  }

  install() {
    this.saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { serviceWorker: this.container }, configurable: true, writable: true });
    globalThis.PushManager = class PushManager {};
    globalThis.Notification = this.Notification;
    return this;
  }

  uninstall() {
    if (this.saved) Object.defineProperty(globalThis, 'navigator', this.saved);
    else delete globalThis.navigator;
    delete globalThis.PushManager;
    delete globalThis.Notification;
  }
}

let browser = null;
afterEach(() => {
  browser?.uninstall();
  browser = null;
});

async function signedIn(options = {}) {
  const user = nextUser();
  const herald = new Herald({ url: node.url, token: await node.token(user) });
  browser = new FakeBrowser(options).install();
  return { user, herald };
}

async function devices(herald) {
  return (await herald.request('GET', '/api/v1/me/devices')).devices;
}

function serverKey() {
  return fetch(`${node.url}/api/v1/push/config`).then((r) => r.json()).then((c) => Buffer.from(c.webpush.public_key, 'base64url'));
}

describe('herald.push', () => {
  test('enable subscribes with the node\'s VAPID key and registers the subscription as the user\'s device; disable deletes it', async () => {
    const { herald } = await signedIn();
    assert.deepEqual(await herald.push.status(), { supported: true, permission: 'default', subscribed: false });

    const { deviceId } = await herald.push.enable();
    assert.match(deviceId, /^d_/);
    assert.equal(browser.asked, 1);
    assert.deepEqual(browser.registered, [{ script: '/herald-sw.js', options: undefined }]);
    assert.equal(browser.subscribeCalls.length, 1);
    assert.equal(browser.subscribeCalls[0].userVisibleOnly, true);
    assert.deepEqual(Buffer.from(browser.subscribeCalls[0].applicationServerKey), await serverKey());
    const subscription = browser.pushManager.current;
    assert.deepEqual((await devices(herald)).map((d) => [d.id, d.platform, d.endpoint]), [[deviceId, 'webpush', subscription.endpoint]]);
    assert.deepEqual(await herald.push.status(), { supported: true, permission: 'granted', subscribed: true, deviceId });

    await herald.push.disable();
    assert.deepEqual(await devices(herald), []);
    assert.equal(subscription.unsubscribed, true);
    assert.deepEqual(await herald.push.status(), { supported: true, permission: 'granted', subscribed: false });
  });

  test('enable again keeps the subscription and the device; a subscription made with another key is replaced', async () => {
    const { herald } = await signedIn();
    const first = await herald.push.enable({ serviceWorker: '/herald-sw.js', scope: '/' });
    const again = await herald.push.enable({ serviceWorker: '/herald-sw.js', scope: '/' });
    assert.equal(again.deviceId, first.deviceId);
    assert.equal(browser.subscribeCalls.length, 1, 'the existing subscription is reused');
    assert.equal(browser.asked, 1, 'a granted permission is not asked again');

    const stale = browser.subscription(randomBytes(65));
    browser.pushManager.current = stale;
    const replaced = await herald.push.enable();
    assert.equal(stale.unsubscribed, true);
    assert.equal(browser.subscribeCalls.length, 2);
    assert.notEqual(replaced.deviceId, first.deviceId);
    assert.ok((await devices(herald)).some((d) => d.id === replaced.deviceId && d.endpoint === browser.pushManager.current.endpoint));
  });

  test('a subscription Herald refuses is a HeraldError with the status and the field', async () => {
    const { herald } = await signedIn({ badKeys: true });
    await assert.rejects(herald.push.enable(), (e) => e instanceof HeraldError && e.status === 400
      && e.field === 'subscription.keys.p256dh' && /p256dh/.test(e.message));
    assert.deepEqual(await devices(herald), []);
  });

  test('without the permission or the Push API enable says why and registers nothing', async () => {
    let { herald } = await signedIn({ permission: 'denied' });
    await assert.rejects(herald.push.enable(), (e) => e.code === 'push_permission' && e.permission === 'denied'
      && /site settings/.test(e.message));
    browser.uninstall();
    ({ herald } = await signedIn({ permission: 'dismissed' }));
    await assert.rejects(herald.push.enable(), (e) => e.code === 'push_permission' && /user gesture/.test(e.message));
    assert.equal(browser.registered.length, 0);
    assert.deepEqual(await devices(herald), []);
    browser.uninstall();
    browser = null;
    await assert.rejects(herald.push.enable(), (e) => e.code === 'push_unsupported');
    assert.deepEqual(await herald.push.status(), { supported: false, permission: 'denied', subscribed: false });
  });

  test('a push service that never answers ends in push_subscribe after timeoutMs, with nothing registered', async () => {
    const { herald } = await signedIn({ hang: true });
    const started = Date.now();
    await assert.rejects(herald.push.enable({ timeoutMs: 300 }), (e) => e.code === 'push_subscribe'
      && /did not answer within 300 ms/.test(e.message));
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(await devices(herald), []);
  });

  test('a node without Web Push answers push_unavailable', async () => {
    const noPush = await HeraldNode.start(['--push-webpush', 'false']);
    try {
      const herald = new Herald({ url: noPush.url, token: await noPush.token('u1') });
      browser = new FakeBrowser().install();
      await assert.rejects(herald.push.enable(), (e) => e.code === 'push_unavailable');
      assert.equal(browser.subscribeCalls.length, 0);
    } finally {
      await noPush.close();
    }
  });

  test('disable unsubscribes even when the device is already gone from Herald', async () => {
    const { herald } = await signedIn();
    const { deviceId } = await herald.push.enable();
    await herald.request('DELETE', `/api/v1/me/devices/${deviceId}`);
    const subscription = browser.pushManager.current;
    await herald.push.disable();
    assert.equal(subscription.unsubscribed, true);
  });
});

/**
 * herald-sw.js as the node serves it, run in a vm context playing the worker's global scope:
 * showNotification, clients and setAppBadge record their calls; fetch is the real one.
 */
async function loadWorker({ windows = [], scriptUrl = `${node.url}/herald-sw.js`, pushManager } = {}) {
  const res = await fetch(`${node.url}/herald-sw.js`);
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const source = await res.text();
  const listeners = {};
  const worker = { shown: [], opened: [], fetched: [], badges: [], windows };
  const self = {
    location: new URL(scriptUrl),
    URL,
    addEventListener: (type, fn) => (listeners[type] ??= []).push(fn),
    skipWaiting: async () => {},
    navigator: { setAppBadge: async (n) => { worker.badges.push(n); } },
    registration: {
      scope: `${new URL(scriptUrl).origin}/`,
      pushManager,
      showNotification: async (title, options) => { worker.shown.push({ title, options }); },
    },
    clients: {
      claim: async () => {},
      matchAll: async () => worker.windows,
      openWindow: async (url) => { worker.opened.push(url); return { url }; },
    },
    fetch: async (url, init) => {
      worker.fetched.push({ url, init });
      return fetch(url, init);
    },
  };
  self.self = self;
  vm.runInContext(source, vm.createContext(self), { filename: 'herald-sw.js' });
  /** Fires an event at the worker and waits for everything it passed to waitUntil. */
  worker.dispatch = async (type, init) => {
    const pending = [];
    for (const fn of listeners[type] ?? []) fn({ ...init, waitUntil: (p) => pending.push(p) });
    await Promise.all(pending);
  };
  worker.push = (payload) => worker.dispatch('push', {
    data: { json: () => JSON.parse(payload), text: () => payload },
  });
  return worker;
}

/** A browser tab as clients.matchAll answers it; focus and navigate are recorded in `calls`. */
function windowAt(url, calls) {
  const tab = {
    url,
    frameType: 'top-level',
    focus: async () => { calls.push(['focus', tab.url]); return tab; },
    navigate: async (to) => { calls.push(['navigate', to]); tab.url = to; return tab; },
    postMessage: (data) => calls.push(['message', JSON.parse(JSON.stringify(data))]), // out of the worker's realm
  };
  return tab;
}

describe('herald-sw.js', () => {
  test('a push shows Herald\'s notification, and its click marks it read through the receipt and opens the url in the app\'s tab', async () => {
    const { user, herald } = await signedIn();
    const { deviceId } = await herald.push.enable();
    const endpoint = browser.pushManager.current.endpoint;
    const { notifications: [published] } = await node.publish({ user }, { type: 'order_ready', title: 'Order 17', body: 'Table 4', url: '/orders/17' },
      { push: true });
    await until(() => pushService.pushesTo(endpoint).length === 1, 10000, 'the push at the push service');
    const payload = pushService.pushesTo(endpoint)[0].payload;
    assert.equal(payload.herald, 1);
    assert.ok(payload.receipt);

    const calls = [];
    const worker = await loadWorker({ windows: [windowAt(`${node.url}/#/preferences`, calls)] });
    await worker.push(JSON.stringify(payload));
    assert.equal(worker.shown.length, 1);
    const { title, options } = worker.shown[0];
    assert.equal(title, 'Order 17');
    assert.equal(options.body, 'Table 4');
    assert.equal(options.tag, published.id);
    assert.equal(options.renotify, false);
    assert.deepEqual({ ...options.data }, { herald: 1, id: published.id, type: 'order_ready', url: '/orders/17', receipt: payload.receipt });
    assert.deepEqual(worker.badges, [1]);
    assert.equal((await herald.notifications.unreadCount()), 1);

    let closed = 0;
    await worker.dispatch('notificationclick', { notification: { data: options.data, close: () => { closed++; } } });
    assert.equal(closed, 1);
    assert.deepEqual(worker.fetched.map((f) => [f.url, f.init.method, f.init.headers['Content-Type'], f.init.body]),
      [[`${node.url}/api/v1/push/opened`, 'POST', 'application/json', JSON.stringify({ receipt: payload.receipt })]]);
    assert.equal(await herald.notifications.unreadCount(), 0, 'the receipt marked it read');
    assert.deepEqual(calls, [['focus', `${node.url}/#/preferences`], ['navigate', `${node.url}/orders/17`]]);
    assert.deepEqual(worker.opened, []);
    assert.ok(deviceId);
  });

  test('a click focuses the tab already at the url, or opens one when the app has none', async () => {
    const calls = [];
    const worker = await loadWorker({ windows: [windowAt(`${node.url}/orders/17`, calls)] });
    const data = { herald: 1, id: 'n1', type: 't', url: '/orders/17' }; // no receipt: nothing to report
    await worker.dispatch('notificationclick', { notification: { data, close() {} } });
    assert.deepEqual(calls, [['focus', `${node.url}/orders/17`]]);
    assert.deepEqual(worker.fetched, []);

    worker.windows = [];
    await worker.dispatch('notificationclick', { notification: { data, close() {} } });
    await worker.dispatch('notificationclick', { notification: { data: { herald: 1, id: 'n2', type: 't' }, close() {} } });
    assert.deepEqual(worker.opened, [`${node.url}/orders/17`, `${node.url}/`]);
  });

  test('a push that is not Herald\'s shows a generic notification in Herald\'s worker and nothing in an app\'s worker that imports it', async () => {
    const own = await loadWorker();
    await own.push('{"hello":"world"}');
    await own.push('not json');
    assert.deepEqual(own.shown.map((s) => s.title), ['New notification', 'New notification']);

    const imported = await loadWorker({ scriptUrl: 'https://app.example/sw.js?herald=https://herald.example' });
    await imported.push('{"hello":"world"}');
    assert.deepEqual(imported.shown, []);
    const clicked = [];
    await imported.dispatch('notificationclick', { notification: { data: { app: 'its own' }, close: () => clicked.push('closed') } });
    assert.deepEqual(clicked, [], 'the app\'s own notifications are left to the app');
  });

  test('imported from another origin, the receipt goes to Herald\'s origin named by ?herald=', async () => {
    const worker = await loadWorker({ scriptUrl: `https://app.example/sw.js?herald=${encodeURIComponent(node.url)}` });
    await worker.dispatch('notificationclick', {
      notification: { data: { herald: 1, id: 'n1', type: 't', url: 'https://app.example/orders/1', receipt: 'not-a-receipt' }, close() {} },
    });
    assert.equal(worker.fetched[0].url, `${node.url}/api/v1/push/opened`);
    assert.equal((await worker.fetched[0].init.body), JSON.stringify({ receipt: 'not-a-receipt' }));
    assert.deepEqual(worker.opened, ['https://app.example/orders/1']);
  });

  test('a renewed subscription is posted to the open pages, whose client registers it and removes the old device', async () => {
    const { herald } = await signedIn();
    await herald.push.status(); // the page listens to its worker from the first push call on
    const { deviceId: oldId } = await herald.push.enable();
    const old = browser.pushManager.current;
    // The push service replaced the subscription: the browser holds a new one and fires the event.
    browser.pushManager.current = null;
    const pageMessages = [];
    const tab = windowAt(`${node.url}/`, pageMessages);
    const worker = await loadWorker({ windows: [tab], pushManager: browser.pushManager });
    await worker.dispatch('pushsubscriptionchange', { oldSubscription: old, newSubscription: null });
    const renewed = browser.pushManager.current;
    assert.ok(renewed, 'the worker subscribed again with the same key');
    assert.deepEqual(Buffer.from(browser.subscribeCalls.at(-1).applicationServerKey), await serverKey());
    assert.deepEqual(pageMessages, [['message', { herald: 'pushsubscriptionchange', oldEndpoint: old.endpoint, endpoint: renewed.endpoint }]]);

    browser.postToPage(pageMessages[0][1]);
    await until(async () => {
      const list = await devices(herald);
      return list.length === 1 && list[0].endpoint === renewed.endpoint;
    }, 5000, 'the renewed endpoint registered and the old device removed');
    const status = await herald.push.status();
    assert.equal(status.subscribed, true);
    assert.notEqual(status.deviceId, oldId);
  });
});
