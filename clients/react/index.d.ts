// Type declarations for herald-react (index.js). See docs/client-react.md.
import type { ReactNode } from 'react';
import type {
  BulkAnswer, ChatMessage, Conversation, Herald, HeraldError, HeraldEvents, HeraldOptions, InboxActionAnswer,
  Notification, Status,
} from 'herald-client';

export { Herald } from 'herald-client';
export type { ChatMessage, Conversation, HeraldError, HeraldOptions, Notification, Status } from 'herald-client';

/** What `loadPresence` answers for a user: an entry of Herald's `GET /api/v1/presence`, asked by the app's backend. */
export interface PresenceEntry {
  online: boolean;
  status?: string | null;
  last_seen?: string | null;
}

export type HeraldProviderProps = {
  children?: ReactNode;
  /** Where the presence of a user comes from before its first live change (usually the app's backend). */
  loadPresence?: (userId: string) => Promise<PresenceEntry | null | undefined>;
} & (
  /** The provider creates the Herald (read on the first render), connects it on mount and closes it on the final unmount. */
  | { options: HeraldOptions; herald?: undefined }
  /** A Herald the app owns: connected on mount, never closed by the provider. */
  | { herald: Herald; options?: undefined }
);

export function HeraldProvider(props: HeraldProviderProps): ReactNode;

/** The provider's Herald. Throws outside a HeraldProvider. */
export function useHerald(): Herald;

/** Calls `handler` for each event; registered once per mounted component, always the latest handler. */
export function useHeraldEvent<K extends keyof HeraldEvents>(type: K, handler: HeraldEvents[K]): void;
export function useHeraldEvent(type: `notification:${string}`, handler: (n: Notification) => void): void;

/** The notification connection's status, or the chat connection's with 'chat'. */
export function useConnectionStatus(kind?: 'notifications' | 'chat'): Status;

/** null until Herald told it (on connect). */
export function useUnreadCount(): number | null;
/** The bell's badge; null until Herald told it (on connect). */
export function useUnseenCount(): number | null;

export interface UseNotificationsOptions {
  /** Only these types: exact types or prefixes ending in '*'. Filters the feed and onNotification, not the socket. */
  types?: string[] | null;
  /** How many items the feed keeps, newest first. Default 20. */
  limit?: number;
  /** Once per live notification of `types` (not for the inbox page read on mount). */
  onNotification?: (n: Notification) => void;
}

export interface NotificationFeed {
  /** Newest first, each id once. */
  notifications: Notification[];
  loading: boolean;
  error: HeraldError | Error | null;
  unreadCount: number | null;
  unseenCount: number | null;
  markRead(id: string): Promise<InboxActionAnswer>;
  markSeen(ids: string | string[]): Promise<InboxActionAnswer | BulkAnswer>;
  markAllRead(): Promise<{ unread_count: number; unseen_count: number }>;
  /** Reads the inbox page again. */
  refetch(): void;
}

export function useNotifications(options?: UseNotificationsOptions): NotificationFeed;

export interface ConversationView {
  /** Seq order, each once: the last `limit` of the history, then live ones. */
  messages: ChatMessage[];
  /** From the `joined` frame; null until joined. */
  conversation: Conversation | null;
  loading: boolean;
  error: HeraldError | Error | null;
  /** Users typing now (never the signed-in user). */
  typingUsers: string[];
  /** The highest seq each member read, from the read receipts received while mounted. */
  readBy: Record<string, number>;
  /** Resolves with the stored message on Herald's ack; it also appears in `messages`. */
  send(content: string, options?: { messageType?: string; clientId?: string }): Promise<ChatMessage>;
  /** Call on every keystroke: debounced by the client. */
  typing(): void;
  stopTyping(): void;
  /** Read receipt up to `seq` (default: the last message shown). */
  markRead(seq?: number): Promise<unknown>;
}

/** null or undefined: no conversation (nothing joined). */
export function useConversation(conversationId: number | string | null | undefined, options?: { limit?: number }): ConversationView;

export interface Presence {
  /** null: unknown (no loadPresence answer and no change seen yet). */
  online: boolean | null;
  status: string | null;
  lastSeen: string | null;
}

export function usePresence(userId: string | number | null | undefined): Presence;

/** The parts of TanStack Query's QueryClient this uses. */
export interface QueryClientLike {
  invalidateQueries(filters: { queryKey: readonly unknown[] }): unknown;
  setQueryData(queryKey: readonly unknown[], updater: (old: any) => any): unknown;
}

export function useInvalidateOnNotification(queryClient: QueryClientLike, options: {
  types?: string[] | null;
  queryKey: readonly unknown[] | ((n: Notification) => readonly unknown[]);
  /** Update the query's data instead of invalidating it. */
  update?: (old: any, n: Notification) => any;
}): void;

/** True when `type` matches one of `types` (exact, or a prefix ending in '*'); no types: every type. */
export function matchesTypes(types: readonly string[] | null | undefined, type: string): boolean;
