// The chat side of herald.js (/ws/chat) against a real Herald node: two users talking.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Herald } from '../herald.js';
import { HeraldNode, trackedWebSocket, until } from './server.js';

let node;
before(async () => { node = await HeraldNode.start(); });
after(async () => { await node?.close(); });

async function user(id, name, options = {}) {
  const tracked = trackedWebSocket();
  const herald = new Herald({ url: node.url, token: await node.token(id, name), WebSocket: tracked.WebSocket,
    reconnect: { baseMs: 300, maxMs: 300, random: () => 1 }, typingIdleMs: 300, ...options });
  const events = [];
  for (const type of ['message', 'typing', 'stop_typing', 'read_receipt', 'presence']) herald.on(type, (e) => events.push(e));
  return { herald, events, tracked, of: (type) => events.filter((e) => e.type === type) };
}

test('two users chat: send with ack, one copy each, typing debounced, read receipts, resume after a drop', async () => {
  const ann = await user(`ann${process.pid}`, 'Ann');
  const ben = await user(`ben${process.pid}`, 'Ben');
  const { conversation } = await ann.herald.chat.create({ kind: 'direct', members: [`ben${process.pid}`] });
  const cid = conversation.id;

  const joinedA = await ann.herald.chat.join(cid);
  const joinedB = await ben.herald.chat.join(cid);
  assert.equal(joinedA.conversation_id, cid);
  assert.equal(joinedB.seq, 0);
  assert.equal(ann.tracked.opened.length, 1, 'one chat socket, opened on first use');

  // Typing on every keystroke sends one `typing`, then one `stop_typing` after the idle time.
  for (let i = 0; i < 5; i++) ann.herald.chat.typing(cid);
  await until(() => ben.of('typing').length === 1, 3000, 'typing');
  await until(() => ben.of('stop_typing').length === 1, 3000, 'stop_typing');
  assert.equal(ben.of('typing').length, 1);
  assert.equal(ann.of('typing').length, 0, 'the typist never sees their own typing');

  const stored = await ann.herald.chat.send(cid, 'Hey, are you available?');
  assert.equal(stored.seq, 1);
  assert.equal(stored.content, 'Hey, are you available?');
  await until(() => ben.of('message').length === 1, 3000, 'ben gets the message');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(ann.of('message').length, 1, 'ack and message frame make one message for the sender');

  await ben.herald.chat.read(cid, 1);
  await until(() => ann.of('read_receipt').some((r) => r.user_id === `ben${process.pid}` && r.seq === 1), 3000, 'read receipt');

  // Ann's chat socket drops; Ben keeps writing; Ann rejoins from the last seq she saw.
  ann.tracked.live()[0].terminate();
  await until(() => ann.herald.chat.status === 'reconnecting', 3000, 'chat reconnecting');
  await ben.herald.chat.send(cid, 'second');
  await ben.herald.chat.send(cid, 'third');
  await until(() => ann.herald.chat.status === 'connected', 5000, 'chat back');
  await ben.herald.chat.send(cid, 'fourth');
  await until(() => ann.of('message').length === 4, 5000, 'all four for ann');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(ann.of('message').map((m) => m.seq), [1, 2, 3, 4]);
  assert.deepEqual(ann.of('message').map((m) => m.content), ['Hey, are you available?', 'second', 'third', 'fourth']);

  // A message sent while the socket is down is sent once it is back, and stored once.
  ann.tracked.live()[0].terminate();
  await until(() => ann.herald.chat.status === 'reconnecting', 3000, 'chat reconnecting again');
  const late = await ann.herald.chat.send(cid, 'sent while away');
  assert.equal(late.seq, 5);
  await until(() => ben.of('message').length === 5, 5000, 'ben gets it');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(ben.of('message').map((m) => m.seq), [1, 2, 3, 4, 5]);

  ann.herald.disconnect();
  ben.herald.disconnect();
});

test('a member not in the chat gets the story-3 new_message notification; a stranger cannot join', async () => {
  const cy = await user(`cy${process.pid}`, 'Cy');
  const di = await user(`di${process.pid}`, 'Di Doe');
  const eve = await user(`eve${process.pid}`, 'Eve');
  const notes = [];
  cy.herald.on('notification:new_message', (n) => notes.push(n));
  cy.herald.connect();
  await until(() => cy.herald.status === 'connected', 10000, 'cy connected');
  const { conversation } = await di.herald.chat.create({ members: [`cy${process.pid}`] });
  await di.herald.chat.send(conversation.id, 'Hello Cy, are you available for a call today?');
  await until(() => notes.length === 1, 5000, 'new_message notification');
  assert.equal(notes[0].chat_id, conversation.id);
  assert.equal(notes[0].sender_name, 'Di Doe');
  assert.equal(notes[0].message, 'New message from Di Doe');

  await assert.rejects(eve.herald.chat.join(conversation.id), (e) => e.code === 'conversation_not_found');
  await assert.rejects(eve.herald.chat.send(conversation.id, 'let me in'), (e) => e.code === 'conversation_not_found');
  const list = await cy.herald.chat.conversations();
  assert.equal(list.conversations.find((c) => c.id === conversation.id).unread_count, 1);
  for (const u of [cy, di, eve]) u.herald.disconnect();
});

test('with the chat socket blocked a message is sent through the HTTP API, once', async () => {
  const { BlockedWebSocket } = await import('./server.js');
  const fay = await user(`fay${process.pid}`, 'Fay', { WebSocket: BlockedWebSocket });
  const gus = await user(`gus${process.pid}`, 'Gus');
  const { conversation } = await gus.herald.chat.create({ members: [`fay${process.pid}`] });
  await gus.herald.chat.join(conversation.id);
  const stored = await fay.herald.chat.send(conversation.id, 'over HTTP');
  assert.equal(stored.seq, 1);
  await until(() => gus.of('message').length === 1, 5000, 'gus gets it');
  assert.equal(gus.of('message')[0].content, 'over HTTP');
  await assert.rejects(fay.herald.chat.send(conversation.id, 'x'.repeat(4001)), (e) => e.status === 400);
  fay.herald.disconnect();
  gus.herald.disconnect();
});
