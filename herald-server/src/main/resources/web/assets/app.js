// The Herald demo app: bell, toasts, inbox and chat, built only on /herald.js.
import { Herald } from '/herald.js';
import {
  $, el, DEMO_USERS, session, signIn, signOut, tokenProvider, avatar, timeAgo, describe, STATUS_TEXT, badgeText,
} from './common.js';

const QUICK = [
  { label: 'Order created', category: 'orders', n: { type: 'order_created', message: 'Order #1001 received', order_id: 1001 } },
  { label: 'Order on its way', category: 'orders', n: { type: 'order_status_changed', message: 'Order #1001 is on its way', order_id: 1001, status: 'delivering' } },
  { label: 'Payment received', category: 'payments', n: { type: 'payment_status_changed', message: 'Payment for #1001 confirmed', order_id: 1001, status: 'paid' } },
  { label: 'Announcement', category: 'news', n: { type: 'general_announcement', message: 'We open at 9 tomorrow' } },
];
// The inbox's tabs: each a filter of the API (docs/api.md#filters), counted in one call.
const INBOX_TABS = [
  { id: 'all', label: 'All', filter: {} },
  { id: 'unread', label: 'Unread', filter: { read: false } },
  { id: 'orders', label: 'Orders', filter: { category: 'orders' } },
  { id: 'archived', label: 'Archived', filter: { archived: true } },
];

let me = null;
let herald = null;
const names = new Map(DEMO_USERS.map((u) => [u.id, u.name]));
const presence = new Map(); // user id -> online
const conversations = new Map(); // id -> summary from the API
let notifications = []; // the active feed, newest first, for the dropdown and the All tab
let inboxTab = 'all';
let tabItems = []; // the shown tab's page when it is not All
let current = null; // {id, partner, partnerReadSeq}
const typingUsers = new Map(); // user id -> timeout

function nameOf(id) {
  return names.get(String(id)) ?? String(id);
}

// ---------- sign in ----------

function showSignIn() {
  $('app').hidden = true;
  $('signin').hidden = false;
  const list = $('demo-users');
  list.replaceChildren(...DEMO_USERS.map((u) => el('button', {
    class: 'btn demo-user', type: 'button', 'data-user': u.id, onclick: () => doSignIn(u.id, u.name),
  }, avatar(u.id, u.name), u.name)));
}

async function doSignIn(id, name) {
  $('signin-error').textContent = '';
  try {
    await signIn(id, name);
    start();
  } catch (e) {
    $('signin-error').textContent = e.message;
  }
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  doSignIn($('signin-id').value.trim(), $('signin-name').value.trim());
});

$('signout').addEventListener('click', () => {
  herald?.disconnect();
  herald = null;
  signOut();
  location.hash = '#/';
  location.reload();
});

// ---------- app ----------

function start() {
  me = session();
  if (!me) return showSignIn();
  names.set(me.id, me.name);
  $('signin').hidden = true;
  $('app').hidden = false;
  $('me-avatar').replaceWith(Object.assign(avatar(me.id, me.name, 'small'), { id: 'me-avatar' }));
  $('quick').replaceChildren(...QUICK.map((q) => el('button', {
    class: 'btn', type: 'button',
    // With desktop notifications on, ask for a Web Push too: it shows even when no tab is open.
    onclick: () => herald.request('POST', `/api/v1/dev/notify-me?category=${q.category}${pushOn ? '&push=true' : ''}`, q.n)
      .catch(showError),
  }, q.label)));

  herald = new Herald({ token: tokenProvider() });
  herald.on('status', (status) => {
    $('live').dataset.status = status;
    $('live-text').textContent = STATUS_TEXT[status] ?? status;
  });
  herald.on('unseen_count', renderBadge);
  herald.on('notification', onNotification);
  herald.on('inbox', onInboxChange);
  herald.on('connected', () => loadNotifications());
  herald.on('message', onMessage);
  herald.on('typing', (e) => setTyping(e, true));
  herald.on('stop_typing', (e) => setTyping(e, false));
  herald.on('read_receipt', onReadReceipt);
  herald.on('presence', (e) => { presence.set(e.user_id, e.status === 'online'); renderPresence(); });
  herald.on('conversation_added', () => loadConversations());
  herald.on('chat_status', (s) => { if (s === 'connected') loadConversations(); });
  herald.connect();
  herald.chat.open();
  renderPush();
  route();
}

// ---------- desktop notifications (Web Push through /herald-sw.js) ----------

let pushOn = false;

async function renderPush(error) {
  const status = await herald.push.status().catch(() => ({ supported: false, permission: 'denied', subscribed: false }));
  pushOn = status.subscribed && !!status.deviceId;
  let text = 'off';
  if (!status.supported) text = 'not supported by this browser';
  else if (status.permission === 'denied') text = 'blocked in this browser\'s site settings';
  else if (pushOn) text = 'on for this browser';
  $('push-status').textContent = error ? `off (${error})` : text;
  $('push-row').dataset.state = pushOn ? 'on' : 'off';
  $('push-enable').hidden = pushOn || !status.supported || status.permission === 'denied';
  $('push-disable').hidden = !pushOn;
}

// A click: the browser asks for the notification permission only from a user gesture.
$('push-enable').addEventListener('click', async () => {
  $('push-enable').disabled = true;
  try {
    await herald.push.enable({ serviceWorker: '/herald-sw.js', scope: '/' });
    await renderPush();
  } catch (e) {
    await renderPush(e.message);
  } finally {
    $('push-enable').disabled = false;
  }
});

$('push-disable').addEventListener('click', async () => {
  try {
    await herald.push.disable();
    await renderPush();
  } catch (e) {
    await renderPush(e.message);
  }
});

function showError(e) {
  toast({ title: 'Something went wrong', text: e.message ?? String(e) });
}

// ---------- notifications: badge, dropdown, inbox, toasts ----------

function renderBadge(count) {
  const badge = $('badge');
  badge.hidden = !count;
  badge.textContent = badgeText(count);
  $('bell').setAttribute('aria-label', `Notifications, ${count} new`);
}

async function loadNotifications() {
  const page = await herald.notifications.list({ limit: 30 }).catch(() => null);
  if (!page) return;
  notifications = page.notifications;
  renderBadge(page.unseen_count);
  renderNotifications();
  loadTab();
}

let tabTimer = null;

/** loadTabNow once a burst of changes settles: 100 notifications cost one counts call, not 100. */
function loadTab() {
  clearTimeout(tabTimer);
  tabTimer = setTimeout(loadTabNow, 150);
}

/** The shown tab's items (All is the feed itself) and every tab's count, in one counts call. */
async function loadTabNow() {
  const tab = INBOX_TABS.find((t) => t.id === inboxTab);
  const [page, counts] = await Promise.all([
    tab.id === 'all' ? null : herald.notifications.list({ limit: 30, ...tab.filter }).catch(() => null),
    herald.notifications.counts(Object.fromEntries(INBOX_TABS.map((t) => [t.id, t.filter]))).catch(() => null),
  ]);
  if (page) tabItems = page.notifications;
  if (counts) {
    for (const t of INBOX_TABS) $(`inbox-tab-${t.id}`).querySelector('.count').textContent = String(counts[t.id].total);
  }
  renderNotifications();
}

function onNotification(n) {
  // A digest's new event replaces the group's item: one item, moved up, with the group's count.
  if (n.group_replaces) notifications = notifications.filter((x) => x.id !== n.group_replaces);
  if (!notifications.some((x) => x.id === n.id)) notifications.unshift({ ...n, read_at: null, seen_at: null });
  notifications = notifications.slice(0, 100);
  renderNotifications();
  loadTab();
  if (n.type === 'new_message') loadConversations();
  if ((n.group_count ?? 1) > 1) return; // a digest toasts once, then updates in place
  const { title, text } = describe(n);
  toast({ title, text, onclick: () => openNotification(n), kind: n.type });
}

/** Another tab or device (or this one) changed notifications: follow it here without refetching the feed. */
function onInboxChange({ action, ids }) {
  const now = new Date().toISOString();
  const changed = new Set(ids);
  if (action === 'archive' || action === 'delete') {
    notifications = notifications.filter((n) => !changed.has(n.id));
  } else if (action === 'unarchive') {
    loadNotifications();
    return;
  }
  for (const n of [...notifications, ...tabItems]) {
    if (!changed.has(n.id)) continue;
    if (action === 'seen') n.seen_at ??= now;
    if (action === 'read') { n.read_at ??= now; n.seen_at ??= now; }
    if (action === 'unread') n.read_at = null;
  }
  renderNotifications();
  loadTab();
}

function notificationItem(n, { actions = false } = {}) {
  const { title, text } = describe(n);
  const grouped = n.group_count > 1 ? el('span', { class: 'group-count' }, ` ×${n.group_count}`) : null;
  const archiveButton = actions ? el('button', {
    class: 'link-btn archive', type: 'button', title: n.archived_at ? 'Back to the inbox' : 'Archive',
    onclick: (e) => {
      e.stopPropagation();
      const call = n.archived_at ? herald.notifications.unarchive(n.id) : herald.notifications.archive(n.id);
      call.then(() => loadTab()).catch(showError);
    },
  }, n.archived_at ? 'Unarchive' : 'Archive') : null;
  return el('li', {
    class: `notif${n.read_at ? '' : ' unread'}`, dataset: { id: n.id, type: n.type }, onclick: () => openNotification(n),
  }, el('span', { class: 'dot' }), el('div', { class: 'body' },
    el('div', { class: 'title' }, title, grouped), text ? el('div', { class: 'text' }, text) : null,
    el('div', { class: 'meta' }, `${n.category ? `${n.category} · ` : ''}${n.type} · ${timeAgo(n.created_at)}`)),
  archiveButton);
}

function renderNotifications() {
  $('dropdown-list').replaceChildren(...notifications.slice(0, 20).map((n) => notificationItem(n)));
  $('dropdown-empty').hidden = notifications.length > 0;
  const shown = inboxTab === 'all' ? notifications : tabItems;
  $('inbox').replaceChildren(...shown.map((n) => notificationItem(n, { actions: true })));
  $('inbox-empty').hidden = shown.length > 0;
  for (const t of INBOX_TABS) {
    const button = $(`inbox-tab-${t.id}`);
    button.classList.toggle('active', t.id === inboxTab);
    button.setAttribute('aria-selected', String(t.id === inboxTab));
  }
}

async function openNotification(n) {
  closeDropdown();
  if (!n.read_at) {
    n.read_at = new Date().toISOString();
    const local = notifications.find((x) => x.id === n.id);
    if (local) local.read_at = n.read_at;
    renderNotifications();
    herald.notifications.markRead(n.id).catch(() => {});
  }
  if (n.type === 'new_message' && n.chat_id) location.hash = `#/messages/${n.chat_id}`;
  else location.hash = '#/';
}

function toast({ title, text, onclick, kind }) {
  const close = el('button', { class: 'toast-close', type: 'button', 'aria-label': 'Dismiss' }, '×');
  const node = el('div', { class: 'toast', role: 'status', dataset: { kind: kind ?? '' } },
    close, el('div', { class: 'title' }, title), text ? el('div', { class: 'text' }, text) : null);
  close.addEventListener('click', (e) => { e.stopPropagation(); node.remove(); });
  node.addEventListener('click', () => { node.remove(); onclick?.(); });
  $('toasts').prepend(node);
  while ($('toasts').children.length > 4) $('toasts').lastChild.remove();
  setTimeout(() => node.remove(), 6000);
}

function closeDropdown() {
  $('dropdown').hidden = true;
  $('bell').setAttribute('aria-expanded', 'false');
}

$('bell').addEventListener('click', (e) => {
  e.stopPropagation();
  const open = $('dropdown').hidden;
  $('dropdown').hidden = !open;
  $('bell').setAttribute('aria-expanded', String(open));
  // Opening the dropdown marks what it shows as seen: the badge counts what the user has not seen.
  const unseen = notifications.slice(0, 20).filter((n) => !n.seen_at).map((n) => n.id);
  if (open && unseen.length) herald.notifications.markSeen(unseen).catch(showError);
});
for (const t of INBOX_TABS) {
  $('inbox-tabs').append(el('button', {
    id: `inbox-tab-${t.id}`, class: 'inbox-tab', type: 'button', role: 'tab', 'aria-selected': 'false',
    onclick: () => { inboxTab = t.id; tabItems = []; renderNotifications(); loadTab(); },
  }, t.label, ' ', el('span', { class: 'count' }, '')));
}
$('dropdown').addEventListener('click', (e) => e.stopPropagation());
document.addEventListener('click', closeDropdown);
$('read-all').addEventListener('click', async () => {
  notifications.forEach((n) => { n.read_at ??= new Date().toISOString(); });
  renderNotifications();
  await herald.notifications.readAll().catch(showError);
});

// ---------- preferences ----------

// The demo's own categories (QUICK), shown even before an app backend configured them.
const DEMO_CATEGORIES = [...new Set(QUICK.map((q) => q.category))];

async function loadPreferences() {
  const { preferences, categories } = await herald.preferences.get().catch((e) => { showError(e); return {}; });
  if (!preferences) return;
  const configured = new Map(categories.map((c) => [c.name, c]));
  const names = [...new Set([...DEMO_CATEGORIES, ...configured.keys()])].sort();
  $('prefs-enabled').checked = preferences.enabled;
  $('prefs-categories').replaceChildren(...names.map((name) => {
    const c = configured.get(name);
    const chosen = preferences.categories[name] ?? {};
    const box = (channel) => el('input', {
      type: 'checkbox', dataset: { category: name, channel }, disabled: c?.critical,
      checked: chosen[channel] ?? (c ? c[channel] : true),
    });
    return el('tr', { dataset: { category: name } },
      el('td', {}, c?.description || name, c?.critical ? el('span', { class: 'critical' }, ' · always on') : null),
      el('td', {}, box('in_app')), el('td', {}, box('push')));
  }));
  const quiet = preferences.quiet_hours;
  $('prefs-quiet').checked = !!quiet;
  if (quiet) {
    $('prefs-quiet-start').value = quiet.start;
    $('prefs-quiet-end').value = quiet.end;
    $('prefs-quiet-zone').value = quiet.time_zone;
  } else if (!$('prefs-quiet-zone').value) {
    $('prefs-quiet-zone').value = Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  }
}

$('prefs-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const categories = {};
  for (const input of $('prefs-categories').querySelectorAll('input[type=checkbox]:not(:disabled)')) {
    (categories[input.dataset.category] ??= {})[input.dataset.channel] = input.checked;
  }
  const doc = {
    enabled: $('prefs-enabled').checked,
    categories,
    quiet_hours: $('prefs-quiet').checked ? {
      start: $('prefs-quiet-start').value, end: $('prefs-quiet-end').value, time_zone: $('prefs-quiet-zone').value.trim(),
    } : null,
  };
  try {
    await herald.preferences.set(doc);
    $('prefs-result').textContent = 'Saved.';
  } catch (err) {
    $('prefs-result').textContent = `Not saved: ${err.message}`;
  }
});

// ---------- chat ----------

function partnerOf(conv) {
  return conv.members.find((m) => m !== me.id) ?? me.id;
}

function titleOf(conv) {
  if (conv.kind === 'group') return conv.title ?? conv.members.map(nameOf).join(', ');
  return nameOf(partnerOf(conv));
}

async function loadConversations() {
  if (!herald) return;
  const list = await herald.chat.conversations().catch(() => null);
  if (!list) return;
  conversations.clear();
  for (const c of list.conversations) {
    conversations.set(c.id, c);
    if (c.last_message) names.set(c.last_message.sender_id, c.last_message.sender_name);
  }
  $('messages-dot').hidden = !list.conversations.some((c) => c.unread_count > 0 && c.id !== current?.id);
  renderConversations();
  const partners = [...new Set(list.conversations.flatMap((c) => c.members).filter((m) => m !== me.id))];
  if (partners.length) {
    const p = await herald.request('GET', `/api/v1/dev/presence?users=${encodeURIComponent(partners.slice(0, 200).join(','))}`).catch(() => null);
    p?.users.forEach((u) => presence.set(u.user_id, u.online));
    renderPresence();
  }
}

function renderConversations() {
  const items = [...conversations.values()].map((c) => {
    const unread = c.id !== current?.id && c.unread_count > 0;
    const partner = partnerOf(c);
    const pic = avatar(partner, titleOf(c));
    pic.append(el('span', { class: 'presence', dataset: { user: partner } }));
    return el('li', {}, el('a', {
      class: `conv${unread ? ' unread' : ''}${c.id === current?.id ? ' active' : ''}`, href: `#/messages/${c.id}`,
      dataset: { conversation: c.id },
    }, pic, el('div', { class: 'info' },
      el('div', { class: 'name' }, titleOf(c)),
      el('div', { class: 'preview' }, c.last_message ? `${c.last_message.sender_id === me.id ? 'You: ' : ''}${c.last_message.content}` : 'No messages yet')),
    unread ? el('span', { class: 'count' }, badgeText(c.unread_count)) : null));
  });
  $('conversations').replaceChildren(...items);
  $('conv-empty').hidden = items.length > 0;
  renderPresence();
}

function renderPresence() {
  document.querySelectorAll('.presence[data-user]').forEach((dot) => {
    const online = presence.get(dot.dataset.user) === true;
    dot.classList.toggle('online', online);
    dot.title = online ? 'Online' : 'Offline';
  });
  if (current) {
    const online = presence.get(current.partner) === true;
    if ($('typing').hidden) $('chat-sub').textContent = online ? 'Online' : 'Offline';
  }
}

$('new-chat').addEventListener('submit', async (e) => {
  e.preventDefault();
  const other = $('new-chat-user').value.trim();
  if (!other || other === me.id) return;
  try {
    const { conversation } = await herald.chat.create({ kind: 'direct', members: [other] });
    $('new-chat-user').value = '';
    await loadConversations();
    location.hash = `#/messages/${conversation.id}`;
  } catch (err) {
    showError(err);
  }
});

async function openConversation(id) {
  if (current?.id === id) return;
  if (current) herald.chat.leave(current.id);
  let conv = conversations.get(id);
  if (!conv) {
    await loadConversations();
    conv = conversations.get(id);
  }
  if (!conv) {
    toast({ title: 'Conversation not found', text: `No conversation ${id} of yours.` });
    location.hash = '#/messages';
    return;
  }
  current = { id, partner: partnerOf(conv), partnerReadSeq: 0 };
  typingUsers.clear();
  $('typing').hidden = true;
  $('view-messages').classList.add('in-chat');
  $('chat-empty').hidden = true;
  $('chat').hidden = false;
  $('chat').dataset.conversation = id;
  const pic = avatar(current.partner, titleOf(conv));
  pic.id = 'chat-avatar';
  pic.append(el('span', { class: 'presence', dataset: { user: current.partner } }));
  $('chat-avatar').replaceWith(pic);
  $('chat-title').textContent = titleOf(conv);
  $('messages').replaceChildren();
  renderConversations();
  try {
    await herald.chat.join(id);
    const history = await herald.chat.history(id, { limit: 50 });
    if (current?.id !== id) return;
    history.messages.forEach(renderMessage);
    markRead();
  } catch (err) {
    showError(err);
  }
  $('composer-input').focus();
}

function closeConversation() {
  if (current) herald.chat.leave(current.id);
  current = null;
  $('view-messages').classList.remove('in-chat');
  $('chat').hidden = true;
  $('chat-empty').hidden = false;
  renderConversations();
}

function renderMessage(m) {
  const list = $('messages');
  const mine = m.sender_id === me.id;
  if (m.sender_name) names.set(m.sender_id, m.sender_name);
  let node = (m.id && list.querySelector(`[data-id="${m.id}"]`))
    || (m.client_id && list.querySelector(`[data-client-id="${CSS.escape(m.client_id)}"]`));
  const fresh = el('li', {
    class: `msg${mine ? ' mine' : ''}${m.pending ? ' pending' : ''}`,
    dataset: { id: m.id ?? '', clientId: m.client_id ?? '', seq: m.seq ?? '', sender: m.sender_id },
  }, el('div', { class: 'bubble' }, m.content),
  el('div', { class: 'meta' }, m.pending ? 'Sending…' : new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
  if (node) {
    node.replaceWith(fresh);
  } else {
    // Keep seq order: history and live messages may interleave.
    const after = m.seq ? [...list.children].find((li) => li.dataset.seq && Number(li.dataset.seq) > m.seq) : null;
    list.insertBefore(fresh, after ?? null);
  }
  renderReceipt();
  list.scrollTop = list.scrollHeight;
}

function renderReceipt() {
  document.querySelectorAll('#messages .receipt').forEach((r) => r.remove());
  if (!current?.partnerReadSeq) return;
  const mine = [...document.querySelectorAll('#messages .msg.mine')]
    .filter((li) => li.dataset.seq && Number(li.dataset.seq) <= current.partnerReadSeq);
  const last = mine.at(-1);
  last?.querySelector('.meta').append(' · ', el('span', { class: 'receipt' }, 'Seen'));
}

function markRead() {
  const seqs = [...document.querySelectorAll('#messages .msg[data-seq]')].map((li) => Number(li.dataset.seq)).filter(Boolean);
  if (!current || !seqs.length || document.visibilityState === 'hidden') return;
  herald.chat.read(current.id, Math.max(...seqs));
  const conv = conversations.get(current.id);
  if (conv) conv.unread_count = 0;
  $('messages-dot').hidden = ![...conversations.values()].some((c) => c.unread_count > 0 && c.id !== current?.id);
}

function onMessage(m) {
  const conv = conversations.get(m.conversation_id);
  if (conv) conv.last_message = m;
  if (current?.id === m.conversation_id) {
    renderMessage(m);
    setTyping({ conversation_id: m.conversation_id, user_id: m.sender_id }, false);
    if (m.sender_id !== me.id) markRead();
  }
  renderConversations();
}

function onReadReceipt(e) {
  if (e.user_id === me.id || current?.id !== e.conversation_id) return;
  current.partnerReadSeq = Math.max(current.partnerReadSeq, e.seq);
  renderReceipt();
}

function setTyping(e, on) {
  if (current?.id !== e.conversation_id || e.user_id === me.id) return;
  clearTimeout(typingUsers.get(e.user_id));
  if (on) typingUsers.set(e.user_id, setTimeout(() => setTyping(e, false), 7000));
  else typingUsers.delete(e.user_id);
  const who = [...typingUsers.keys()].map(nameOf);
  $('typing').hidden = who.length === 0;
  $('typing-text').textContent = who.length === 1 ? `${who[0]} is typing…` : `${who.join(', ')} are typing…`;
  renderPresence();
}

$('composer-input').addEventListener('input', () => {
  if (current && $('composer-input').value) herald.chat.typing(current.id);
  else if (current) herald.chat.stopTyping(current.id);
});

$('composer').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('composer-input');
  const content = input.value.trim();
  if (!content || !current) return;
  input.value = '';
  const clientId = crypto.randomUUID();
  const conversationId = current.id;
  renderMessage({ client_id: clientId, content, sender_id: me.id, pending: true });
  try {
    const stored = await herald.chat.send(conversationId, content, { clientId });
    if (current?.id === conversationId) renderMessage(stored);
  } catch (err) {
    showError(err);
  }
});

document.addEventListener('visibilitychange', () => { if (current) markRead(); });

// ---------- routing ----------

function route() {
  if (!herald) return;
  const hash = location.hash || '#/';
  const chat = hash.match(/^#\/messages(?:\/(\d+))?$/);
  const prefs = hash === '#/preferences';
  $('view-home').hidden = !!chat || prefs;
  $('view-messages').hidden = !chat;
  $('view-preferences').hidden = !prefs;
  $('tab-home').classList.toggle('active', !chat && !prefs);
  $('tab-messages').classList.toggle('active', !!chat);
  $('tab-preferences').classList.toggle('active', prefs);
  if (prefs) loadPreferences();
  if (chat && chat[1]) openConversation(Number(chat[1]));
  else if (current) closeConversation();
  if (chat) loadConversations();
}

window.addEventListener('hashchange', route);
if (session()) start();
else showSignIn();
