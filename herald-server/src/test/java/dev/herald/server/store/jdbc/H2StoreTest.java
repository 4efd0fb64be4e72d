package dev.herald.server.store.jdbc;

import dev.herald.server.store.Store;
import dev.herald.server.store.StoreContractTest;
import dev.herald.server.store.StoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on the default embedded H2 file, plus H2's own failure modes. */
class H2StoreTest extends StoreContractTest {

    @TempDir
    Path dataDir;

    @Override
    protected Store openStore(Store.CommitListener listener) {
        return JdbcStore.open(null, dataDir.resolve("data"), listener, registry);
    }

    @Override
    protected void purgeKeysCreatedBefore(Store store, Instant cutoff) {
        ((JdbcStore) store).purgeIdempotencyKeys(cutoff);
    }

    @Test
    void theDefaultStoreIsAFileNamedHeraldInTheDataDirectory() {
        assertThat(dataDir.resolve("data").resolve("herald.mv.db")).exists();
    }

    @Test
    void aDataDirectoryThatIsAFileFailsWithAMessageNamingIt() throws Exception {
        Path file = Files.writeString(dataDir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> JdbcStore.open(null, file, n -> { }, new SimpleMeterRegistry()))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("cannot open H2 database in " + file.toAbsolutePath().resolve("herald"));
    }

    @Test
    void chatMessageIdsAreHandedOutFromACacheOf65536SoTheSequenceIsNotWrittenEvery32() throws Exception {
        try (JdbcStore store = JdbcStore.open(null, dataDir.resolve("ids"), n -> { }, new SimpleMeterRegistry());
             java.sql.Connection c = store.dataSource().getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT IDENTITY_CACHE FROM"
                     + " INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'CHAT_MESSAGES' AND COLUMN_NAME = 'ID'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(65536);
        }
    }

    @Test
    void anUnknownSchemeIsRefusedNamingTheUrl() {
        assertThatThrownBy(() -> JdbcStore.open("mysql://127.0.0.1/x", dataDir, n -> { }, new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mysql://127.0.0.1/x");
    }
}
