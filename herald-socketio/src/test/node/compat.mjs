// Drives the official socket.io-client v4 against a Herald Socket.IO server.
// Usage: node compat.mjs <scenario> <baseUrl>
// Prints one JSON object with what was observed; exits 0 when the scenario ran to its end.
import { io } from "socket.io-client";

const [scenario, base] = process.argv.slice(2);
const deadline = setTimeout(() => fail("scenario timed out"), 20000);

// Exit only once stdout is flushed: a pipe takes 64 KiB at a time.
function fail(message) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(message) }) + "\n", () => process.exit(1));
}

function done(result) {
  clearTimeout(deadline);
  process.stdout.write(JSON.stringify({ ok: true, ...result }) + "\n", () => process.exit(0));
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

async function basics(transports) {
  const result = {};
  const socket = io(base, { transports, auth: { token: "abc" }, reconnection: false });
  const [auth] = await once(socket, "auth");
  result.auth = auth;
  result.connected = socket.connected;
  result.idIsString = typeof socket.id === "string";

  socket.emit("message", 1, "2", { 3: [true] });
  result.messageBack = await once(socket, "message-back");

  result.ackAnswer = await socket.timeout(5000).emitWithAck("message-with-ack", { a: 1, b: [2, 3] });

  socket.emit("message", Buffer.from([1, 2, 3]), { nested: Buffer.from([4, 5]) });
  const [bin, nested] = await once(socket, "message-back");
  result.binaryBack = [Array.from(bin), Array.from(nested.nested)];

  // The server first emits with an ack request, then emits our ack's value without one.
  const echoed = new Promise((resolve) => {
    socket.on("emit-with-ack", (value, cb) => {
      if (typeof cb === "function") cb(value + "-acked");
      else resolve(value);
    });
  });
  socket.emit("emit-with-ack", "ping");
  result.serverAckRoundTrip = await echoed;

  const custom = io(base + "/custom", { transports, auth: { ns: "custom" }, reconnection: false });
  const [customAuth] = await once(custom, "auth");
  result.customAuth = customAuth;
  result.sharedManager = custom.io === socket.io || transports.length > 0;

  const unknown = io(base + "/random", { transports, reconnection: false, forceNew: true });
  const [err] = await once(unknown, "connect_error");
  result.unknownNamespaceError = err.message;
  unknown.close();

  result.transport = socket.io.engine.transport.name;
  custom.disconnect();
  const [reason] = await Promise.all([once(socket, "disconnect").then((a) => a[0]), socket.disconnect()]);
  result.disconnectReason = reason;
  return result;
}

async function upgrade() {
  const socket = io(base, { transports: ["polling", "websocket"], reconnection: false });
  let first;
  const upgraded = new Promise((resolve) => {
    socket.io.once("open", () => {
      first = socket.io.engine.transport.name;
      socket.io.engine.once("upgrade", resolve);
    });
  });
  await once(socket, "connect");
  await upgraded;
  socket.emit("message", "after-upgrade");
  const [back] = await once(socket, "message-back");
  const result = { firstTransport: first, upgradedTo: socket.io.engine.transport.name, back };
  socket.disconnect();
  return result;
}

async function pollingOnly() {
  const socket = io(base, { transports: ["polling"], reconnection: false });
  await once(socket, "connect");
  const got = [];
  socket.on("message-back", (v) => got.push(v));
  for (let i = 0; i < 20; i++) socket.emit("message", i);
  while (got.length < 20) await once(socket, "message-back");
  socket.off("message-back");
  const big = "x".repeat(100000);
  socket.emit("message", big);
  const [bigBack] = await once(socket, "message-back");
  const result = { transport: socket.io.engine.transport.name, order: got, bigLength: bigBack.length };
  socket.disconnect();
  return result;
}

async function recovery(transports) {
  const socket = io(base, { transports, reconnectionDelay: 300, reconnectionDelayMax: 300 });
  await once(socket, "connect");
  const firstId = socket.id;
  const received = [];
  socket.on("news", (n) => received.push(n));
  await socket.timeout(5000).emitWithAck("join", "room-1");
  // One live broadcast first, so the client holds an offset.
  await socket.timeout(5000).emitWithAck("broadcast", { room: "room-1", values: [0], delayMs: 0 });
  while (received.length < 1) await once(socket, "news");
  // Ask for broadcasts while we are away, then drop the transport (not a client disconnect).
  await socket.timeout(5000).emitWithAck("broadcast", { room: "room-1", values: [1, 2, 3], delayMs: 100 });
  socket.io.engine.close();
  await once(socket, "connect");
  const recovered = socket.recovered;
  while (received.length < 4) await once(socket, "news");
  await socket.timeout(5000).emitWithAck("broadcast", { room: "room-1", values: [4], delayMs: 0 });
  while (received.length < 5) await once(socket, "news");
  const result = { recovered, sameId: socket.id === firstId, received };
  socket.disconnect();
  return result;
}

const scenarios = {
  websocket: () => basics(["websocket"]),
  polling: () => basics(["polling"]),
  upgrade,
  pollingOnly,
  recovery: () => recovery(["websocket"]),
  recoveryPolling: () => recovery(["polling", "websocket"]),
};

if (!scenarios[scenario]) fail("unknown scenario " + scenario);
scenarios[scenario]().then(done, fail);
