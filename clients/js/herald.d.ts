// Type declarations for herald.js (the Herald browser client).

export type Status = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';
export type Transport = 'websocket' | 'sse' | 'polling';
export type TokenSource = string | (() => string | Promise<string>);

export interface HeraldOptions {
  /** A JWT, or a function returning one (called again when it expires or is refused). */
  token: TokenSource;
  /** Herald's base URL, e.g. "https://herald.example.com". Default: the page's origin. */
  url?: string;
  /** The stream to follow: the user's own (default) or a topic the token grants, e.g. {type: 'branch', id: 7}. */
  stream?: { type: string; id?: string | number } | null;
  /** Server-side type filter: exact types and prefixes ending in '*'. */
  types?: string[] | null;
  /** Resume after this seq on the first connect (e.g. kept from a previous page). */
  since?: number;
  /** Transports in order of preference. Default ['websocket', 'sse', 'polling']. */
  transports?: Transport[];
  reconnect?: {
    /** Reconnect attempts in a row (after the first failure) before giving up: status 'closed', error 'gave_up'. Default Infinity. */
    attempts?: number;
    /** First backoff ceiling in ms (default 1000); doubles per attempt up to maxMs (default 16000). */
    baseMs?: number;
    maxMs?: number;
    random?: () => number;
  };
  /** Polling interval of the last-resort transport. Default 5000 ms. */
  pollIntervalMs?: number;
  /** How long chat.send waits for Herald's ack. Default 15000 ms. */
  ackTimeoutMs?: number;
  /** How long the reachability probe after a failed connect may take (default 5000 ms). */
  probeTimeoutMs?: number;
  /** Silence after the last chat.typing() call before stop_typing is sent. Default 3000 ms. */
  typingIdleMs?: number;
  /** WebSocket implementation (Node: the `ws` package). Default globalThis.WebSocket. */
  WebSocket?: unknown;
  /** fetch implementation. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** A notification as delivered: the app's object plus Herald's id, seq and created_at (the feed adds the states' times). */
export interface Notification {
  type: string;
  id: string;
  seq: number;
  created_at: string;
  /** The publish's category and tags, when it gave them. */
  category?: string;
  tags?: string[];
  /** The publish's expiry: it leaves the inbox then. */
  expires_at?: string;
  read_at?: string | null;
  seen_at?: string | null;
  archived_at?: string | null;
  [field: string]: unknown;
}

export interface NotificationPage {
  notifications: Notification[];
  next_cursor: string | null;
  unread_count: number;
  unseen_count: number;
}

/** Which notifications: every condition given must hold (docs/api.md#filters). */
export interface InboxFilter {
  /** false (default): active only; true: archived only; 'any': both. */
  archived?: boolean | 'any';
  read?: boolean;
  seen?: boolean;
  category?: string;
  tag?: string;
  /** An exact type or a prefix ending in '*'. */
  type?: string;
  createdAfter?: Date | string;
  createdBefore?: Date | string;
}

export type InboxAction = 'seen' | 'read' | 'unread' | 'archive' | 'unarchive' | 'delete';

export interface InboxCounts {
  total: number;
  unread: number;
  unseen: number;
}

/** What an inbox action changed, from this or another tab or device. */
export interface InboxFrame {
  type: 'inbox';
  action: InboxAction;
  ids: string[];
  unread_count: number;
  unseen_count: number;
}

export interface InboxActionAnswer {
  id: string;
  action: InboxAction;
  changed: boolean;
  unread_count: number;
  unseen_count: number;
}

export interface ChatMessage {
  id: number;
  conversation_id: number;
  seq: number;
  sender_id: string;
  sender_name: string;
  client_id?: string | null;
  message_type: string;
  content: string;
  created_at: string;
  reactions?: Record<string, string[]>;
}

export interface Conversation {
  id: number;
  kind: 'direct' | 'group';
  title: string | null;
  members: string[];
  last_seq: number;
  created_at: string;
  last_activity_at: string;
  last_message?: ChatMessage | null;
  last_read_seq?: number;
  unread_count?: number;
}

export interface JoinedFrame {
  type: 'joined';
  conversation_id: number;
  seq: number;
  last_read_seq: number;
  unread_count: number;
  since?: number;
  conversation: Conversation;
}

export interface HeraldEvents {
  status: (status: Status, detail: { transport: Transport | null }) => void;
  connected: (frame: { type: 'connected'; user_id: string; stream: string; seq: number; unread_count: number; unseen_count: number; since?: number }) => void;
  notification: (n: Notification) => void;
  unread_count: (count: number) => void;
  /** The unseen count changed: the bell's badge. */
  unseen_count: (count: number) => void;
  inbox: (frame: InboxFrame) => void;
  error: (error: HeraldError) => void;
  chat_status: (status: Status) => void;
  joined: (frame: JoinedFrame) => void;
  message: (m: ChatMessage & { type: 'message' }) => void;
  typing: (e: { type: 'typing'; conversation_id: number; user_id: string }) => void;
  stop_typing: (e: { type: 'stop_typing'; conversation_id: number; user_id: string }) => void;
  read_receipt: (e: { type: 'read_receipt'; conversation_id: number; user_id: string; seq: number }) => void;
  reaction: (e: { type: 'reaction'; conversation_id: number; message_id: number; seq: number; user_id: string; emoji: string; action: 'added' | 'removed' }) => void;
  presence: (e: { type: 'presence'; user_id: string; status: 'online' | 'offline'; last_seen: string | null }) => void;
  status_updated: (e: { type: 'status_updated'; user_id: string; status: string }) => void;
  conversation_added: (e: { type: 'conversation_added'; conversation: Conversation }) => void;
}

export class HeraldError extends Error {
  /** The protocol's error code (e.g. 'conversation_not_found'), a close code, or an HTTP status. */
  code: string | number;
  status?: number;
  field?: string;
  /** For 'push_permission': the permission the browser answered. */
  permission?: 'default' | 'denied';
}

export function backoffDelay(attempt: number, options?: { baseMs?: number; maxMs?: number; random?: () => number }): number;
export function tokenExpiry(token: string): number | null;

export class Herald {
  constructor(options: HeraldOptions);
  readonly url: string;
  /** Highest notification seq delivered: the resume cursor. */
  lastSeq: number | null;
  unreadCount: number | null;
  /** Unseen, active notifications: the bell's badge. */
  unseenCount: number | null;
  status: Status;
  transport: Transport | null;
  readonly offline: boolean;
  readonly notifications: Notifications;
  readonly preferences: PreferenceSettings;
  readonly chat: Chat;
  /** Web Push for this user on this browser (docs/client-js.md#push-notifications). */
  readonly push: PushNotifications;

  connect(): this;
  disconnect(): this;
  token(fresh?: boolean): Promise<string>;
  request<T = any>(method: string, path: string, body?: unknown): Promise<T>;

  on<K extends keyof HeraldEvents>(type: K, fn: HeraldEvents[K]): () => void;
  /** `notification:<type>`: only notifications of that app type. */
  on(type: `notification:${string}`, fn: (n: Notification) => void): () => void;
  off<K extends keyof HeraldEvents>(type: K, fn: HeraldEvents[K]): void;
  off(type: string, fn: (...args: any[]) => void): void;
  listenerCount(type: string): number;
}

export interface Notifications {
  list(query?: { limit?: number; cursor?: string; unread?: boolean } & InboxFilter): Promise<NotificationPage>;
  unreadCount(): Promise<number>;
  count(filter?: InboxFilter): Promise<InboxCounts>;
  /** Up to 20 named filters at once, e.g. {all: {}, unread: {read: false}}. */
  counts<K extends string>(filters: Record<K, InboxFilter>): Promise<Record<K, InboxCounts>>;
  markRead(id: string): Promise<InboxActionAnswer & { read: true }>;
  markSeen(id: string): Promise<InboxActionAnswer>;
  markSeen(ids: string[]): Promise<BulkAnswer>;
  markUnread(id: string): Promise<InboxActionAnswer>;
  archive(id: string): Promise<InboxActionAnswer>;
  unarchive(id: string): Promise<InboxActionAnswer>;
  delete(id: string): Promise<InboxActionAnswer & { deleted: true }>;
  seenAll(filter?: InboxFilter): Promise<BulkAnswer>;
  readAll(): Promise<{ unread_count: number; unseen_count: number }>;
  bulk(action: InboxAction, target: { ids: string[] } | { filter: InboxFilter }): Promise<BulkAnswer>;
}

export interface PushStatus {
  /** The browser has service workers, PushManager and Notification. */
  supported: boolean;
  /** The notification permission; 'denied' where there is no Notification API. */
  permission: 'default' | 'granted' | 'denied';
  /** The service worker's registration has a push subscription. */
  subscribed: boolean;
  /** Herald's device id of that subscription, when this origin registered it. */
  deviceId?: string;
}

/**
 * Errors (HeraldError codes): 'push_unsupported', 'push_permission' (with `permission`),
 * 'push_unavailable' (the node sends no Web Push), 'push_service_worker', 'push_subscribe'
 * (the browser's push service refused), or the HTTP status of a refused registration (with `field`).
 */
export interface PushNotifications {
  status(options?: { scope?: string }): Promise<PushStatus>;
  /** Call from a user gesture (a click): the browser asks for the permission only then. */
  enable(options?: {
    /** The service worker script: default '/herald-sw.js'; on another origin than Herald, the app's worker that imports it. */
    serviceWorker?: string;
    /** Its scope: default the script's folder. */
    scope?: string;
    /** How long to wait for the browser's push service to subscribe (default 30000 ms): then 'push_subscribe'. */
    timeoutMs?: number;
  }): Promise<{ deviceId: string }>;
  disable(options?: { scope?: string }): Promise<void>;
}

export interface ChannelSettings {
  in_app?: boolean;
  push?: boolean;
}

/** A user's preferences (docs/api.md#preferences). */
export interface Preferences {
  enabled?: boolean;
  channels?: ChannelSettings;
  categories?: Record<string, ChannelSettings>;
  types?: Record<string, ChannelSettings>;
  quiet_hours?: { start: string; end: string; time_zone: string } | null;
}

export interface Category {
  name: string;
  in_app: boolean;
  push: boolean;
  critical: boolean;
  description: string;
}

export interface PreferenceSettings {
  get(): Promise<{ preferences: Required<Preferences>; categories: Category[] }>;
  set(preferences: Preferences): Promise<{ preferences: Required<Preferences>; categories: Category[] }>;
}

export interface BulkAnswer {
  action: InboxAction;
  changed: number;
  /** By ids: those whose state changed. */
  ids?: string[];
  unread_count: number;
  unseen_count: number;
}

export interface Chat {
  readonly status: Status;
  open(): this;
  conversations(limit?: number): Promise<{ conversations: Conversation[]; unread_total: number }>;
  create(spec: { kind?: 'direct' | 'group'; members: string[]; title?: string }): Promise<{ conversation: Conversation; created: boolean }>;
  history(conversationId: number, page?: { before?: number; limit?: number }): Promise<{ conversation_id: number; messages: ChatMessage[]; next_before: number | null }>;
  join(conversationId: number, options?: { since?: number }): Promise<JoinedFrame>;
  leave(conversationId: number): void;
  send(conversationId: number, content: string, options?: { messageType?: string; clientId?: string }): Promise<ChatMessage>;
  typing(conversationId: number): void;
  stopTyping(conversationId: number): void;
  read(conversationId: number, seq?: number): Promise<unknown>;
  react(conversationId: number, seq: number, emoji: string, action?: 'add' | 'remove'): void;
  setStatus(status: string): void;
}

export default Herald;
