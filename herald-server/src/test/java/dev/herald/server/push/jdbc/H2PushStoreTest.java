package dev.herald.server.push.jdbc;

import dev.herald.server.store.jdbc.JdbcStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The push tables on the embedded H2 file, a fresh one per test. */
class H2PushStoreTest extends PushStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected JdbcStore openStore(SimpleMeterRegistry registry) {
        return JdbcStore.open(null, dataDir.resolve("data"), notifications -> { }, registry);
    }
}
