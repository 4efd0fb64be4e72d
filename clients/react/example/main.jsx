// A small app on herald-react: the Live dot, the bell's badge, a toast for order notifications
// only, and a chat with one peer (typing, presence).
// Open it as /?herald=http://127.0.0.1:8080&user=ann&peer=ben against a node started with
// `--dev --cors-origins <this page's origin>`: the token comes from the development route.
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  HeraldProvider, useConnectionStatus, useConversation, useHerald, useNotifications, usePresence, useUnseenCount,
} from 'herald-react';

const params = new URLSearchParams(location.search);
const HERALD = params.get('herald');
const ME = params.get('user');
const PEER = params.get('peer');
const TOAST_TYPES = ['order_*', 'payment_status_changed'];

// In a real app: your backend's token route.
async function getToken() {
  const res = await fetch(`${HERALD}/api/v1/dev/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: ME, name: ME }),
  });
  return (await res.json()).token;
}

// In a real app: your backend, which asks Herald's GET /api/v1/presence with its API key.
async function loadPresence(userId) {
  const res = await fetch(`${HERALD}/api/v1/dev/presence?users=${encodeURIComponent(userId)}`, {
    headers: { Authorization: `Bearer ${await getToken()}` },
  });
  return (await res.json()).users[0];
}

function Header() {
  const status = useConnectionStatus();
  const unseen = useUnseenCount();
  return (
    <header>
      <span className="live" data-testid="live" data-status={status} title={status} />
      <strong>{ME}</strong>
      <span className="bell">🔔{unseen > 0 && <span className="badge" data-testid="badge">{unseen > 99 ? '99+' : unseen}</span>}</span>
    </header>
  );
}

function Toasts() {
  const [toasts, setToasts] = useState([]);
  // Only order types toast; everything else still counts in the badge.
  useNotifications({
    types: TOAST_TYPES,
    onNotification: (n) => setToasts((t) => [...t, { id: n.id, text: n.message ?? n.type }]),
  });
  return (
    <div className="toasts">
      {toasts.map((t) => <div className="toast" data-testid="toast" key={t.id}>{t.text}</div>)}
    </div>
  );
}

function Chat() {
  const herald = useHerald();
  const [conversationId, setConversationId] = useState(null);
  useEffect(() => {
    // Creating the direct conversation of two users again answers the existing one.
    herald.chat.create({ kind: 'direct', members: [PEER] }).then(({ conversation }) => setConversationId(conversation.id));
  }, [herald]);
  const { messages, send, typing, typingUsers, markRead, loading } = useConversation(conversationId);
  const peer = usePresence(PEER);
  const [draft, setDraft] = useState('');
  const last = messages.at(-1);
  useEffect(() => { if (last && last.sender_id !== ME) markRead(last.seq); }, [last, markRead]);
  const submit = useCallback((e) => {
    e.preventDefault();
    if (draft.trim()) send(draft.trim());
    setDraft('');
  }, [draft, send]);

  return (
    <section data-testid="chat" data-ready={conversationId !== null && !loading}>
      <h3>Chat with {PEER} <span data-testid="presence">{peer.online === null ? '' : peer.online ? 'online' : 'offline'}</span></h3>
      <ul className="messages" data-testid="messages">
        {messages.map((m) => <li key={m.id} className={m.sender_id === ME ? 'mine' : ''}>{m.content}</li>)}
      </ul>
      <div className="typing" data-testid="typing">{typingUsers.length > 0 && `${typingUsers.join(', ')} is typing…`}</div>
      <form onSubmit={submit}>
        <input data-testid="composer" value={draft} placeholder="Message"
          onChange={(e) => { setDraft(e.target.value); typing(); }} />
        <button type="submit">Send</button>
      </form>
    </section>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <HeraldProvider options={{ url: HERALD, token: getToken }} loadPresence={loadPresence}>
      <Header />
      <Toasts />
      {PEER && <Chat />}
    </HeraldProvider>
  </StrictMode>,
);
