package dev.herald.server.store.jdbc;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreUrlTest {

    private static final Path DIR = Path.of("/var/lib/herald");

    @Test
    void noUrlMeansAnH2FileNamedHeraldInTheDataDirectoryWrittenOnEveryCommit() {
        StoreUrl url = StoreUrl.parse(null, DIR);

        assertThat(url.kind()).isEqualTo(StoreUrl.Kind.H2);
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:h2:file:/var/lib/herald/herald;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(url.description()).isEqualTo("H2 database in /var/lib/herald/herald");
    }

    @Test
    void aPostgresUrlBecomesAJdbcUrlWithTheDefaultUserAndBoundedTimeouts() {
        StoreUrl url = StoreUrl.parse("postgresql://db.internal:6543/herald?currentSchema=node_a", DIR);

        assertThat(url.kind()).isEqualTo(StoreUrl.Kind.POSTGRESQL);
        assertThat(url.jdbcUrl()).startsWith("jdbc:postgresql://db.internal:6543/herald?currentSchema=node_a&")
                .contains("connectTimeout=5", "socketTimeout=", "reWriteBatchedInserts=true");
        assertThat(url.user()).isEqualTo("postgres");
        assertThat(url.password()).isNull();
        assertThat(url.schema()).isEqualTo("node_a");
        assertThat(url.description()).isEqualTo("PostgreSQL at db.internal:6543/herald");
    }

    @Test
    void userAndPasswordComeFromTheUrlAndThePasswordIsNeverShown() {
        StoreUrl url = StoreUrl.parse("postgresql://herald:s%40cret@127.0.0.1/test", DIR);

        assertThat(url.user()).isEqualTo("herald");
        assertThat(url.password()).isEqualTo("s@cret");
        assertThat(url.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:5432/test?").doesNotContain("cret");
        assertThat(url.toString()).doesNotContain("cret");
        assertThat(url.schema()).isNull();
    }

    @Test
    void rawJdbcUrlsArePassedThroughWithDurabilityAddedToH2() {
        assertThat(StoreUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=app", DIR))
                .satisfies(u -> {
                    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=app");
                    assertThat(u.user()).isEqualTo("app");
                    assertThat(u.description()).isEqualTo("PostgreSQL at 127.0.0.1:5432/test");
                });
        assertThat(StoreUrl.parse("jdbc:h2:file:/tmp/x;WRITE_DELAY=100", DIR).jdbcUrl())
                .isEqualTo("jdbc:h2:file:/tmp/x;WRITE_DELAY=100;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(StoreUrl.parse("jdbc:h2:mem:t", DIR).jdbcUrl()).isEqualTo("jdbc:h2:mem:t;DB_CLOSE_ON_EXIT=FALSE");
    }

    @Test
    void unknownSchemesAndUrlsWithoutHostAreRefusedNamingTheUrl() {
        assertThatThrownBy(() -> StoreUrl.parse("redis://127.0.0.1:6379", DIR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://127.0.0.1:6379");
        assertThatThrownBy(() -> StoreUrl.parse("postgresql:///test", DIR))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("postgresql:///test");
    }

    @Test
    void likeEscapingTakesWildcardsAndTheEscapeCharacterLiterally() {
        assertThat(FilterSql.escapeLike("order_")).isEqualTo("order!_");
        assertThat(FilterSql.escapeLike("50%!")).isEqualTo("50!%!!");
        assertThat(FilterSql.escapeLike("")).isEqualTo("");
    }
}
