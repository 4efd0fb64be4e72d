// The hooks against a real Herald node, rendered with react-dom into happy-dom.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { QueryClient } from '@tanstack/react-query';
import {
  HeraldProvider, useConnectionStatus, useConversation, useHerald, useInvalidateOnNotification, useNotifications,
  usePresence, useUnreadCount, useUnseenCount,
} from '../index.js';
import { h, HeraldNode, openSockets, Probe, render, skipWithoutJar, trackedWebSocket, unmountAll, until } from './support.js';

const { StrictMode } = React;
const ORDER_TYPES = ['order_*', 'payment_status_changed'];
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

describe('herald-react against a real Herald', { skip: skipWithoutJar }, () => {
  let node;
  before(async () => { node = await HeraldNode.start(); });
  afterEach(unmountAll);
  after(async () => { await node?.close(); });

  /** Publishes to one user as an app backend does; answers the notification's id. */
  const publish = async (user, notification) => (await node.publish({ user }, notification)).ids[0];

  let users = 0;
  /** A fresh user: its provider options (with a WebSocket that counts the sockets opened) and id. */
  async function user(name) {
    const id = `${name.toLowerCase()}${process.pid}x${++users}`;
    const tracked = trackedWebSocket();
    const options = { url: node.url, token: await node.token(id, name), WebSocket: tracked.WebSocket };
    return { id, tracked, options };
  }

  test('StrictMode: one socket for every hook of a provider, each listener once, the socket closed on unmount', async () => {
    const ann = await user('Ann');
    const out = { status: {}, feed: {}, unread: {}, unseen: {}, herald: {} };
    const seen = [];
    // Every status from the start (a render runs before any effect): a close and reopen would show.
    const statuses = [];
    const recordStatuses = () => {
      const herald = useHerald();
      if (statuses.length === 0 && herald.listenerCount('status') === 0) herald.on('status', (st) => statuses.push(st));
    };
    const app = h(StrictMode, null, h(HeraldProvider, { options: ann.options },
      h(Probe, { use: recordStatuses, out: {} }),
      h(Probe, { use: useConnectionStatus, out: out.status }),
      h(Probe, { use: () => useNotifications({ onNotification: (n) => seen.push(n.id) }), out: out.feed }),
      h(Probe, { use: useUnreadCount, out: out.unread }),
      h(Probe, { use: useUnseenCount, out: out.unseen }),
      h(Probe, { use: useHerald, out: out.herald })));
    const view = render(app);

    await until(() => out.status.current === 'connected', 10_000, 'status connected');
    assert.equal(out.unread.current, 0);
    assert.equal(out.unseen.current, 0);
    await pause(300); // room for a second socket, were one opened
    assert.equal(ann.tracked.opened.length, 1, 'mount, unmount, mount opened one socket');
    assert.deepEqual(statuses, ['connecting', 'connected'], 'never closed and reopened');
    assert.equal(await openSockets(node), 1, 'and Herald sees one');
    assert.equal(out.herald.current.listenerCount('notification'), 1, 'the feed listens once');

    const id = await publish(ann.id, { type: 'order_created', order_id: 1 });
    await until(() => out.feed.current.notifications.length === 1, 5000, 'the live notification');
    await pause(200);
    assert.deepEqual(seen, [id], 'onNotification once per notification');

    view.unmount();
    await until(async () => (await openSockets(node)) === 0, 5000, 'Herald sees the socket closed');
    assert.equal(ann.tracked.opened[0].readyState, 3, 'the client closed it');
    assert.equal(out.herald.current.status, 'closed');
  });

  test('useNotifications: the inbox page, then live ones on top; counts follow; markRead updates both', async () => {
    const ben = await user('Ben');
    const old = await publish(ben.id, { type: 'order_created', order_id: 1 });
    const feed = {};
    const view = render(h(HeraldProvider, { options: ben.options }, h(Probe, { use: () => useNotifications({ limit: 5 }), out: feed })));

    await until(() => !feed.current.loading && feed.current.unreadCount === 1, 10_000, 'the page and the counts');
    assert.deepEqual(feed.current.notifications.map((n) => n.id), [old]);

    const live = await publish(ben.id, { type: 'general_announcement', message: 'hello' });
    await until(() => feed.current.unreadCount === 2, 5000, 'unread 2');
    assert.deepEqual(feed.current.notifications.map((n) => n.id), [live, old], 'newest first, each once');
    assert.equal(feed.current.notifications[0].message, 'hello');
    assert.equal(feed.current.unseenCount, 2);

    await feed.current.markRead(old);
    await until(() => feed.current.unreadCount === 1, 5000, 'unread 1 after markRead');
    await until(() => feed.current.notifications.find((n) => n.id === old).read_at, 5000, 'the item shows read');
    assert.equal(feed.current.notifications.find((n) => n.id === live).read_at ?? null, null);
    view.unmount();
  });

  test('useNotifications types: the page and the live feed hold only those types; onNotification only for them', async () => {
    const cem = await user('Cem');
    await publish(cem.id, { type: 'general_announcement' });
    const oldOrder = await publish(cem.id, { type: 'order_completed', order_id: 7 });
    const feed = {};
    const calls = [];
    const view = render(h(HeraldProvider, { options: cem.options },
      h(Probe, { use: () => useNotifications({ types: ORDER_TYPES, onNotification: (n) => calls.push(n.type) }), out: feed })));
    await until(() => feed.current.loading === false && feed.current.unreadCount === 2, 10_000, 'the page');
    assert.deepEqual(feed.current.notifications.map((n) => n.id), [oldOrder], 'the page: order types only');

    await publish(cem.id, { type: 'general_announcement' });
    await publish(cem.id, { type: 'order_created', order_id: 8 });
    await publish(cem.id, { type: 'payment_status_changed', order_id: 8 });
    await publish(cem.id, { type: 'promo' });
    await until(() => feed.current.unreadCount === 6, 5000, 'every notification counted');
    await pause(200);
    assert.deepEqual(calls, ['order_created', 'payment_status_changed']);
    assert.deepEqual(feed.current.notifications.map((n) => n.type), ['payment_status_changed', 'order_created', 'order_completed']);
    view.unmount();
  });

  test('useInvalidateOnNotification: invalidates or updates a TanStack query on matching types only', async () => {
    const dan = await user('Dan');
    const client = new QueryClient();
    client.setQueryData(['orders'], []);
    client.setQueryData(['order', 5], { status: 'new' });
    const status = {};
    const view = render(h(HeraldProvider, { options: dan.options },
      h(Probe, { use: useConnectionStatus, out: status }),
      h(Probe, { use: () => useInvalidateOnNotification(client, { types: ['order_created'], queryKey: ['orders'] }), out: {} }),
      h(Probe, {
        use: () => useInvalidateOnNotification(client, {
          types: ['order_status_changed'], queryKey: (n) => ['order', n.order_id], update: (old, n) => ({ ...old, status: n.status }),
        }),
        out: {},
      })));
    await until(() => status.current === 'connected', 10_000, 'connected');

    await publish(dan.id, { type: 'general_announcement' });
    await publish(dan.id, { type: 'order_status_changed', order_id: 5, status: 'cooking' });
    await until(() => client.getQueryData(['order', 5]).status === 'cooking', 5000, 'the order updated in the cache');
    assert.equal(client.getQueryState(['orders']).isInvalidated, false, 'other types invalidate nothing');

    await publish(dan.id, { type: 'order_created', order_id: 6 });
    await until(() => client.getQueryState(['orders']).isInvalidated, 5000, 'orders invalidated');
    view.unmount();
    client.clear();
  });

  test('useConversation: history, then a chat exchange with acks, typing and read receipts; a shared join outlives one hook, the last one leaves', async () => {
    const eve = await user('Eve');
    const fay = await user('Fay');
    const { conversation } = await (await fetch(`${node.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${eve.options.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'direct', members: [fay.id] }),
    })).json();
    const cid = conversation.id;
    const e = {}, f = {}, f2 = {};
    const eveView = render(h(StrictMode, null, h(HeraldProvider, { options: eve.options },
      h(Probe, { use: () => useConversation(cid), out: e }))));
    await until(() => e.current.conversation !== null && !e.current.loading, 10_000, 'eve joined');
    const first = await e.current.send('Hey, are you available?');
    assert.equal(first.seq, 1, 'send resolves with the stored message (the ack)');

    // Fay opens the conversation in two components of one provider: one join, shared.
    let showFirst = true, showSecond = true;
    const FayApp = () => h(HeraldProvider, { options: fay.options },
      showFirst ? h(Probe, { use: () => useConversation(cid), out: f }) : null,
      showSecond ? h(Probe, { use: () => useConversation(cid), out: f2 }) : null);
    const fayView = render(h(StrictMode, null, h(FayApp)));
    await until(() => f.current.conversation !== null && !f.current.loading, 10_000, 'fay joined');
    assert.deepEqual(f.current.messages.map((m) => m.content), ['Hey, are you available?'], 'the history');
    assert.equal(fay.tracked.opened.filter((s) => s.url.includes('/ws/chat')).length, 1, 'one chat socket');

    f.current.typing();
    await until(() => e.current.typingUsers.includes(fay.id), 5000, 'eve sees fay typing');
    f.current.stopTyping();
    await until(() => e.current.typingUsers.length === 0, 5000, 'and stop');

    const reply = await f.current.send('Yes, for an hour');
    await until(() => e.current.messages.length === 2, 5000, 'eve gets the reply');
    assert.equal(reply.seq, 2);

    showSecond = false;
    fayView.root.render(h(StrictMode, null, h(FayApp)));
    await pause(300);
    await e.current.send('Great');
    await until(() => f.current.messages.length === 3, 5000, 'fay still joined after the second hook left');
    await f.current.markRead(); // up to the last message shown
    await until(() => e.current.readBy[fay.id] === 3, 5000, 'eve gets the read receipt');
    await pause(200);
    assert.deepEqual(e.current.messages.map((m) => m.seq), [1, 2, 3], 'each message once, in order');
    assert.deepEqual(f.current.messages.map((m) => m.content), ['Hey, are you available?', 'Yes, for an hour', 'Great']);
    const notified = async (text) => {
      const r = await fetch(`${node.url}/api/v1/me/notifications`, { headers: { Authorization: `Bearer ${fay.options.token}` } });
      return (await r.json()).notifications.filter((n) => n.type === 'new_message' && n.content_preview.startsWith(text)).length;
    };
    assert.equal(await notified('Hey'), 1, 'notified of the message sent before fay opened the chat');
    assert.equal(await notified('Great'), 0, 'in the chat: no new_message notification');

    // The last component showing it unmounts (the provider stays): fay left the chat.
    showFirst = false;
    fayView.root.render(h(StrictMode, null, h(FayApp)));
    await pause(300);
    await e.current.send('Bye');
    await until(async () => (await notified('Bye')) === 1, 5000, 'a new_message notification once out of the chat');
    eveView.unmount();
    fayView.unmount();
  });

  test('usePresence: loaded first, then live online and offline of a conversation partner', async () => {
    const gus = await user('Gus');
    const hal = await user('Hal');
    await fetch(`${node.url}/api/v1/conversations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gus.options.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'direct', members: [hal.id] }),
    });
    // What an app's backend answers from GET /api/v1/presence; the dev route stands in for it.
    const loadPresence = async (id) => {
      const r = await fetch(`${node.url}/api/v1/dev/presence?users=${id}`, { headers: { Authorization: `Bearer ${gus.options.token}` } });
      return (await r.json()).users[0];
    };
    const p = {};
    const chat = {};
    const gusView = render(h(HeraldProvider, { options: gus.options, loadPresence },
      h(Probe, { use: () => usePresence(hal.id), out: p }),
      h(Probe, { use: () => useConnectionStatus('chat'), out: chat })));
    await until(() => p.current.online === false, 10_000, 'hal offline, as loaded');
    await until(() => chat.current === 'connected', 10_000, 'the hook opened the chat connection');

    const halView = render(h(HeraldProvider, { options: hal.options }, h(Probe, { use: useConnectionStatus, out: {} })));
    await until(() => p.current.online === true, 10_000, 'hal online, live');
    halView.unmount();
    await until(() => p.current.online === false, 10_000, 'hal offline after the grace period');
    assert.ok(p.current.lastSeen, 'with a last seen time');
    gusView.unmount();
  });
});
