package dev.herald.socketio.engine;

import java.util.ArrayList;
import java.util.List;

/** The application side of the engine tests: records what each session delivers, in order. */
final class RecordingListener implements EngineSessionListener {
    final List<EngineSession> sessions = new ArrayList<>();
    final List<String> messages = new ArrayList<>();
    final List<byte[]> binaries = new ArrayList<>();
    final List<String> closeReasons = new ArrayList<>();

    /** The {@code onOpen} callback: admits the session and listens to it. */
    void open(EngineSession s) {
        s.admit();
        s.setListener(this);
        sessions.add(s);
    }

    /** The only session opened so far. */
    EngineSession session() {
        if (sessions.size() != 1) {
            throw new IllegalStateException("expected one session, have " + sessions.size());
        }
        return sessions.get(0);
    }

    @Override
    public void onMessage(EngineSession session, String text) {
        messages.add(text);
    }

    @Override
    public void onBinary(EngineSession session, byte[] data) {
        binaries.add(data);
    }

    @Override
    public void onClose(EngineSession session, String reason) {
        closeReasons.add(reason);
    }
}
