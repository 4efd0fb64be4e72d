// Herald browser client: a plain ES module, no dependencies, no build step.
// Served by every Herald node at /herald.js; the same file is clients/js/herald.js.
//
// Design: two sockets. The notification connection follows /ws/notifications (falling back to
// Server-Sent Events over fetch, then to polling the inbox API when WebSockets are blocked).
// The chat connection (/ws/chat) is opened only when chat is used. Each reconnects on its own
// with full-jitter exponential backoff and resumes where it stopped: notifications from the
// last seq seen, every joined conversation from the last message seq seen.

const NOTIFICATION_FRAMES = new Set(['connected', 'unread_count', 'inbox', 'error', 'pong', 'ping', 'refresh',
  'token_refreshed', 'mark_read', 'mark_all_read', 'closing']);
const INBOX_ACTIONS = new Set(['seen', 'read', 'unread', 'archive', 'unarchive', 'delete']);
// Close codes after which reconnecting with the same token is pointless (protocol.md).
const FINAL_CODES = new Set([4003, 4009]);

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt, { baseMs = 1000, maxMs = 16000, random = Math.random } = {}) {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** The `exp` of a JWT in milliseconds, or null when it has none or cannot be read. */
export function tokenExpiry(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part + '='.repeat((4 - (part.length % 4)) % 4)));
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** An error from Herald: `code` is the protocol's error code, close code or HTTP status. */
export class HeraldError extends Error {
  constructor(code, message, detail = {}) {
    super(message);
    this.name = 'HeraldError';
    this.code = code;
    Object.assign(this, detail);
  }
}

class Emitter {
  #listeners = new Map();

  /** Adds `fn` for `type` once (adding the same function again does nothing); returns an off function. */
  on(type, fn) {
    if (typeof fn !== 'function') throw new TypeError('listener must be a function');
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) {
    const set = this.#listeners.get(type);
    if (set) {
      set.delete(fn);
      if (set.size === 0) this.#listeners.delete(type);
    }
  }

  listenerCount(type) {
    return this.#listeners.get(type)?.size ?? 0;
  }

  emit(type, ...args) {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (e) {
        // A throwing listener must not break delivery to the others or the connection.
        setTimeout(() => { throw e; });
      }
    }
  }
}

/**
 * One Herald client for one signed-in user. See docs/client-js.md.
 *
 * Status values: 'idle' (not started), 'connecting', 'connected', 'reconnecting', 'offline'
 * (the browser says it has no network), 'closed' (disconnect() or a final refusal).
 */
export class Herald extends Emitter {
  constructor(options = {}) {
    super();
    if (!options.token) throw new TypeError('token (a JWT or a function returning one) is required');
    const origin = globalThis.location?.origin;
    this.url = (options.url ?? origin ?? '').replace(/\/+$/, '');
    if (!this.url) throw new TypeError('url is required outside a browser page');
    this.options = {
      stream: options.stream ?? null,
      types: options.types ?? null,
      transports: options.transports ?? ['websocket', 'sse', 'polling'],
      reconnect: { attempts: Infinity, baseMs: 1000, maxMs: 16000, random: Math.random, ...options.reconnect },
      pollIntervalMs: options.pollIntervalMs ?? 5000,
      ackTimeoutMs: options.ackTimeoutMs ?? 15000,
      probeTimeoutMs: options.probeTimeoutMs ?? 5000,
      typingIdleMs: options.typingIdleMs ?? 3000,
      WebSocket: options.WebSocket ?? globalThis.WebSocket,
      fetch: options.fetch ?? globalThis.fetch?.bind(globalThis),
    };
    this.#tokenSource = options.token;
    this.lastSeq = options.since ?? null;
    this.unreadCount = null;
    this.unseenCount = null;
    this.status = 'idle';
    this.transport = null;
    this.notifications = new Notifications(this);
    this.preferences = new PreferenceSettings(this);
    this.chat = new Chat(this);
    this.push = new PushNotifications(this);
    this.#link = new NotificationLink(this);
  }

  #tokenSource;
  #token = null;
  #link;
  #onlineHandlers = null;

  /** Opens the notification connection (and the chat one when chat was used). Idempotent. */
  connect() {
    this.#watchNetwork();
    this.#link.start();
    if (this.chat.used) this.chat.link.start();
    return this;
  }

  /** Closes every connection and stops reconnecting. connect() starts again from lastSeq. */
  disconnect() {
    this.#link.stop();
    for (const id of [...this.chat.typingState.keys()]) this.chat._clearTyping(id);
    this.chat.link.stop();
    if (this.#onlineHandlers && globalThis.removeEventListener) {
      globalThis.removeEventListener('online', this.#onlineHandlers.online);
      globalThis.removeEventListener('offline', this.#onlineHandlers.offline);
    }
    this.#onlineHandlers = null;
    return this;
  }

  /** The current token, asking the provider for a new one when `fresh` or when it is about to expire. */
  async token(fresh = false) {
    if (typeof this.#tokenSource === 'string') return this.#tokenSource;
    const exp = this.#token ? tokenExpiry(this.#token) : null;
    if (fresh || !this.#token || (exp !== null && exp - Date.now() < 30000)) {
      this.#token = await this.#tokenSource();
    }
    return this.#token;
  }

  /** True when the browser reports no network (always false outside a browser). */
  get offline() {
    return globalThis.navigator?.onLine === false;
  }

  /** HTTP call to the API with the user's token; answers the parsed JSON or throws HeraldError. */
  async request(method, path, body) {
    let retried = false;
    for (;;) {
      const token = await this.token(retried);
      const res = await this.options.fetch(this.url + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      if (res.status === 401 && !retried && typeof this.#tokenSource === 'function') {
        retried = true;
        continue;
      }
      const text = await res.text();
      const json = text ? JSON.parse(text) : null;
      if (!res.ok) throw new HeraldError(res.status, json?.error ?? `HTTP ${res.status}`, { status: res.status, field: json?.field });
      return json;
    }
  }

  #watchNetwork() {
    if (this.#onlineHandlers || !globalThis.addEventListener) return;
    this.#onlineHandlers = {
      online: () => { this.#link.networkBack(); this.chat.link.networkBack(); },
      offline: () => { this.#link.networkLost(); this.chat.link.networkLost(); },
    };
    globalThis.addEventListener('online', this.#onlineHandlers.online);
    globalThis.addEventListener('offline', this.#onlineHandlers.offline);
  }

  // Called by the notification link for every frame of the stream, whatever the transport.
  _frame(frame) {
    switch (frame.type) {
      case 'connected':
        this._setCounts(frame);
        if (this.lastSeq === null) this.lastSeq = frame.seq ?? 0;
        // The stream is shorter than our cursor (e.g. the server's database was reset):
        // follow the server's resume point, or every new notification would look old.
        if (typeof frame.since === 'number' && frame.since < this.lastSeq) this.lastSeq = frame.since;
        this.emit('connected', frame);
        return;
      case 'unread_count':
        this.#setUnread(frame.count);
        this.#setUnseen(frame.unseen_count);
        return;
      case 'inbox':
        // Another tab or device changed these notifications: counts first, then the listeners.
        this._setCounts(frame);
        this.emit('inbox', frame);
        return;
      case 'error':
        this.emit('error', new HeraldError(frame.code, frame.message, { frame }));
        return;
      default:
        if (NOTIFICATION_FRAMES.has(frame.type) || typeof frame.seq !== 'number') return;
        // Never deliver twice: a resume replays from lastSeq, and polling may overlap.
        if (this.lastSeq !== null && frame.seq <= this.lastSeq) return;
        this.lastSeq = frame.seq;
        this.emit('notification', frame);
        this.emit(`notification:${frame.type}`, frame);
    }
  }

  /** Takes `unread_count` and `unseen_count` from an answer or a frame, when present. */
  _setCounts(body) {
    if (!body) return;
    this.#setUnread(body.unread_count);
    this.#setUnseen(body.unseen_count);
  }

  #setUnread(count) {
    if (typeof count !== 'number' || count === this.unreadCount) return;
    this.unreadCount = count;
    this.emit('unread_count', count);
  }

  #setUnseen(count) {
    if (typeof count !== 'number' || count === this.unseenCount) return;
    this.unseenCount = count;
    this.emit('unseen_count', count);
  }

  _setStatus(status, transport) {
    if (this.status === status && this.transport === transport) return;
    this.status = status;
    this.transport = transport;
    this.emit('status', status, { transport });
  }

  _queryString(extra = {}) {
    const p = new URLSearchParams();
    const { stream, types } = this.options;
    if (stream?.type) p.set('type', stream.type);
    if (stream?.id !== undefined && stream?.id !== null) p.set('id', String(stream.id));
    if (types && types.length) p.set('types', types.join(','));
    for (const [k, v] of Object.entries(extra)) if (v !== null && v !== undefined) p.set(k, String(v));
    return p.toString();
  }

  _matchesTypes(type) {
    const types = this.options.types;
    if (!types || types.length === 0) return true;
    return types.some((t) => (t.endsWith('*') ? type.startsWith(t.slice(0, -1)) : t === type));
  }
}

/**
 * Reconnect loop shared by the notification and chat connections: one live connection at a
 * time, full-jitter backoff between failed attempts, paused while the browser is offline.
 */
class Link {
  constructor(herald, statusEvent) {
    this.herald = herald;
    this.statusEvent = statusEvent;
    this.running = false;
    this.attempt = 0;
    this.timer = null;
    this.current = null; // the live connection object; stale callbacks compare against it
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.closeCurrent();
    this.setStatus('closed');
  }

  networkLost() {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.closeCurrent();
    this.setStatus('offline');
  }

  networkBack() {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    if (!this.current) this.open();
  }

  open() {
    this.timer = null;
    if (!this.running || this.current) return;
    if (this.herald.offline) {
      this.setStatus('offline');
      return; // the 'online' event resumes
    }
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting');
    this.connectOnce();
  }

  /** The connection ended or failed; `final` stops, `immediate` skips the delay once. */
  dropped(conn, { final = false, immediate = false, error } = {}) {
    if (conn !== this.current) return;
    this.current = null;
    if (error) this.herald.emit('error', error);
    if (!this.running) return;
    if (final) {
      this.running = false;
      this.setStatus('closed');
      return;
    }
    const max = this.herald.options.reconnect.attempts;
    if (this.attempt >= max) {
      this.running = false;
      this.setStatus('closed');
      this.herald.emit('error', new HeraldError('gave_up', `no connection after ${max} attempts`));
      return;
    }
    const delay = immediate ? 0 : backoffDelay(this.attempt, this.herald.options.reconnect);
    this.attempt++;
    this.setStatus(this.herald.offline ? 'offline' : 'reconnecting');
    this.timer = setTimeout(() => this.open(), delay);
  }

  established() {
    this.attempt = 0;
    this.everConnected = true;
  }

  closeCurrent() {
    const conn = this.current;
    this.current = null;
    conn?.close();
  }
}

/** The notification stream over WebSocket, SSE or polling, in that order of preference. */
class NotificationLink extends Link {
  constructor(herald) {
    super(herald, 'status');
    this.transportIndex = 0;
  }

  setStatus(status) {
    this.herald._setStatus(status, this.current || status === 'connected' ? this.transportName : null);
  }

  get transportName() {
    return this.herald.options.transports[this.transportIndex];
  }

  async connectOnce() {
    const herald = this.herald;
    const name = this.transportName;
    const conn = { closed: false, close() { this.closed = true; this.onClose?.(); } };
    this.current = conn;
    let token;
    try {
      token = await herald.token();
    } catch (e) {
      this.dropped(conn, { error: new HeraldError('token_provider', `token provider failed: ${e.message}`) });
      return;
    }
    if (conn.closed || conn !== this.current) return;
    if (name === 'websocket') this.openWebSocket(conn, token);
    else if (name === 'sse') this.openSse(conn, token);
    else this.openPolling(conn, token);
  }

  /** The transport failed before it opened: blocked (fall back), bad token (refresh) or server down (back off). */
  async failedBeforeOpen(conn) {
    if (conn !== this.current) return;
    const herald = this.herald;
    let probe = 0;
    // Bounded: a probe that hangs (e.g. on a kept-alive connection to a node that just stopped)
    // must not stop the reconnecting; it then counts as "server down" and the backoff goes on.
    const timeout = typeof AbortSignal !== 'undefined' && AbortSignal.timeout
      ? AbortSignal.timeout(herald.options.probeTimeoutMs) : undefined;
    try {
      const res = await herald.options.fetch(`${herald.url}/api/v1/me/notifications/unread-count`, {
        headers: { Authorization: `Bearer ${await herald.token()}` },
        signal: timeout,
      });
      probe = res.status;
    } catch {
      probe = 0;
    }
    if (conn !== this.current) return;
    if (probe === 401) {
      await herald.token(true).catch(() => {});
      this.dropped(conn, { immediate: this.attempt === 0 });
    } else if (probe === 200 && this.transportIndex < herald.options.transports.length - 1) {
      // The API answers but this transport does not: something in between blocks it.
      this.transportIndex++;
      this.dropped(conn, { immediate: true });
    } else {
      this.dropped(conn);
    }
  }

  openWebSocket(conn, token) {
    const herald = this.herald;
    const qs = herald._queryString({ since: herald.lastSeq, access_token: token });
    let ws;
    try {
      ws = new herald.options.WebSocket(`${herald.url.replace(/^http/, 'ws')}/ws/notifications?${qs}`);
    } catch {
      this.failedBeforeOpen(conn);
      return;
    }
    let opened = false;
    conn.onClose = () => ws.close(1000);
    conn.send = (frame) => ws.readyState === 1 && ws.send(JSON.stringify(frame));
    ws.onmessage = (ev) => {
      if (conn !== this.current) return;
      const frame = JSON.parse(ev.data);
      if (frame.type === 'connected') {
        opened = true;
        this.established();
        this.setStatus('connected');
      }
      herald._frame(frame);
    };
    ws.onclose = (ev) => {
      if (conn !== this.current) return;
      if (!opened) {
        this.failedBeforeOpen(conn);
        return;
      }
      this.closedWith(conn, ev.code, ev.reason);
    };
    ws.onerror = () => {};
  }

  closedWith(conn, code, reason) {
    if (code === 4001) {
      this.herald.token(true).then(() => this.dropped(conn, { immediate: true }),
        (e) => this.dropped(conn, { error: new HeraldError('token_provider', e.message) }));
      return;
    }
    const final = FINAL_CODES.has(code);
    this.dropped(conn, { final, error: final ? new HeraldError(code, reason || `closed with ${code}`) : undefined });
  }

  // SSE over fetch rather than EventSource: it can send the token as a header, read the
  // refusal status, and set Last-Event-ID from our own cursor, and it works in Node too.
  async openSse(conn, token) {
    const herald = this.herald;
    const controller = new AbortController();
    conn.onClose = () => controller.abort();
    let res;
    try {
      const headers = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
      if (herald.lastSeq !== null) headers['Last-Event-ID'] = String(herald.lastSeq);
      res = await herald.options.fetch(`${herald.url}/sse/notifications?${herald._queryString()}`, { headers, signal: controller.signal });
    } catch {
      if (!conn.closed) this.failedBeforeOpen(conn);
      return;
    }
    if (!res.ok || !res.body) {
      if (res.status === 403) this.dropped(conn, { final: true, error: new HeraldError(403, 'forbidden stream') });
      else this.failedBeforeOpen(conn);
      return;
    }
    let closing = null;
    try {
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done || conn !== this.current) break;
        buffer += value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (!data) continue;
          const frame = JSON.parse(data);
          if (frame.type === 'connected') {
            this.established();
            this.setStatus('connected');
          }
          if (frame.type === 'closing') closing = frame;
          herald._frame(frame);
        }
      }
    } catch {
      // aborted or the network dropped: handled below
    }
    if (conn !== this.current) return;
    this.closedWith(conn, closing?.code ?? 1006, closing?.reason);
  }

  // Last resort: the inbox API every pollIntervalMs. Only a user's own stream has an inbox.
  openPolling(conn) {
    const herald = this.herald;
    let first = true;
    const poll = async () => {
      if (conn !== this.current) return;
      try {
        const fresh = [];
        let cursor = null;
        let counts = null;
        for (let page = 0; page < 10; page++) {
          const q = new URLSearchParams({ limit: '100' });
          if (cursor) q.set('cursor', cursor);
          const body = await herald.request('GET', `/api/v1/me/notifications?${q}`);
          counts = body;
          let reachedKnown = herald.lastSeq === null;
          for (const n of body.notifications) {
            if (herald.lastSeq !== null && n.seq <= herald.lastSeq) { reachedKnown = true; break; }
            fresh.push(n);
          }
          if (reachedKnown || !body.next_cursor) break;
          cursor = body.next_cursor;
        }
        if (conn !== this.current) return;
        if (first) {
          first = false;
          this.established();
          this.setStatus('connected');
          if (herald.lastSeq === null) {
            // Like a socket without `since`: start live from the newest stored one.
            herald._frame({ type: 'connected', seq: fresh.length ? fresh[0].seq : 0, unread_count: counts.unread_count,
              unseen_count: counts.unseen_count });
            fresh.length = 0;
          }
        }
        for (const n of fresh.reverse()) {
          if (!herald._matchesTypes(n.type)) { herald.lastSeq = Math.max(herald.lastSeq ?? 0, n.seq); continue; }
          const { read_at, seen_at, archived_at, ...frame } = n;
          herald._frame(frame);
        }
        herald._setCounts(counts);
        conn.timer = setTimeout(poll, herald.options.pollIntervalMs);
      } catch (e) {
        if (conn !== this.current) return;
        if (e instanceof HeraldError && e.status === 403) this.dropped(conn, { final: true, error: e });
        else this.dropped(conn);
      }
    };
    conn.onClose = () => clearTimeout(conn.timer);
    poll();
  }
}

/** A filter as the API takes it: wire names, Dates as ISO strings (createdAfter/createdBefore accepted too). */
function filterToWire(filter = {}) {
  const out = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    const name = key === 'createdAfter' ? 'created_after' : key === 'createdBefore' ? 'created_before' : key;
    out[name] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/** Notification inbox helpers over the HTTP API (work with every transport). See docs/client-js.md. */
class Notifications {
  constructor(herald) {
    this.herald = herald;
  }

  /**
   * One page, newest first: `{notifications, next_cursor, unread_count, unseen_count}`. Filters:
   * `read`, `seen`, `archived` (false, true or 'any'), `category`, `tag`, `type`, `createdAfter`,
   * `createdBefore`; `unread: true` is `read: false`.
   */
  async list({ limit, cursor, unread, ...filter } = {}) {
    const q = new URLSearchParams();
    if (limit) q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    if (unread) q.set('read', 'false');
    for (const [k, v] of Object.entries(filterToWire(filter))) q.set(k, String(v));
    const page = await this.herald.request('GET', `/api/v1/me/notifications${q.size ? `?${q}` : ''}`);
    this.herald._setCounts(page);
    return page;
  }

  async unreadCount() {
    const { count, unseen_count } = await this.herald.request('GET', '/api/v1/me/notifications/unread-count');
    this.herald._setCounts({ unread_count: count, unseen_count });
    return count;
  }

  /** `{total, unread, unseen}` of one filter (none: the default feed). */
  count(filter = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filterToWire(filter))) q.set(k, String(v));
    return this.herald.request('GET', `/api/v1/me/notifications/counts${q.size ? `?${q}` : ''}`);
  }

  /** The counts of up to 20 named filters in one call, e.g. `{all: {}, unread: {read: false}}`: `{name: {total, unread, unseen}}`. */
  async counts(filters) {
    const wire = {};
    for (const [name, filter] of Object.entries(filters)) wire[name] = filterToWire(filter);
    const { counts } = await this.herald.request('POST', '/api/v1/me/notifications/counts', { filters: wire });
    return counts;
  }

  markRead(id) {
    return this.#one(id, 'read');
  }

  /** Marks one notification (an id) or several (an array of up to 1000 ids) seen: what the dropdown showed. */
  markSeen(ids) {
    return Array.isArray(ids) ? this.bulk('seen', { ids }) : this.#one(ids, 'seen');
  }

  markUnread(id) {
    return this.#one(id, 'unread');
  }

  archive(id) {
    return this.#one(id, 'archive');
  }

  unarchive(id) {
    return this.#one(id, 'unarchive');
  }

  async delete(id) {
    const r = await this.herald.request('DELETE', `/api/v1/me/notifications/${encodeURIComponent(id)}`);
    this.herald._setCounts(r);
    return r;
  }

  /** Marks every notification of the active feed (or of `filter`) seen: the badge goes to zero. */
  seenAll(filter = {}) {
    return this.bulk('seen', { filter });
  }

  async readAll() {
    const r = await this.herald.request('POST', '/api/v1/me/notifications/read-all');
    this.herald._setCounts(r);
    return r;
  }

  /** One action on `{ids}` (up to 1000, all or none) or on every match of `{filter}`: `{action, changed, ...counts}`. */
  async bulk(action, { ids, filter } = {}) {
    if (!INBOX_ACTIONS.has(action)) throw new TypeError(`action must be one of ${[...INBOX_ACTIONS].join(', ')}`);
    if ((ids === undefined) === (filter === undefined)) throw new TypeError('give exactly one of ids and filter');
    const body = ids !== undefined ? { action, ids } : { action, filter: filterToWire(filter) };
    const r = await this.herald.request('POST', '/api/v1/me/notifications/bulk', body);
    this.herald._setCounts(r);
    return r;
  }

  async #one(id, action) {
    const r = await this.herald.request('POST', `/api/v1/me/notifications/${encodeURIComponent(id)}/${action}`);
    this.herald._setCounts(r);
    return r;
  }
}

/** The user's notification preferences over the HTTP API (docs/api.md#preferences). */
class PreferenceSettings {
  constructor(herald) {
    this.herald = herald;
  }

  /** `{preferences, categories}`: the user's document and every category the app configured. */
  get() {
    return this.herald.request('GET', '/api/v1/me/preferences');
  }

  /** Replaces the whole document (absent parts take their defaults); answers as get(). */
  set(preferences) {
    return this.herald.request('PUT', '/api/v1/me/preferences', preferences);
  }
}

const PUSH_STORAGE_PREFIX = 'herald.push.device:';
const PUSH_CHANGED = 'pushsubscriptionchange';

/** The browser's Push API, or null where there is none (Node, old browsers, iOS Safari outside a home-screen app). */
function pushEnvironment() {
  const container = globalThis.navigator?.serviceWorker;
  if (!container || typeof globalThis.PushManager === 'undefined' || typeof globalThis.Notification === 'undefined') return null;
  return { container, Notification: globalThis.Notification };
}

function base64UrlBytes(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function sameBytes(a, b) {
  if (!a || !b) return false;
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Device ids by push endpoint, in localStorage (shared by the origin's tabs), or in memory where
 * there is none (Node, storage blocked).
 */
class DeviceIds {
  #memory = new Map();

  get #storage() {
    try {
      return globalThis.localStorage ?? null;
    } catch {
      return null; // a sandboxed page or blocked storage throws on access
    }
  }

  get(endpoint) {
    return this.#storage?.getItem(PUSH_STORAGE_PREFIX + endpoint) ?? this.#memory.get(endpoint) ?? null;
  }

  set(endpoint, id) {
    this.#memory.set(endpoint, id);
    try {
      this.#storage?.setItem(PUSH_STORAGE_PREFIX + endpoint, id);
    } catch {
      // quota or blocked: the in-memory copy serves this page
    }
  }

  delete(endpoint) {
    this.#memory.delete(endpoint);
    try {
      this.#storage?.removeItem(PUSH_STORAGE_PREFIX + endpoint);
    } catch {
      // blocked storage: nothing was kept there
    }
  }
}

/**
 * Web Push for this user on this browser (docs/client-js.md#push-notifications): a service
 * worker (Herald's /herald-sw.js, or the app's own importing it) shows the pushes; Herald keeps
 * the browser's subscription as one of the user's devices.
 */
class PushNotifications {
  #deviceIds = new DeviceIds();
  #scope = undefined;
  #listening = null;

  constructor(herald) {
    this.herald = herald;
  }

  /** `{supported, permission, subscribed, deviceId?}` for this browser, asking nothing of the user. */
  async status({ scope } = {}) {
    const env = pushEnvironment();
    if (!env) return { supported: false, permission: globalThis.Notification?.permission ?? 'denied', subscribed: false };
    this.#listen(env.container);
    const subscription = await this.#subscription(env, scope);
    const deviceId = subscription ? this.#deviceIds.get(subscription.endpoint) : null;
    return { supported: true, permission: env.Notification.permission, subscribed: !!subscription, ...(deviceId ? { deviceId } : {}) };
  }

  /**
   * Asks for the notification permission (call it from a click: browsers ask only then), registers
   * the service worker, subscribes with Herald's VAPID key (waiting at most `timeoutMs` for the
   * browser's push service) and registers the subscription as the user's device. Resolves `{deviceId}`.
   */
  async enable({ serviceWorker = '/herald-sw.js', scope, timeoutMs = 30000 } = {}) {
    const env = pushEnvironment();
    if (!env) {
      throw new HeraldError('push_unsupported', 'this browser has no Web Push: it needs service workers, PushManager and '
        + 'Notification (a secure origin; on iOS, a web app added to the home screen)');
    }
    this.#listen(env.container);
    const permission = env.Notification.permission === 'granted' ? 'granted' : await env.Notification.requestPermission();
    if (permission !== 'granted') {
      throw new HeraldError('push_permission', permission === 'denied'
        ? 'notifications are blocked for this site: the user can allow them in the browser\'s site settings'
        : 'the notification permission was not given: call push.enable() from a user gesture (a click handler), '
          + 'where the browser may ask, and have the user allow it', { permission });
    }
    const config = await this.herald.request('GET', '/api/v1/push/config');
    const publicKey = config?.webpush?.public_key;
    if (!publicKey) throw new HeraldError('push_unavailable', 'this Herald node does not send Web Push (--push-webpush is off)');
    let registration;
    try {
      registration = await env.container.register(serviceWorker, scope ? { scope } : undefined);
      await activated(registration);
    } catch (e) {
      throw new HeraldError('push_service_worker', `cannot register the service worker ${serviceWorker}: ${e.message}`, { cause: e });
    }
    this.#scope = registration.scope;
    const key = base64UrlBytes(publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameBytes(subscription.options?.applicationServerKey, key)) {
      // Subscribed with another server key (Herald's keys changed): that endpoint would refuse our pushes.
      this.#deviceIds.delete(subscription.endpoint);
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      // Bounded: offline, Chromium keeps retrying its push service and subscribe() never settles.
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new HeraldError('push_subscribe', `the browser's push service did not answer within `
          + `${timeoutMs} ms: the browser may be offline or unable to reach its push service`)), timeoutMs);
      });
      try {
        subscription = await Promise.race([registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), late]);
      } catch (e) {
        if (e instanceof HeraldError) throw e;
        throw new HeraldError('push_subscribe', `the browser's push service did not subscribe: ${e.name}: ${e.message}`, { cause: e });
      } finally {
        clearTimeout(timer);
      }
    }
    return { deviceId: await this.#register(subscription) };
  }

  /** Removes this browser's device from Herald (gone already is fine) and unsubscribes. */
  async disable({ scope } = {}) {
    const env = pushEnvironment();
    if (!env) return;
    const subscription = await this.#subscription(env, scope);
    if (!subscription) return;
    const id = this.#deviceIds.get(subscription.endpoint) ?? await this.#findDevice(subscription.endpoint);
    if (id) await this.#forgetDevice(id);
    this.#deviceIds.delete(subscription.endpoint);
    await subscription.unsubscribe();
  }

  async #subscription(env, scope) {
    const registration = await env.container.getRegistration(scope ?? this.#scope);
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async #register(subscription) {
    const { device } = await this.herald.request('POST', '/api/v1/me/devices', { platform: 'webpush', subscription: subscription.toJSON() });
    this.#deviceIds.set(subscription.endpoint, device.id);
    return device.id;
  }

  async #findDevice(endpoint) {
    const { devices } = await this.herald.request('GET', '/api/v1/me/devices');
    return devices.find((d) => d.endpoint === endpoint)?.id ?? null;
  }

  async #forgetDevice(id) {
    try {
      await this.herald.request('DELETE', `/api/v1/me/devices/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e.status !== 404) throw e;
    }
  }

  // The worker saw the push service replace the subscription; only a page has the user's token.
  #listen(container) {
    if (this.#listening) return;
    this.#listening = (event) => {
      if (event.data?.herald !== PUSH_CHANGED) return;
      this.#resubscribed(event.data).catch((e) => this.herald.emit('error', e instanceof HeraldError ? e
        : new HeraldError('push_resubscribe', `cannot register the renewed push subscription: ${e.message}`)));
    };
    container.addEventListener('message', this.#listening);
  }

  async #resubscribed({ oldEndpoint }) {
    const oldId = oldEndpoint ? this.#deviceIds.get(oldEndpoint) : null;
    if (oldEndpoint) this.#deviceIds.delete(oldEndpoint);
    const env = pushEnvironment();
    const subscription = env && await this.#subscription(env);
    if (subscription) await this.#register(subscription);
    if (oldId) await this.#forgetDevice(oldId);
  }
}

/** Resolves once the registration has an active worker (pushManager.subscribe needs one). */
function activated(registration) {
  if (registration.active) return Promise.resolve(registration);
  const worker = registration.installing ?? registration.waiting;
  if (!worker) return Promise.reject(new Error('it has no worker'));
  return new Promise((resolve, reject) => {
    const check = () => {
      if (worker.state === 'activated') resolve(registration);
      else if (worker.state === 'redundant') reject(new Error('it failed to install'));
      else return false;
      worker.removeEventListener('statechange', check);
      return true;
    };
    if (!check()) worker.addEventListener('statechange', check);
  });
}

const CHAT_EVENTS = new Set(['message', 'typing', 'stop_typing', 'read_receipt', 'reaction', 'presence',
  'status_updated', 'conversation_added']);

/** The /ws/chat connection, opened on first use. */
class ChatLink extends Link {
  constructor(herald, chat) {
    super(herald, 'chat_status');
    this.chat = chat;
    this.status = 'idle';
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.herald.emit('chat_status', status);
  }

  async connectOnce() {
    const herald = this.herald;
    const conn = { closed: false, close() { this.closed = true; this.ws?.close(1000); } };
    this.current = conn;
    let token;
    try {
      token = await herald.token();
    } catch (e) {
      this.dropped(conn, { error: new HeraldError('token_provider', e.message) });
      return;
    }
    if (conn !== this.current) return;
    const ws = new herald.options.WebSocket(`${herald.url.replace(/^http/, 'ws')}/ws/chat?access_token=${encodeURIComponent(token)}`);
    conn.ws = ws;
    let opened = false;
    ws.onmessage = (ev) => {
      if (conn !== this.current) return;
      const frame = JSON.parse(ev.data);
      if (frame.type === 'connected') {
        opened = true;
        this.established();
        this.setStatus('connected');
        this.chat._resume(conn);
        return;
      }
      this.chat._frame(frame);
    };
    ws.onclose = (ev) => {
      if (conn !== this.current) return;
      if (ev.code === 4001) {
        herald.token(true).then(() => this.dropped(conn, { immediate: true }), () => this.dropped(conn));
        return;
      }
      if (!opened) {
        this.dropped(conn);
        return;
      }
      const final = FINAL_CODES.has(ev.code);
      this.dropped(conn, { final, error: final ? new HeraldError(ev.code, ev.reason) : undefined });
    };
    ws.onerror = () => {};
  }

  send(frame) {
    const ws = this.current?.ws;
    if (this.status === 'connected' && ws && ws.readyState === 1) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
}

let refCounter = 0;
function newId() {
  return globalThis.crypto?.randomUUID?.() ?? `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

/** Chat helpers: conversations over HTTP, live events and sends over /ws/chat. */
class Chat {
  constructor(herald) {
    this.herald = herald;
    this.link = new ChatLink(herald, this);
    this.used = false;
    this.joined = new Map(); // conversation id -> {lastSeq, waiters}
    this.pending = new Map(); // client_id -> {frame, resolve, reject, timer}
    this.typingState = new Map(); // conversation id -> {idle, keepalive}
    this.waiters = new Map(); // ref -> {resolve, reject}
  }

  /** Opens the chat connection now (it also opens on the first join/send). */
  open() {
    this.used = true;
    this.link.start();
    return this;
  }

  get status() {
    return this.link.status;
  }

  conversations(limit) {
    return this.herald.request('GET', `/api/v1/me/conversations${limit ? `?limit=${limit}` : ''}`);
  }

  create({ kind = 'direct', members, title } = {}) {
    return this.herald.request('POST', '/api/v1/conversations', { kind, members, ...(title ? { title } : {}) });
  }

  history(conversationId, { before, limit } = {}) {
    const q = new URLSearchParams();
    if (before) q.set('before', String(before));
    if (limit) q.set('limit', String(limit));
    return this.herald.request('GET', `/api/v1/conversations/${conversationId}/messages${q.size ? `?${q}` : ''}`);
  }

  /**
   * Joins a conversation: live messages from now on (or after `since`), kept across
   * reconnects. Resolves with the `joined` frame.
   */
  join(conversationId, { since } = {}) {
    this.open();
    const id = Number(conversationId);
    const entry = this.joined.get(id) ?? { lastSeq: null };
    if (since !== undefined) entry.lastSeq = since;
    this.joined.set(id, entry);
    return new Promise((resolve, reject) => {
      entry.waiter = { resolve, reject };
      this._sendJoin(id, entry);
    });
  }

  leave(conversationId) {
    const id = Number(conversationId);
    this.stopTyping(id);
    this.joined.delete(id);
    this.link.send({ type: 'leave', conversation_id: id });
  }

  /** Sends a message; resolves with the stored message once Herald acknowledged it. Retried across reconnects. */
  send(conversationId, content, { messageType, clientId = newId() } = {}) {
    this.open();
    const id = Number(conversationId);
    this._clearTyping(id);
    const frame = { type: 'send_message', conversation_id: id, content, client_id: clientId };
    if (messageType) frame.message_type = messageType;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(clientId);
        reject(new HeraldError('ack_timeout', `no ack within ${this.herald.options.ackTimeoutMs} ms`));
      }, this.herald.options.ackTimeoutMs);
      this.pending.set(clientId, { frame, resolve, reject, timer });
      if (!this.link.send(frame)) this._sendOverHttp(id, clientId);
    });
  }

  // The chat socket is not up (down, or blocked by a proxy): send through the HTTP API. The
  // client_id makes this safe to race with the socket's resend after a reconnect.
  async _sendOverHttp(id, clientId) {
    const p = this.pending.get(clientId);
    if (!p) return;
    const body = { content: p.frame.content, client_id: clientId };
    if (p.frame.message_type) body.message_type = p.frame.message_type;
    try {
      const { message } = await this.herald.request('POST', `/api/v1/conversations/${id}/messages`, body);
      if (this.pending.get(clientId) !== p) return;
      clearTimeout(p.timer);
      this.pending.delete(clientId);
      this._message({ type: 'message', ...message }, false);
      p.resolve(message);
    } catch (e) {
      // A refusal is final; a network failure or 5xx leaves the message to the socket's resend.
      if (e instanceof HeraldError && e.status >= 400 && e.status < 500 && this.pending.get(clientId) === p) {
        clearTimeout(p.timer);
        this.pending.delete(clientId);
        p.reject(e);
      }
    }
  }

  /** Call on every keystroke: sends `typing` once, keeps it alive, and `stop_typing` after typingIdleMs of silence. */
  typing(conversationId) {
    const id = Number(conversationId);
    let state = this.typingState.get(id);
    if (!state) {
      state = {};
      this.typingState.set(id, state);
      this.link.send({ type: 'typing', conversation_id: id });
      // Herald forgets a typing state after 5 s: remind it while the user keeps typing.
      state.keepalive = setInterval(() => this.link.send({ type: 'typing', conversation_id: id }), 4000);
    }
    clearTimeout(state.idle);
    state.idle = setTimeout(() => this.stopTyping(id), this.herald.options.typingIdleMs);
  }

  stopTyping(conversationId) {
    const id = Number(conversationId);
    if (this._clearTyping(id)) this.link.send({ type: 'stop_typing', conversation_id: id });
  }

  /** Moves the read marker (read receipts for the others). */
  read(conversationId, seq) {
    const id = Number(conversationId);
    if (!this.link.send({ type: 'read', conversation_id: id, seq })) {
      return this.herald.request('POST', `/api/v1/conversations/${id}/read`, seq === undefined ? {} : { seq });
    }
    return Promise.resolve();
  }

  react(conversationId, seq, emoji, action = 'add') {
    this.link.send({ type: 'react', conversation_id: Number(conversationId), seq, emoji, action });
  }

  setStatus(status) {
    this.open();
    this.link.send({ type: 'set_status', status });
  }

  _clearTyping(id) {
    const state = this.typingState.get(id);
    if (!state) return false;
    clearTimeout(state.idle);
    clearInterval(state.keepalive);
    this.typingState.delete(id);
    return true;
  }

  _sendJoin(id, entry) {
    const ref = `j${++refCounter}`;
    entry.ref = ref;
    const frame = { type: 'join', conversation_id: id, ref };
    if (entry.lastSeq !== null) frame.since = entry.lastSeq;
    this.link.send(frame);
  }

  // A (re)connected chat socket: rejoin from the last seq seen, resend unacknowledged messages.
  _resume() {
    for (const [id, entry] of this.joined) this._sendJoin(id, entry);
    for (const { frame } of this.pending.values()) this.link.send(frame);
  }

  _frame(frame) {
    const herald = this.herald;
    switch (frame.type) {
      case 'joined': {
        const entry = this.joined.get(frame.conversation_id);
        if (!entry || entry.ref !== frame.ref) return;
        if (entry.lastSeq === null) entry.lastSeq = frame.seq;
        entry.waiter?.resolve(frame);
        entry.waiter = null;
        herald.emit('joined', frame);
        return;
      }
      case 'ack': {
        const p = this.pending.get(frame.client_id);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(frame.client_id);
          p.resolve(frame.message);
        }
        this._message({ type: 'message', ...frame.message }, false);
        return;
      }
      case 'message':
        this._message(frame, true);
        return;
      case 'error': {
        const err = new HeraldError(frame.code, frame.message, { field: frame.field, frame });
        const p = frame.client_id !== undefined && this.pending.get(frame.client_id);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(frame.client_id);
          p.reject(err);
          return;
        }
        for (const [id, entry] of this.joined) {
          if (entry.ref !== undefined && entry.ref === frame.ref) {
            this.joined.delete(id);
            entry.waiter?.reject(err);
            return;
          }
        }
        herald.emit('error', err);
        return;
      }
      default:
        if (CHAT_EVENTS.has(frame.type)) herald.emit(frame.type, frame);
    }
  }

  // A message arrives as ack and as message (either first), and again on resume: deliver
  // each once. Only `message` frames, which come in seq order, move the resume cursor.
  _message(msg, inOrder) {
    const entry = this.joined.get(msg.conversation_id);
    if (entry) {
      if (inOrder) {
        if (entry.lastSeq !== null && msg.seq <= entry.lastSeq) return;
        entry.lastSeq = msg.seq;
      }
      entry.seen ??= new Set();
      if (entry.seen.has(msg.id)) return;
      entry.seen.add(msg.id);
      if (entry.seen.size > 1000) entry.seen.delete(entry.seen.values().next().value);
    } else if (inOrder) {
      return; // a late frame of a conversation we left
    }
    this.herald.emit('message', msg);
  }
}

export default Herald;
