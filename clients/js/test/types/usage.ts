import { Herald, HeraldError, Notification } from '../../herald.js';
const h = new Herald({ token: async () => 'x', types: ['order_*'], reconnect: { attempts: 5 } });
const off = h.on('notification', (n: Notification) => console.log(n.seq, n.type));
h.on('notification:order_created', (n) => console.log(n.id));
h.on('status', (s, d) => console.log(s, d.transport));
h.on('unread_count', (c) => c.toFixed());
h.on('error', (e: HeraldError) => console.log(e.code));
off();
h.connect();
async function f() {
  const page = await h.notifications.list({ unread: true });
  page.notifications.forEach((n) => n.read_at);
  const orders = await h.notifications.list({ category: 'orders', archived: 'any', createdAfter: new Date() });
  orders.notifications.forEach((n) => [n.seen_at, n.archived_at, n.category, n.tags]);
  const tabs = await h.notifications.counts({ all: {}, unread: { read: false } });
  tabs.unread.unseen.toFixed();
  const one = await h.notifications.archive(page.notifications[0].id);
  one.changed.valueOf();
  const bulk = await h.notifications.markSeen(['a', 'b']);
  bulk.changed.toFixed();
  await h.notifications.bulk('archive', { filter: { category: 'orders', read: true } });
  h.on('inbox', (frame) => frame.ids.forEach((id) => id.toUpperCase()));
  h.on('unseen_count', (c) => c.toFixed());
  const prefs = await h.preferences.set({ categories: { marketing: { in_app: false } }, quiet_hours: null });
  prefs.categories.forEach((c) => c.critical.valueOf());
  (await h.preferences.get()).preferences.enabled.valueOf();
  const j = await h.chat.join(1);
  const m = await h.chat.send(j.conversation_id, 'hi');
  h.chat.typing(m.conversation_id);
  await h.chat.read(1, m.seq);
  const push = await h.push.status();
  if (push.supported && !push.subscribed) {
    const { deviceId } = await h.push.enable({ serviceWorker: '/herald-sw.js', scope: '/' });
    deviceId.toUpperCase();
  }
  push.deviceId?.toUpperCase();
  await h.push.disable();
}
f();

// Misuse the declarations must reject:
// @ts-expect-error the token is required
new Herald({});
// @ts-expect-error unread_count listeners get a number
h.on('unread_count', (c: string) => c);
// @ts-expect-error not an inbox action
h.notifications.bulk('explode', { ids: ['a'] });
// @ts-expect-error archived is false, true or 'any'
h.notifications.list({ archived: 'maybe' });
// @ts-expect-error enable takes options, not a script URL
h.push.enable('/herald-sw.js');
