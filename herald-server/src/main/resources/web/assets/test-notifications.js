// /test-notifications: connection status, the live list of received notifications, and a form
// that publishes a test notification to the signed-in user (POST /api/v1/dev/notify-me).
import { Herald } from '/herald.js';
import { $, el, DEMO_USERS, session, signIn, tokenProvider, avatar, describe, STATUS_TEXT } from './common.js';

let received = 0;
let inboxTotal = null;

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
    $('unseen').textContent = herald.unseenCount ?? '-';
    $('inbox-total').textContent = inboxTotal ?? '-';
    $('received').textContent = String(received);
  };
  const item = (n, live) => {
    const { title, text } = describe(n);
    return el('li', { class: `notif${n.read_at ? '' : ' unread'}`, dataset: { id: n.id, type: n.type, seq: n.seq, live: String(live) } },
      el('span', { class: 'dot' }),
      el('div', { class: 'body' }, el('div', { class: 'title' }, title), text ? el('div', { class: 'text' }, text) : null,
        el('div', { class: 'meta' }, `${n.type} · seq ${n.seq} · ${n.created_at}${live ? '' : ' · stored'}`)));
  };
  // On arrival (and after each reconnect) the page shows what is already in the inbox, not only
  // what arrives live from now on.
  const loadInbox = async () => {
    const [page, counts] = await Promise.all([herald.notifications.list({ limit: 20 }), herald.notifications.count()])
      .catch(() => [null, null]);
    if (!page) return;
    inboxTotal = counts.total;
    const shown = new Set([...$('list').children].map((li) => li.dataset.id));
    for (const n of page.notifications.slice().reverse()) {
      if (!shown.has(n.id)) $('list').prepend(item(n, false));
    }
    $('list-empty').hidden = $('list').children.length > 0;
    facts();
  };
  herald.on('status', (status) => {
    $('live').dataset.status = status;
    $('live-text').textContent = STATUS_TEXT[status] ?? status;
    facts();
  });
  herald.on('unread_count', facts);
  herald.on('unseen_count', facts);
  herald.on('connected', () => { facts(); loadInbox(); });
  herald.on('notification', (n) => {
    received++;
    if (inboxTotal !== null) inboxTotal++;
    $('list').prepend(item(n, true));
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
