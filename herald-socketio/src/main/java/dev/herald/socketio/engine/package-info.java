/**
 * An Engine.IO v4 server on Netty: sessions over HTTP long-polling and WebSocket (with upgrade),
 * heartbeats, payload and buffer caps, bounded anonymous handshakes. It passes the official
 * Engine.IO protocol test suite. {@link dev.herald.socketio.SocketIoServer} runs on it; an
 * application that wants Engine.IO alone (a message pipe without namespaces, events or acks)
 * uses it directly:
 * <ul>
 *   <li>{@link dev.herald.socketio.engine.EngineIoServer}: created from an
 *       {@link dev.herald.socketio.engine.EngineIoConfig} and an {@code onOpen} callback; the
 *       HTTP handler offers it every request through {@code handle}.</li>
 *   <li>{@link dev.herald.socketio.engine.EngineSession}: one client; {@code send},
 *       {@code close}, {@code admit} (ends the pending, anonymous state that the handshake caps
 *       bound), and a {@link dev.herald.socketio.engine.EngineSessionListener} for what arrives.</li>
 *   <li>{@link dev.herald.socketio.engine.EngineHandshake}: what the opening request carried,
 *       filtered to the configured headers; {@link dev.herald.socketio.engine.HandshakeRefusal}:
 *       why a handshake was refused (for metrics).</li>
 * </ul>
 *
 * <p>Wire level, public for tools and for the Socket.IO layer:
 * {@link dev.herald.socketio.engine.EngineIoCodec},
 * {@link dev.herald.socketio.engine.EnginePacket},
 * {@link dev.herald.socketio.engine.EnginePacketType},
 * {@link dev.herald.socketio.engine.EngineDecodeException}. The HTTP answers, the WebSocket
 * handler and writer, and the pending-session accounting are package-private.
 */
package dev.herald.socketio.engine;
