package dev.herald.server.store.jdbc;

import dev.herald.server.testing.TempDirs;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Migrations are append-only: Flyway refuses to start a node whose database applied a migration
 * whose text has changed since ("checksum mismatch"), so a migration, once released, is never
 * edited; a change is a new version. The checksums below are those of the migrations as released;
 * a new migration adds its line.
 */
class MigrationHistoryTest {

    @Test
    void everyMigrationIsAppliedAsReleased() throws Exception {
        Path dir = Files.createTempDirectory("herald-migrations-");
        Map<String, Integer> applied = new LinkedHashMap<>();
        try {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:file:" + dir.resolve("herald").toAbsolutePath());
            h2.setUser("sa");
            h2.setPassword("");
            JdbcStore.migrations(h2, true).load().migrate();
            try (Connection c = h2.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT \"version\", \"checksum\" FROM \"flyway_schema_history\""
                         + " WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    applied.put(rs.getString(1), rs.getInt(2));
                }
            }
        } finally {
            TempDirs.delete(dir);
        }
        assertThat(applied).containsExactly(
                Map.entry("1", -933673882),
                Map.entry("100", 560800411),
                Map.entry("101", -657646905),
                Map.entry("102", -1048653139),
                Map.entry("103", -318448700),
                Map.entry("104", 1751569),
                Map.entry("105", -1009458559),
                Map.entry("106", 1281540710),
                Map.entry("107", 1064133960),
                Map.entry("108", -905407921),
                Map.entry("109", 2067449657),
                Map.entry("110", -1731023553));
    }
}
