// /test-notifications: connection status, the live list of received notifications, and a form
// that publishes a test notification to the signed-in user (POST /api/v1/dev/notify-me).
import { Herald } from '/herald.js';
import { $, el, DEMO_USERS, session, signIn, tokenProvider, avatar, describe, STATUS_TEXT } from './common.js';

let received = 0;

function showSignIn() {
  $('signin-card').hidden = false;
  $('demo-users').replaceChildren(...DEMO_USERS.map((u) => el('button', {
    class: 'btn demo-user', type: 'button', 'data-user': u.id,
    onclick: async () => {
      try {
        await signIn(u.id, u.name);
        $('signin-card').hidden = true;
        start();
      } catch (e) {
        $('signin-error').textContent = e.message;
      }
    },
  }, avatar(u.id, u.name), u.name)));
}

function start() {
  const me = session();
  for (const id of ['status-card', 'send-card', 'list-card']) $(id).hidden = false;
  $('who').textContent = `signed in as ${me.name} (${me.id})`;
  const herald = new Herald({ token: tokenProvider() });
  const facts = () => {
    $('status').textContent = herald.status;
    $('transport').textContent = herald.transport ?? '-';
    $('last-seq').textContent = herald.lastSeq ?? '-';
    $('unread').textContent = herald.unreadCount ?? '-';
    $('received').textContent = String(received);
  };
  herald.on('status', (status) => {
    $('live').dataset.status = status;
    $('live-text').textContent = STATUS_TEXT[status] ?? status;
    facts();
  });
  herald.on('unread_count', facts);
  herald.on('notification', (n) => {
    received++;
    const { title, text } = describe(n);
    $('list').prepend(el('li', { class: 'notif unread', dataset: { id: n.id, type: n.type, seq: n.seq } },
      el('span', { class: 'dot' }),
      el('div', { class: 'body' }, el('div', { class: 'title' }, title), text ? el('div', { class: 'text' }, text) : null,
        el('div', { class: 'meta' }, `${n.type} · seq ${n.seq} · ${n.created_at}`))));
    $('list-empty').hidden = true;
    facts();
  });
  $('clear').addEventListener('click', () => {
    $('list').replaceChildren();
    $('list-empty').hidden = false;
  });
  $('send-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const type = $('send-type').value.trim();
    const message = $('send-message').value;
    try {
      const r = await herald.request('POST', '/api/v1/dev/notify-me', { type, message, sent_from: 'test-notifications' });
      $('send-result').textContent = `Stored as seq ${r.seq} (${r.id}).`;
    } catch (err) {
      $('send-result').textContent = `Refused: ${err.message}`;
    }
  });
  herald.connect();
  facts();
}

if (session()) start();
else showSignIn();
