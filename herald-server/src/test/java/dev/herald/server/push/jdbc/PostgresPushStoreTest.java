package dev.herald.server.push.jdbc;

import dev.herald.server.store.jdbc.JdbcStore;
import dev.herald.server.testing.PostgresSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The push tables on PostgreSQL, one schema for the class, dropped afterwards. */
@Tag("postgres")
class PostgresPushStoreTest extends PushStoreContract {
    private static PostgresSupport pg;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void createSchema() {
        pg = PostgresSupport.freshSchema("push");
    }

    @AfterAll
    static void dropSchema() {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected JdbcStore openStore(SimpleMeterRegistry registry) {
        return JdbcStore.open(pg.storeUrl(), dataDir, notifications -> { }, registry);
    }
}
