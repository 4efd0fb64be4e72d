// Network trouble: the browser going offline, and the server going away and coming back.
// Runs in its own process (node --test isolates files), so faking the browser's
// navigator.onLine and window events here touches no other test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Herald } from '../herald.js';
import { HeraldNode, trackedWebSocket, until } from './server.js';

let node;
before(async () => { node = await HeraldNode.start(); });
after(async () => { await node?.close(); });

function fakeBrowserNetwork() {
  const target = new EventTarget();
  const navigator = { onLine: true };
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  globalThis.addEventListener = target.addEventListener.bind(target);
  globalThis.removeEventListener = target.removeEventListener.bind(target);
  return {
    goOffline() { navigator.onLine = false; target.dispatchEvent(new Event('offline')); },
    goOnline() { navigator.onLine = true; target.dispatchEvent(new Event('online')); },
  };
}

test('while the browser is offline the client waits without trying, and resumes on online', async () => {
  const net = fakeBrowserNetwork();
  const user = `off${process.pid}`;
  const tracked = trackedWebSocket();
  const herald = new Herald({ url: node.url, token: await node.token(user), WebSocket: tracked.WebSocket });
  const got = [];
  herald.on('notification', (n) => got.push(n));
  herald.connect();
  await until(() => herald.status === 'connected', 10000, 'connected');
  await node.publish({ user }, { type: 'one' });
  await until(() => got.length === 1, 5000, 'first');

  net.goOffline();
  assert.equal(herald.status, 'offline');
  await node.publish({ user }, { type: 'two' });
  await node.publish({ user }, { type: 'three' });
  await new Promise((r) => setTimeout(r, 1500)); // a client that did not pause would reconnect here
  assert.equal(tracked.opened.length, 1, 'no connection attempt while offline');
  assert.equal(got.length, 1);

  net.goOnline();
  await until(() => herald.status === 'connected', 5000, 'connected again');
  await until(() => got.length === 3, 5000, 'the two missed ones');
  assert.deepEqual(got.map((n) => n.type), ['one', 'two', 'three']);
  assert.equal(tracked.opened.length, 2);
  herald.disconnect();
});

test('a server restart on the same port and data: reconnecting, then live with everything after the last seq', async () => {
  const user = `rs${process.pid}`;
  const herald = new Herald({ url: node.url, token: await node.token(user), WebSocket: trackedWebSocket().WebSocket,
    reconnect: { baseMs: 500, maxMs: 1000, random: () => 0.5 } });
  const got = [];
  const statuses = [];
  herald.on('notification', (n) => got.push(n));
  herald.on('status', (s) => statuses.push(s));
  herald.connect();
  await until(() => herald.status === 'connected', 10000, 'connected');
  await node.publish({ user }, { type: 'before', i: 1 });
  await until(() => got.length === 1, 5000, 'first');

  await node.stop();
  await until(() => herald.status === 'reconnecting', 5000, 'reconnecting');
  await node.restart();
  // Published right away: the client may or may not be back yet; it must get both once.
  await node.publish({ user }, { type: 'after', i: 2 });
  await node.publish({ user }, { type: 'after', i: 3 });
  await until(() => herald.status === 'connected', 20000, 'connected after restart');
  await until(() => got.length === 3, 5000, 'all three');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(got.map((n) => n.i), [1, 2, 3]);
  assert.ok(statuses.includes('reconnecting'));
  herald.disconnect();
});
