/**
 * A Socket.IO v5 server on Netty, for any Java application that has a Netty HTTP pipeline
 * (herald-socketio/README.md shows a complete one). It passes the official Socket.IO protocol
 * test suite and works with socket.io-client v4 (JavaScript) and v2 (Java).
 *
 * <p>What an application uses:
 * <ul>
 *   <li>{@link dev.herald.socketio.SocketIoServer}: created from a
 *       {@link dev.herald.socketio.SocketIoConfig}; the application's HTTP handler offers it
 *       every request through {@code handle}.</li>
 *   <li>{@link dev.herald.socketio.SocketIoNamespace}: middlewares
 *       ({@link dev.herald.socketio.ConnectMiddleware}, refusing with
 *       {@link dev.herald.socketio.ConnectRefusedException}), connection handlers, rooms and
 *       broadcasts ({@link dev.herald.socketio.BroadcastOperator}).</li>
 *   <li>{@link dev.herald.socketio.SocketIoSocket}: one client in one namespace; events
 *       ({@link dev.herald.socketio.EventHandler}) with acknowledgements
 *       ({@link dev.herald.socketio.Ack}), emits, rooms, disconnects
 *       ({@link dev.herald.socketio.DisconnectListener}); what the client presented is its
 *       {@link dev.herald.socketio.SocketIoHandshake}.</li>
 * </ul>
 *
 * <p>Wire level, public for tools (fuzzers, proxies, test clients) and not needed to embed the
 * server: {@link dev.herald.socketio.SocketIoCodec}, {@link dev.herald.socketio.SocketIoDecoder},
 * {@link dev.herald.socketio.SocketIoPacket}, {@link dev.herald.socketio.SocketIoPacketType},
 * {@link dev.herald.socketio.SocketIoDecodeException}. The connection state machine and the
 * recovery log are package-private.
 *
 * <p>Threading, in short: anything may be called from any thread, except {@code handle}, which
 * runs on the request's event loop; every application callback runs on the client's event loop
 * and must not block. Each type's documentation says what it guarantees.
 *
 * <p>Payloads are Jackson {@link com.fasterxml.jackson.databind.JsonNode}s (event arguments, ack
 * answers, the handshake's auth); {@code emit} arguments may be any value Jackson can convert,
 * with {@code byte[]} sent as binary attachments.
 */
package dev.herald.socketio;
