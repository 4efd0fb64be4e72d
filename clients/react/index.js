// React bindings for Herald: one provider, one Herald (so one socket per kind) shared by every
// hook below it. Plain ESM without JSX: no build step to read or run it. See docs/client-react.md.
//
// StrictMode: React mounts, unmounts and mounts again in development. Every hook here
// subscribes in an effect and unsubscribes in its cleanup, so a listener is registered once
// after that dance; what would cost a socket or a frame (the provider's disconnect, a
// conversation's leave) is deferred by a timer that the second mount cancels.
import React from 'react';
import { Herald } from 'herald-client';

const { createContext, createElement, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState,
  useSyncExternalStore } = React;

const HeraldContext = createContext(null);

// Per Herald: what the hooks share (mount and join counts). A WeakMap, so that a Herald the app
// passed in is not kept alive by us.
const shared = new WeakMap();
function sharedOf(herald) {
  let s = shared.get(herald);
  if (!s) shared.set(herald, s = { mounts: 0, closeTimer: null, joins: new Map() });
  return s;
}

/** True when `type` matches one of `types` (exact types, or prefixes ending in '*'); no types: every type. */
export function matchesTypes(types, type) {
  if (!types || types.length === 0) return true;
  return types.some((t) => (t.endsWith('*') ? type.startsWith(t.slice(0, -1)) : t === type));
}

/**
 * Creates one Herald from `options` (read on the first render: give the provider a `key`, e.g.
 * the user id, to start over) or uses the `herald` given, connects it on mount and, when it
 * created it, closes it on the final unmount.
 */
export function HeraldProvider({ herald: given, options, loadPresence, children }) {
  const [herald] = useState(() => given ?? new Herald(options));
  const owned = !given;
  useEffect(() => {
    const s = sharedOf(herald);
    clearTimeout(s.closeTimer); // a StrictMode remount: keep the socket the first mount opened
    s.mounts++;
    herald.connect(); // idempotent
    return () => {
      s.mounts--;
      if (owned) s.closeTimer = setTimeout(() => { if (s.mounts === 0) herald.disconnect(); }, 0);
    };
  }, [herald, owned]);
  const value = useMemo(() => ({ herald, loadPresence }), [herald, loadPresence]);
  return createElement(HeraldContext.Provider, { value }, children);
}

function useHeraldContext() {
  const ctx = useContext(HeraldContext);
  if (!ctx) throw new Error('Herald hooks need a <HeraldProvider> above the component');
  return ctx;
}

/** The provider's Herald (the browser client), for anything the hooks do not cover. */
export function useHerald() {
  return useHeraldContext().herald;
}

// The latest value of `value`, for listeners registered once.
function useLatest(value) {
  const ref = useRef(value);
  useLayoutEffect(() => { ref.current = value; });
  return ref;
}

/** Calls `handler` for each `type` event of the provider's Herald; registered once, always the latest handler. */
export function useHeraldEvent(type, handler) {
  const herald = useHerald();
  const latest = useLatest(handler);
  useEffect(() => herald.on(type, (...args) => latest.current?.(...args)), [herald, type, latest]);
}

// A value of the Herald object that changes with `event`.
function useHeraldValue(event, read) {
  const herald = useHerald();
  const subscribe = useCallback((changed) => herald.on(event, changed), [herald, event]);
  const snapshot = () => read(herald);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/** 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed': of the notification connection, or of the chat one with 'chat'. */
export function useConnectionStatus(kind = 'notifications') {
  return kind === 'chat'
    ? useHeraldValue('chat_status', (h) => h.chat.status)
    : useHeraldValue('status', (h) => h.status);
}

/** The user's unread count; null until Herald told it (on connect). */
export function useUnreadCount() {
  return useHeraldValue('unread_count', (h) => h.unreadCount);
}

/** The user's unseen count, the bell's badge; null until Herald told it (on connect). */
export function useUnseenCount() {
  return useHeraldValue('unseen_count', (h) => h.unseenCount);
}

// Newest first, each id once, at most `limit`.
function mergeFeed(items, more, limit) {
  const byId = new Map(items.map((n) => [n.id, n]));
  for (const n of more) byId.set(n.id, { ...byId.get(n.id), ...n });
  return [...byId.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}

// An inbox change (from this or another tab or device) applied to the items shown.
function applyInbox(items, { action, ids }) {
  const hit = new Set(ids);
  if (action === 'archive' || action === 'delete') return items.filter((n) => !hit.has(n.id));
  const now = new Date().toISOString();
  const change = { read: { read_at: now, seen_at: now }, unread: { read_at: null }, seen: { seen_at: now } }[action];
  if (!change) return items;
  return items.map((n) => (hit.has(n.id) ? { ...n, ...change, seen_at: n.seen_at ?? change.seen_at ?? null } : n));
}

/**
 * The notification feed: the newest `limit` of the inbox (of `types`, exact or 'prefix*'),
 * then live ones on top, each id once; `onNotification` is called once per live notification
 * of those types. Inbox changes from any tab update the items; counts are the user's.
 */
export function useNotifications({ types = null, limit = 20, onNotification } = {}) {
  const herald = useHerald();
  const [feed, setFeed] = useState({ items: [], loading: true, error: null });
  const [generation, setGeneration] = useState(0);
  const typesKey = types ? types.join(',') : '';
  const onNotificationRef = useLatest(onNotification);

  useEffect(() => {
    const patterns = typesKey ? typesKey.split(',') : null;
    let active = true;
    setFeed((f) => ({ ...f, loading: true }));
    const offs = [
      herald.on('notification', (n) => {
        if (!matchesTypes(patterns, n.type)) return;
        // A digest's new event replaces the item it names.
        setFeed((f) => ({ ...f, items: mergeFeed(f.items.filter((i) => i.id !== n.group_replaces), [n], limit) }));
        onNotificationRef.current?.(n);
      }),
      herald.on('inbox', (change) => {
        if (change.action === 'unarchive') setGeneration((g) => g + 1); // back in the feed: read the page again
        else setFeed((f) => ({ ...f, items: applyInbox(f.items, change) }));
      }),
    ];
    // The inbox API filters by one type pattern: one page per pattern, merged.
    Promise.all((patterns ?? [undefined]).map((type) => herald.notifications.list({ limit, type })))
      .then((pages) => {
        if (!active) return;
        const listed = pages.flatMap((p) => p.notifications);
        setFeed((f) => ({ items: mergeFeed(f.items.filter((n) => matchesTypes(patterns, n.type)), listed, limit), loading: false, error: null }));
      }, (error) => { if (active) setFeed((f) => ({ ...f, loading: false, error })); });
    return () => { active = false; offs.forEach((off) => off()); };
  }, [herald, typesKey, limit, generation, onNotificationRef]);

  const apply = useCallback((change) => setFeed((f) => ({ ...f, items: applyInbox(f.items, change) })), []);
  const markRead = useCallback(async (id) => {
    const r = await herald.notifications.markRead(id);
    apply({ action: 'read', ids: [id] });
    return r;
  }, [herald, apply]);
  const markAllRead = useCallback(async () => {
    const r = await herald.notifications.readAll();
    setFeed((f) => ({ ...f, items: applyInbox(f.items, { action: 'read', ids: f.items.map((n) => n.id) }) }));
    return r;
  }, [herald]);
  const markSeen = useCallback(async (ids) => {
    const r = await herald.notifications.markSeen(ids);
    apply({ action: 'seen', ids: [ids].flat() });
    return r;
  }, [herald, apply]);
  const refetch = useCallback(() => setGeneration((g) => g + 1), []);

  return {
    notifications: feed.items, loading: feed.loading, error: feed.error,
    unreadCount: useUnreadCount(), unseenCount: useUnseenCount(),
    markRead, markSeen, markAllRead, refetch,
  };
}

// Joins a conversation for as long as one hook of the provider shows it: a second hook shares
// the join, and a StrictMode remount cancels the leave of the first unmount.
function acquireConversation(herald, id) {
  const joins = sharedOf(herald).joins;
  let entry = joins.get(id);
  if (entry) {
    clearTimeout(entry.leaveTimer);
    entry.count++;
  } else {
    entry = { count: 1, leaveTimer: null, joined: herald.chat.join(id) };
    entry.joined.catch(() => { if (joins.get(id) === entry) joins.delete(id); });
    joins.set(id, entry);
  }
  const release = () => {
    if (--entry.count > 0) return;
    entry.leaveTimer = setTimeout(() => {
      if (entry.count > 0 || joins.get(id) !== entry) return;
      joins.delete(id);
      herald.chat.leave(id);
    }, 0);
  };
  return { joined: entry.joined, release };
}

function mergeMessages(messages, more) {
  const byId = new Map(messages.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

const without = (list, item) => (list.includes(item) ? list.filter((x) => x !== item) : list);
const EMPTY_CONVERSATION = { messages: [], conversation: null, loading: true, error: null, typingUsers: [], readBy: {} };

/**
 * A conversation on screen: joins it (the user is "in the chat": no new_message notification
 * for it), loads the last `limit` messages, then live ones, each once in seq order.
 */
export function useConversation(conversationId, { limit = 50 } = {}) {
  const herald = useHerald();
  const [state, setState] = useState(EMPTY_CONVERSATION);
  const id = conversationId === null || conversationId === undefined ? null : Number(conversationId);

  useEffect(() => {
    setState(EMPTY_CONVERSATION);
    if (id === null) return undefined;
    let active = true;
    const mine = (e) => e.conversation_id === id;
    const update = (fn) => setState((s) => ({ ...s, ...fn(s) }));
    const offs = [
      herald.on('message', (m) => mine(m) && update((s) => ({
        messages: mergeMessages(s.messages, [m]), typingUsers: without(s.typingUsers, m.sender_id),
      }))),
      herald.on('typing', (e) => mine(e) && update((s) => ({ typingUsers: [...without(s.typingUsers, e.user_id), e.user_id] }))),
      herald.on('stop_typing', (e) => mine(e) && update((s) => ({ typingUsers: without(s.typingUsers, e.user_id) }))),
      herald.on('read_receipt', (e) => mine(e) && update((s) => ({ readBy: { ...s.readBy, [e.user_id]: Math.max(s.readBy[e.user_id] ?? 0, e.seq) } }))),
    ];
    const { joined, release } = acquireConversation(herald, id);
    // Joined first, then the history: a message sent in between is in both, and merged once.
    joined
      .then(async (frame) => {
        const page = await herald.chat.history(id, { limit });
        if (active) update((s) => ({ conversation: frame.conversation, messages: mergeMessages(s.messages, page.messages), loading: false }));
      })
      .catch((error) => { if (active) update(() => ({ loading: false, error })); });
    return () => { active = false; offs.forEach((off) => off()); release(); };
  }, [herald, id, limit]);

  const lastSeq = state.messages.at(-1)?.seq;
  const send = useCallback((content, options) => herald.chat.send(id, content, options), [herald, id]);
  const typing = useCallback(() => herald.chat.typing(id), [herald, id]);
  const stopTyping = useCallback(() => herald.chat.stopTyping(id), [herald, id]);
  const markRead = useCallback((seq = lastSeq) => herald.chat.read(id, seq), [herald, id, lastSeq]);
  return { ...state, send, typing, stopTyping, markRead };
}

const UNKNOWN_PRESENCE = { online: null, status: null, lastSeen: null };

/**
 * A user's presence: { online, status, lastSeen }, live from the chat connection (opened by
 * this hook) for users who share a conversation with the signed-in user. Before the first
 * change it is what the provider's `loadPresence(userId)` answered, else unknown (nulls).
 */
export function usePresence(userId) {
  const { herald, loadPresence } = useHeraldContext();
  const [presence, setPresence] = useState(UNKNOWN_PRESENCE);
  const user = userId === null || userId === undefined ? null : String(userId);

  useEffect(() => {
    setPresence(UNKNOWN_PRESENCE);
    if (user === null) return undefined;
    let active = true;
    let heard = false;
    herald.chat.open();
    const offs = [
      herald.on('presence', (e) => {
        if (e.user_id !== user) return;
        heard = true;
        setPresence((p) => ({ ...p, online: e.status === 'online', lastSeen: e.last_seen || null }));
      }),
      herald.on('status_updated', (e) => { if (e.user_id === user) setPresence((p) => ({ ...p, status: e.status })); }),
    ];
    Promise.resolve(loadPresence?.(user)).then((p) => {
      if (active && !heard && p) setPresence((old) => ({ online: p.online ?? null, status: p.status ?? old.status, lastSeen: p.last_seen || null }));
    }, () => {});
    return () => { active = false; offs.forEach((off) => off()); };
  }, [herald, user, loadPresence]);
  return presence;
}

/**
 * TanStack Query: invalidates `queryKey` (or updates its data with `update(old, n)`) when a
 * notification of `types` arrives. `queryKey` may be a function of the notification.
 * Takes the QueryClient, so this module never imports @tanstack/react-query.
 */
export function useInvalidateOnNotification(queryClient, { types = null, queryKey, update } = {}) {
  useHeraldEvent('notification', (n) => {
    if (!matchesTypes(types, n.type)) return;
    const key = typeof queryKey === 'function' ? queryKey(n) : queryKey;
    if (update) queryClient.setQueryData(key, (old) => update(old, n));
    else queryClient.invalidateQueries({ queryKey: key });
  });
}

export { Herald };
