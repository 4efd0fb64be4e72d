// An app-style use of herald-react: must compile in strict mode (types.test.js).
import { createElement, useState } from 'react';
import { QueryClient } from '@tanstack/react-query';
import {
  Herald, HeraldProvider, type Notification, useConnectionStatus, useConversation, useHerald, useHeraldEvent,
  useInvalidateOnNotification, useNotifications, usePresence, useUnreadCount, useUnseenCount,
} from '../../index.js';

const queryClient = new QueryClient();

function Bell() {
  const status = useConnectionStatus();
  const chatStatus = useConnectionStatus('chat');
  const unseen = useUnseenCount();
  const unread: number | null = useUnreadCount();
  const [toasts, setToasts] = useState<Notification[]>([]);
  const { notifications, markRead, markSeen, markAllRead, loading, refetch } = useNotifications({
    types: ['order_*'], limit: 10, onNotification: (n) => setToasts((t) => [...t, n]),
  });
  useInvalidateOnNotification(queryClient, { types: ['order_created'], queryKey: ['orders'] });
  useInvalidateOnNotification(queryClient, { queryKey: (n) => ['order', n.order_id], update: (old, n) => ({ ...old, n }) });
  useHeraldEvent('unseen_count', (c) => c.toFixed());
  useHeraldEvent('notification:new_message', (n) => n.id.toUpperCase());
  const herald: Herald = useHerald();
  void [status === 'connected', chatStatus, unseen?.toFixed(), unread, toasts, loading, herald.lastSeq];
  void markRead(notifications[0].id).then((a) => a.unread_count.toFixed());
  void markSeen(notifications.map((n) => n.id));
  void markAllRead().then((r) => r.unseen_count);
  refetch();
  return null;
}

function Chat({ id }: { id: number | null }) {
  const { messages, send, typing, stopTyping, markRead, typingUsers, readBy, conversation } = useConversation(id, { limit: 30 });
  const peer = usePresence(conversation?.members[0]);
  void send('hi').then((m) => m.seq.toFixed());
  typing();
  stopTyping();
  void markRead(messages.at(-1)?.seq);
  void [typingUsers.join(), readBy['789']?.toFixed(), peer.online === true, peer.lastSeen];
  return null;
}

createElement(HeraldProvider, { options: { url: 'http://127.0.0.1:8080', token: async () => 'jwt' } }, createElement(Bell));
createElement(HeraldProvider, { herald: new Herald({ token: 'jwt' }), loadPresence: async () => ({ online: true }) }, createElement(Chat, { id: 1 }));

// @ts-expect-error options or a herald, not neither
createElement(HeraldProvider, {});
// @ts-expect-error unseen_count listeners get a number
useHeraldEvent('unseen_count', (c: string) => c);
// @ts-expect-error the kind is 'notifications' or 'chat'
useConnectionStatus('sse');
// @ts-expect-error a query key is required
useInvalidateOnNotification(queryClient, { types: ['x'] });
