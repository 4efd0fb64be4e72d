// The notification side of herald.js against a real Herald node (the built JAR).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Herald, backoffDelay, tokenExpiry } from '../herald.js';
import { BlockedWebSocket, HeraldNode, signToken, trackedWebSocket, until } from './server.js';

let node;
before(async () => { node = await HeraldNode.start(); });
after(async () => { await node?.close(); });

let userCounter = 0;
function nextUser() {
  return `u${process.pid}x${++userCounter}`;
}

function client(token, options = {}) {
  const tracked = trackedWebSocket();
  const herald = new Herald({ url: node.url, token, WebSocket: tracked.WebSocket, reconnect: { baseMs: 200, maxMs: 800, random: () => 0.5 }, ...options });
  const got = [];
  const statuses = [];
  herald.on('notification', (n) => got.push(n));
  herald.on('status', (s) => statuses.push(s));
  return { herald, got, statuses, tracked };
}

describe('backoff', () => {
  test('full jitter stays below 1, 2, 4, 8, 16 s and is capped at 16 s', () => {
    const ceilings = [1000, 2000, 4000, 8000, 16000, 16000, 16000];
    ceilings.forEach((ceiling, attempt) => {
      assert.equal(backoffDelay(attempt, { random: () => 0.999999 }), ceiling - 1);
      assert.equal(backoffDelay(attempt, { random: () => 0 }), 0);
    });
    assert.equal(backoffDelay(40, { baseMs: 1000, maxMs: 16000, random: () => 0.5 }), 8000);
  });

  test('a token without exp has no expiry and a garbage token is not a crash', () => {
    assert.equal(tokenExpiry(signToken({ sub: 'a' })), null);
    assert.equal(tokenExpiry(signToken({ sub: 'a', exp: 100 })), 100_000);
    assert.equal(tokenExpiry('not-a-jwt'), null);
  });
});

describe('notifications over WebSocket', () => {
  test('live notifications arrive in seq order with the unread count, and type listeners see only their type', async () => {
    const user = nextUser();
    const { herald, got, statuses, tracked } = client(await node.token(user));
    const orders = [];
    const counts = [];
    herald.on('notification:order_created', (n) => orders.push(n));
    herald.on('unread_count', (c) => counts.push(c));
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    await node.publish({ user }, { type: 'order_created', order_id: 1 });
    await node.publish({ user }, { type: 'general_announcement', message: 'hi' });
    await node.publish({ user }, { type: 'order_created', order_id: 2 });
    await until(() => got.length === 3, 5000, 'three notifications');
    assert.deepEqual(got.map((n) => n.type), ['order_created', 'general_announcement', 'order_created']);
    assert.deepEqual(got.map((n) => n.seq), [1, 2, 3]);
    assert.deepEqual(orders.map((n) => n.order_id), [1, 2]);
    await until(() => herald.unreadCount === 3, 5000, 'unread 3');
    assert.equal(counts.at(-1), 3);
    assert.deepEqual(statuses.slice(0, 2), ['connecting', 'connected']);
    assert.equal(herald.transport, 'websocket');
    assert.equal(tracked.opened.length, 1);
    herald.disconnect();
    assert.equal(herald.status, 'closed');
  });

  test('the types option filters on the server', async () => {
    const user = nextUser();
    const { herald, got } = client(await node.token(user), { types: ['order_*'] });
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    await node.publish({ user }, { type: 'general_announcement' });
    await node.publish({ user }, { type: 'order_completed', order_id: 9 });
    await until(() => got.length === 1, 5000, 'the order notification');
    assert.equal(got[0].type, 'order_completed');
    herald.disconnect();
  });

  test('connect twice and the same listener twice still mean one socket and one call', async () => {
    const user = nextUser();
    const { herald, tracked } = client(await node.token(user));
    let calls = 0;
    const listener = () => { calls++; };
    herald.on('notification', listener);
    herald.on('notification', listener);
    assert.equal(herald.listenerCount('notification'), 2); // the helper's own one plus ours
    herald.connect();
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    herald.connect();
    await node.publish({ user }, { type: 'ping_test' });
    await until(() => calls === 1, 5000, 'one call');
    assert.equal(tracked.opened.length, 1);
    herald.off('notification', listener);
    await node.publish({ user }, { type: 'ping_test' });
    await until(() => herald.lastSeq === 2, 5000, 'the second notification');
    assert.equal(calls, 1);
    herald.disconnect();
  });

  test('a dropped connection resumes from the last seq: nothing missed, nothing twice', async () => {
    const user = nextUser();
    const { herald, got, statuses, tracked } = client(await node.token(user), { reconnect: { baseMs: 600, maxMs: 600, random: () => 1 } });
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    for (let i = 1; i <= 3; i++) await node.publish({ user }, { type: 'step', i });
    await until(() => got.length === 3, 5000, 'first three');
    tracked.live()[0].terminate(); // a network failure: no close frame
    await until(() => herald.status === 'reconnecting', 5000, 'reconnecting');
    for (let i = 4; i <= 8; i++) await node.publish({ user }, { type: 'step', i }); // while away
    await until(() => herald.status === 'connected', 5000, 'connected again');
    for (let i = 9; i <= 10; i++) await node.publish({ user }, { type: 'step', i });
    await until(() => got.length >= 10, 5000, 'ten notifications');
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive in this window
    assert.deepEqual(got.map((n) => n.i), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(got.map((n) => n.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(statuses.includes('reconnecting'));
    assert.equal(tracked.opened.length, 2);
    herald.disconnect();
  });

  test('an expired token makes the client ask its provider again and resume (4001)', async () => {
    const user = nextUser();
    let calls = 0;
    const provider = async () => {
      calls++;
      // First a token that expires in 2 s (Herald closes with 4001), then a long one.
      const exp = Math.floor(Date.now() / 1000) + (calls === 1 ? 2 : 3600);
      return signToken({ sub: user, exp });
    };
    const { herald, got, statuses } = client(provider);
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    await node.publish({ user }, { type: 'before_expiry' });
    await until(() => statuses.filter((s) => s === 'connected').length >= 2, 15000, 'the second connection');
    await node.publish({ user }, { type: 'after_expiry' });
    await until(() => got.length === 2, 5000, 'both notifications');
    assert.ok(calls >= 2, `provider called ${calls} times`);
    assert.deepEqual(got.map((n) => n.type), ['before_expiry', 'after_expiry']);
    herald.disconnect();
  });

  test('a refused stream is final: type=user with another id stops with 403, no reconnect loop', async () => {
    const user = nextUser();
    const errors = [];
    const { herald, tracked } = client(await node.token(user), { stream: { type: 'user', id: 'someone-else' }, transports: ['sse'] });
    herald.on('error', (e) => errors.push(e));
    herald.connect();
    await until(() => herald.status === 'closed', 10000, 'closed');
    assert.equal(errors[0].code, 403);
    assert.equal(tracked.opened.length, 0);
  });

  test('after the configured attempts against a dead port the client gives up', async () => {
    const errors = [];
    const herald = new Herald({ url: 'http://127.0.0.1:9', token: 'x', WebSocket: trackedWebSocket().WebSocket,
      reconnect: { attempts: 2, baseMs: 20, maxMs: 40, random: () => 0.5 } });
    herald.on('error', (e) => errors.push(e));
    herald.connect();
    await until(() => herald.status === 'closed', 10000, 'closed');
    assert.equal(errors.at(-1).code, 'gave_up');
  });
});

describe('fallbacks', () => {
  test('with WebSockets blocked it streams over SSE and resumes with Last-Event-ID', async () => {
    const user = nextUser();
    const { herald, got } = client(await node.token(user), { WebSocket: BlockedWebSocket });
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    assert.equal(herald.transport, 'sse');
    await node.publish({ user }, { type: 'over_sse', i: 1 });
    await until(() => got.length === 1, 5000, 'first');
    herald.disconnect();
    await node.publish({ user }, { type: 'over_sse', i: 2 });
    herald.connect();
    await until(() => got.length === 2, 10000, 'the one published while away');
    await node.publish({ user }, { type: 'over_sse', i: 3 });
    await until(() => got.length === 3, 5000, 'live again');
    assert.deepEqual(got.map((n) => n.i), [1, 2, 3]);
    assert.equal(herald.transport, 'sse');
    herald.disconnect();
  });

  test('with WebSockets and SSE blocked it polls the inbox API', async () => {
    const user = nextUser();
    const blockSse = (url, init) => (String(url).includes('/sse/') ? Promise.reject(new TypeError('blocked')) : fetch(url, init));
    const { herald, got } = client(await node.token(user), { WebSocket: BlockedWebSocket, fetch: blockSse, pollIntervalMs: 150 });
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    assert.equal(herald.transport, 'polling');
    for (let i = 1; i <= 3; i++) await node.publish({ user }, { type: 'polled', i });
    await until(() => got.length === 3, 5000, 'three polled');
    await until(() => herald.unreadCount === 3, 5000, 'unread 3');
    await new Promise((r) => setTimeout(r, 400)); // two more polls must not repeat anything
    assert.deepEqual(got.map((n) => n.i), [1, 2, 3]);
    assert.ok(got.every((n) => !('read_at' in n)), 'polled notifications look like socket frames');
    herald.disconnect();
  });
});

describe('inbox helpers', () => {
  test('list, unread count, mark read and read all keep the unread count in step', async () => {
    const user = nextUser();
    const { herald } = client(await node.token(user));
    const counts = [];
    herald.on('unread_count', (c) => counts.push(c));
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    for (let i = 1; i <= 3; i++) await node.publish({ user }, { type: i === 2 ? 'order_created' : 'general', i });
    const page = await herald.notifications.list({ limit: 2 });
    assert.equal(page.notifications.length, 2);
    assert.equal(page.unread_count, 3);
    assert.ok(page.next_cursor);
    const orders = await herald.notifications.list({ type: 'order_*' });
    assert.deepEqual(orders.notifications.map((n) => n.i), [2]);
    assert.equal(await herald.notifications.unreadCount(), 3);
    const marked = await herald.notifications.markRead(page.notifications[0].id);
    assert.equal(marked.unread_count, 2);
    assert.equal((await herald.notifications.readAll()).unread_count, 0);
    await until(() => herald.unreadCount === 0, 5000, 'unread 0');
    await assert.rejects(herald.notifications.markRead('00000000-0000-0000-0000-000000000000'), (e) => e.code === 404);
    herald.disconnect();
  });

  test('seen, archive and bulk in one tab reach the other tab as inbox events with both counts', async () => {
    const user = nextUser();
    const token = await node.token(user);
    const { herald: tab1 } = client(token);
    const { herald: tab2 } = client(token);
    const changes = [];
    const badges = [];
    tab2.on('inbox', (frame) => changes.push(frame));
    tab2.on('unseen_count', (c) => badges.push(c));
    tab1.connect();
    tab2.connect();
    await until(() => tab1.status === 'connected' && tab2.status === 'connected', 10000, 'both connected');
    const orders = [];
    for (let i = 0; i < 3; i++) {
      const body = await node.publish({ user }, { type: 'n', i }, { category: i < 2 ? 'orders' : 'news', tags: ['t'] });
      orders.push(body.ids[0]);
    }
    await until(() => tab2.unseenCount === 3, 5000, 'three unseen on tab 2');

    const seen = await tab1.notifications.markSeen([orders[0], orders[1]]);
    assert.equal(seen.changed, 2);
    assert.equal(tab1.unseenCount, 1);
    await until(() => changes.length === 1 && tab2.unseenCount === 1, 5000, 'tab 2 saw the seen change');
    assert.equal(changes[0].action, 'seen');
    assert.deepEqual(changes[0].ids, [orders[0], orders[1]]);

    const archived = await tab1.notifications.archive(orders[2]);
    assert.equal(archived.changed, true);
    await until(() => changes.length === 2 && tab2.unseenCount === 0, 5000, 'tab 2 saw the archive');
    assert.deepEqual(badges, [0, 1, 2, 3, 1, 0]);

    const tabs = await tab2.notifications.counts({ all: {}, orders: { category: 'orders' }, archive: { archived: true } });
    assert.deepEqual(tabs, { all: { total: 2, unread: 2, unseen: 0 }, orders: { total: 2, unread: 2, unseen: 0 },
      archive: { total: 1, unread: 1, unseen: 1 } });
    assert.deepEqual(await tab2.notifications.count({ category: 'news', archived: 'any' }), { total: 1, unread: 1, unseen: 1 });
    const feed = await tab2.notifications.list({ category: 'orders' });
    assert.deepEqual(feed.notifications.map((n) => n.id), [orders[1], orders[0]]);
    assert.ok(feed.notifications.every((n) => n.seen_at && n.category === 'orders' && n.tags[0] === 't'));

    const read = await tab1.notifications.bulk('read', { filter: { category: 'orders' } });
    assert.equal(read.changed, 2);
    await until(() => tab2.unreadCount === 0, 5000, 'tab 2 unread 0');
    await assert.rejects(tab1.notifications.bulk('explode', { ids: ['x'] }), TypeError);
    await assert.rejects(tab1.notifications.list({ archived: 'maybe' }), (e) => e.code === 400 && e.field === 'archived');
    tab1.disconnect();
    tab2.disconnect();
  });

  test('preferences: a muted category never reaches the client, and the document round-trips', async () => {
    const user = nextUser();
    const { herald, got } = client(await node.token(user));
    const saved = await herald.preferences.set({ categories: { marketing: { in_app: false } } });
    assert.equal(saved.preferences.categories.marketing.in_app, false);
    assert.deepEqual((await herald.preferences.get()).preferences, saved.preferences);
    await assert.rejects(herald.preferences.set({ channels: { sms: true } }), (e) => e.code === 400 && e.field === 'channels.sms');
    herald.connect();
    await until(() => herald.status === 'connected', 10000, 'connected');
    const promo = await node.publish({ user }, { type: 'promo' }, { category: 'marketing' });
    assert.deepEqual(promo.muted, [user]);
    await node.publish({ user }, { type: 'order_created' }, { category: 'orders' });
    await until(() => got.length === 1, 5000, 'the order');
    assert.equal(got[0].type, 'order_created');
    assert.equal(got[0].seq, 1);
    herald.disconnect();
  });
});
