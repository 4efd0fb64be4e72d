'use strict';
// Reference Socket.IO 4 app for the Herald benchmark (herald-bench/run.sh starts it).
// What an app would do: sockets join a room (?room=) and their user's room (?user=); the app
// backend POSTs /publish?room=R with a JSON body and the app emits it as event "msg" to that
// room. Chat: a socket emits "chat" {to, ...} and the app forwards it to the user room of `to`.
// It records nothing: the load generator measures everything on the client side.
// GET /stats answers process.memoryUsage() after a full GC (node --expose-gc).
const http = require('http');
const { Server } = require('socket.io');

const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 0);

const httpServer = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/publish') {
    const room = url.searchParams.get('room');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let data;
      try {
        data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        res.writeHead(400).end('{"error":"body is not JSON"}');
        return;
      }
      if (!room) {
        res.writeHead(400).end('{"error":"room required"}');
        return;
      }
      io.to(room).emit('msg', data);
      res.writeHead(204).end();
    });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/stats') {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss, external: m.external,
      arrayBuffers: m.arrayBuffers, sockets: io.engine.clientsCount, gc: Boolean(global.gc) }));
    return;
  }
  res.writeHead(404).end();
});

// An app backend keeps its publish connections open; Node's default 5 s keep-alive timeout can
// fire while a saturated event loop has not yet read the next request, resetting the connection.
httpServer.keepAliveTimeout = 65000;
httpServer.headersTimeout = 66000;

const io = new Server(httpServer, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
});

io.on('connection', (socket) => {
  const { room, user } = socket.handshake.query;
  if (room) socket.join(String(room));
  if (user) socket.join('user:' + user);
  socket.on('chat', (m) => {
    if (m && m.to !== undefined) io.to('user:' + m.to).emit('chat', m);
  });
});

httpServer.listen(port, host, () => {
  const native = ['bufferutil', 'utf-8-validate'].map((n) => {
    try { require.resolve(n); require(n); return n + ':yes'; } catch (e) { return n + ':no'; }
  }).join(' ');
  console.log(`socketio-peer listening on http://${host}:${httpServer.address().port} ` +
    `(socket.io ${require('socket.io/package.json').version}, node ${process.version}, ${native})`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
