// Drives the official socket.io-client v4 against Herald's own events (stories 4, 5, 6).
// Usage: HERALD_ARGS='{...}' node herald.mjs <scenario> <baseUrl>
// HERALD_ARGS: { apiKey, transports, tokens: {a, b, c, expired, badSig}, users: {a, b, c}, conversationId }
// Prints one JSON object with what was observed; exits 0 when the scenario ran to its end.
import { io } from "socket.io-client";

const [scenario, base] = process.argv.slice(2);
const args = JSON.parse(process.env.HERALD_ARGS || "{}");
const transports = args.transports || ["websocket"];
const deadline = setTimeout(() => fail("scenario timed out"), 30000);
const sockets = [];

function fail(message) {
  sockets.forEach((s) => s.disconnect());
  process.stdout.write(JSON.stringify({ ok: false, error: String(message && message.stack || message) }) + "\n",
    () => process.exit(1));
}

function done(result) {
  clearTimeout(deadline);
  sockets.forEach((s) => s.disconnect());
  process.stdout.write(JSON.stringify({ ok: true, ...result }) + "\n", () => process.exit(0));
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...a) => resolve(a)));
}

/** Resolves with the first event matching `pred`; rejects after `ms`. */
function waitFor(socket, event, pred = () => true, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no " + event + " within " + ms + " ms")), ms);
    const handler = (...a) => {
      if (pred(...a)) {
        clearTimeout(timer);
        socket.off(event, handler);
        resolve(a);
      }
    };
    socket.on(event, handler);
  });
}

async function until(pred, ms = 10000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met within " + ms + " ms");
    await new Promise((res) => setTimeout(res, 20));
  }
}

function connect(opts) {
  const s = io(base, { transports, reconnection: false, forceNew: true, ...opts });
  sockets.push(s);
  return s;
}

async function connected(opts) {
  const s = connect(opts);
  const [err] = await Promise.race([once(s, "connect").then(() => [null]), once(s, "connect_error")]);
  if (err) throw new Error("connect_error: " + err.message);
  return s;
}

async function publish(user, notification) {
  const res = await fetch(base + "/api/v1/notifications", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + args.apiKey },
    body: JSON.stringify({ to: { user }, notification }),
  });
  if (res.status !== 201) throw new Error("publish answered " + res.status + ": " + (await res.text()));
  return res.json();
}

async function story4() {
  const r = {};
  const a = await connected({ auth: { token: args.tokens.a } });
  const b = await connected({ auth: { token: args.tokens.b } });
  const c = await connected({ auth: { token: args.tokens.c } });
  const conversationId = args.conversationId;
  r.joinA = await a.timeout(5000).emitWithAck("joinConversation", { conversationId });
  r.joinB = await b.timeout(5000).emitWithAck("joinConversation", { conversationId: String(conversationId) });
  r.joinOutsider = await c.timeout(5000).emitWithAck("joinConversation", { conversationId });
  // Without an ack the refusal comes as an `error` event.
  const outsiderError = waitFor(c, "error");
  c.emit("joinConversation", { conversationId });
  [r.outsiderErrorEvent] = await outsiderError;

  const typing = waitFor(b, "userTyping");
  a.emit("typing", { conversationId });
  [r.userTyping] = await typing;
  const stopped = waitFor(b, "userStoppedTyping");
  a.emit("stopTyping", { conversationId });
  [r.userStoppedTyping] = await stopped;

  const atB = waitFor(b, "newMessage");
  const atA = waitFor(a, "newMessage");
  r.sendAck = await a.timeout(5000).emitWithAck("sendMessage", { conversationId, content: "hello over socket.io" });
  [r.newMessageAtB] = await atB;
  [r.newMessageAtA] = await atA;
  r.outsiderSend = await c.timeout(5000).emitWithAck("sendMessage", { conversationId, content: "let me in" });
  r.badPayload = await a.timeout(5000).emitWithAck("sendMessage", { content: "no conversation" });

  r.leave = await b.timeout(5000).emitWithAck("leaveConversation", { conversationId });
  let afterLeave = 0;
  b.on("newMessage", () => afterLeave++);
  const echoed = waitFor(a, "newMessage", (m) => m.content === "after leave");
  await a.timeout(5000).emitWithAck("sendMessage", { conversationId, content: "after leave" });
  await echoed;

  // Rate limit: a burst far over 40 events gets one rate_limited error.
  const limited = waitFor(a, "error", (e) => e.code === "rate_limited");
  for (let i = 0; i < 80; i++) a.emit("register", {});
  [r.rateLimited] = await limited;
  r.afterLeave = afterLeave;
  return r;
}

async function story5() {
  const r = {};
  // Listen before connecting: the first events may come in the same poll as the CONNECT answer.
  const a = connect({ auth: { token: args.tokens.a } });
  const unread = [];
  a.on("unreadCount", (n) => unread.push(n));
  const notification = waitFor(a, "notification");
  const newNotification = waitFor(a, "newNotification");
  await once(a, "connect");
  await until(() => unread.length >= 1);
  r.initialUnread = unread[0];
  r.published = await publish(args.users.a, { type: "order_ready", title: "Order 42 is ready", order_id: 42 });
  [r.notification] = await notification;
  [r.newNotification] = await newNotification;
  await until(() => unread.length >= 2);
  r.unreadCount = unread[1];
  r.transport = a.io.engine.transport.name;
  await new Promise((res) => setTimeout(res, 300)); // let the upgrade (if any) settle
  r.finalTransport = a.io.engine.transport.name;
  return r;
}

async function story6() {
  const r = {};
  // JWT from a cookie (the booking app), user a; user b shares a conversation with a.
  const a = await connected({ extraHeaders: { Cookie: "access_token=" + args.tokens.a } });
  r.register = await a.timeout(5000).emitWithAck("register", { userId: "someone-else" });
  const status = waitFor(a, "statusUpdated");
  r.updateStatusAck = await a.timeout(5000).emitWithAck("updateStatus", { status: "busy" });
  [r.statusUpdated] = await status;

  const online = waitFor(a, "userOnline", (p) => p.userId === args.users.b);
  const b = await connected({ query: { access_token: args.tokens.b } });
  [r.userOnline] = await online;

  const relayed = waitFor(b, "bookingUpdated");
  r.relayAck = await a.timeout(5000).emitWithAck("bookingUpdate", { bookingId: args.bookingId, status: "confirmed" });
  [r.bookingUpdated] = await relayed;
  const c = await connected({ auth: { token: args.tokens.c } });
  r.relayRefused = await c.timeout(5000).emitWithAck("bookingUpdate", { bookingId: args.bookingId, status: "cancelled" });

  const note = waitFor(a, "newNotification");
  await publish(args.users.a, { type: "booking_confirmed", booking_id: 456 });
  [r.newNotification] = await note;

  const offline = waitFor(a, "userOffline", (p) => p.userId === args.users.b, 15000);
  b.disconnect();
  [r.userOffline] = await offline;
  return r;
}

async function auth() {
  const r = {};
  for (const [name, opts] of Object.entries({
    none: {},
    expired: { auth: { token: args.tokens.expired } },
    badSignature: { auth: { token: args.tokens.badSig } },
  })) {
    const s = connect(opts);
    const [err] = await once(s, "connect_error");
    r[name] = { message: err.message, data: err.data };
    s.close();
  }
  const byQuery = await connected({ query: { access_token: args.tokens.a } });
  r.queryTokenConnected = byQuery.connected;
  return r;
}

async function recovery() {
  const total = 40;
  const socket = io(base, { transports, auth: { token: args.tokens.a }, reconnectionDelay: 200, reconnectionDelayMax: 200 });
  sockets.push(socket);
  const seqs = [];
  socket.on("notification", (n) => seqs.push(n.seq));
  await once(socket, "connect");
  const firstId = socket.id;
  let publishing = (async () => {
    for (let i = 0; i < total; i++) {
      await publish(args.users.a, { type: "tick", n: i });
      await new Promise((res) => setTimeout(res, 15));
    }
  })();
  while (seqs.length < 5) await once(socket, "notification");
  socket.io.engine.close(); // a dropped transport, not a client disconnect
  await once(socket, "connect");
  const recovered = socket.recovered;
  await publishing;
  const until = Date.now() + 10000;
  while (seqs.length < total && Date.now() < until) {
    await Promise.race([once(socket, "notification"), new Promise((res) => setTimeout(res, 500))]);
  }
  await new Promise((res) => setTimeout(res, 300)); // a duplicate would arrive now
  return { recovered, sameId: socket.id === firstId, seqs };
}

// A socket that got no notification before it dropped still resumes where it connected.
async function recoveryQuiet() {
  const socket = io(base, { transports, auth: { token: args.tokens.a }, reconnectionDelay: 500, reconnectionDelayMax: 500 });
  sockets.push(socket);
  const seqs = [];
  const unread = [];
  socket.on("notification", (n) => seqs.push(n.seq));
  socket.on("unreadCount", (n) => unread.push(n));
  await once(socket, "connect");
  await until(() => unread.length >= 1);
  await new Promise((res) => setTimeout(res, 100)); // the client holds the unreadCount's offset
  const reconnected = once(socket, "connect");
  socket.io.engine.close();
  for (let i = 0; i < 3; i++) await publish(args.users.a, { type: "while_away", n: i });
  await reconnected;
  const recovered = socket.recovered;
  await until(() => seqs.length >= 3);
  await new Promise((res) => setTimeout(res, 300));
  return { recovered, seqs };
}

// A private session id is not a credential: recovering a's session with b's token is refused.
async function hijack() {
  const socket = io(base, { transports, auth: { token: args.tokens.a }, reconnectionDelay: 200, reconnectionDelayMax: 200 });
  sockets.push(socket);
  await once(socket, "connect");
  const note = once(socket, "notification");
  await publish(args.users.a, { type: "tick" }); // so the client holds an offset
  await note;
  socket.auth.token = args.tokens.b;
  socket.io.engine.close();
  const [err] = await once(socket, "connect_error");
  return { message: err.message, data: err.data };
}

const scenarios = { story4, story5, story6, auth, recovery, recoveryQuiet, hijack };
if (!scenarios[scenario]) fail("unknown scenario " + scenario);
scenarios[scenario]().then(done, fail);
