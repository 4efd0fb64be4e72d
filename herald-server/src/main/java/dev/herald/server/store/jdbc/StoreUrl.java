package dev.herald.server.store.jdbc;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A store URL resolved into what JDBC needs: the jdbc URL, credentials, the database kind,
 * the schema to migrate into, and a description for error messages that names the place
 * (never the password).
 *
 * <p>Accepted forms: null (H2 file {@code dataDir/herald}), {@code postgresql://[user[:pw]@]host[:port]/db[?currentSchema=x]},
 * {@code jdbc:h2:...} and {@code jdbc:postgresql:...}.
 */
record StoreUrl(Kind kind, String jdbcUrl, String user, String password, String schema, String description) {

    enum Kind { H2, POSTGRESQL }

    /** Options appended to every PostgreSQL URL: bounded connects and reads, batched inserts as multi-row. */
    private static final Map<String, String> PG_DEFAULTS = Map.of(
            "reWriteBatchedInserts", "true",
            "connectTimeout", "5",
            "socketTimeout", "60",
            "tcpKeepAlive", "true");

    static StoreUrl parse(String storeUrl, Path dataDir) {
        if (storeUrl == null || storeUrl.isBlank()) {
            Path base = dataDir.toAbsolutePath().resolve(JdbcStore.H2_BASE_NAME);
            return new StoreUrl(Kind.H2, h2Durable("jdbc:h2:file:" + base), "sa", "", null,
                    "H2 database in " + base);
        }
        if (storeUrl.startsWith("jdbc:h2:")) {
            return new StoreUrl(Kind.H2, h2Durable(storeUrl), "sa", "", null,
                    "H2 database " + storeUrl.substring("jdbc:h2:".length()).split(";", 2)[0]);
        }
        if (storeUrl.startsWith("jdbc:postgresql:")) {
            return fromJdbcPostgres(storeUrl);
        }
        if (storeUrl.startsWith("postgresql://") || storeUrl.startsWith("postgres://")) {
            return fromPostgresUri(storeUrl);
        }
        throw new IllegalArgumentException("storeUrl: unsupported scheme in '" + storeUrl
                + "'; use postgresql://host:port/db, jdbc:postgresql:..., jdbc:h2:... or none for the embedded H2 file");
    }

    /**
     * H2 2.x writes committed transactions to the file after up to WRITE_DELAY ms (500 by default);
     * 0 writes each commit before it returns, so a killed JVM loses no acknowledged publish.
     * DB_CLOSE_ON_EXIT=FALSE lets the store drain its queue on shutdown before H2 closes.
     */
    private static String h2Durable(String url) {
        String upper = url.toUpperCase();
        StringBuilder b = new StringBuilder(url);
        if (!upper.startsWith("JDBC:H2:MEM:") && !upper.contains(";WRITE_DELAY=")) {
            b.append(";WRITE_DELAY=0");
        }
        if (!upper.contains(";DB_CLOSE_ON_EXIT=")) {
            b.append(";DB_CLOSE_ON_EXIT=FALSE");
        }
        return b.toString();
    }

    private static StoreUrl fromPostgresUri(String storeUrl) {
        URI uri;
        try {
            uri = new URI(storeUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("storeUrl: not a valid URL: '" + storeUrl + "'", e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("storeUrl: no host in '" + storeUrl + "'");
        }
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String user = "postgres";
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : null;
        }
        Map<String, String> params = query(uri.getRawQuery());
        String schema = params.get("currentSchema");
        PG_DEFAULTS.forEach(params::putIfAbsent);
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost()).append(':').append(port)
                .append('/').append(db);
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            jdbc.append(sep).append(e.getKey()).append('=')
                    .append(java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return new StoreUrl(Kind.POSTGRESQL, jdbc.toString(), user, password, schema,
                "PostgreSQL at " + uri.getHost() + ":" + port + "/" + db);
    }

    private static StoreUrl fromJdbcPostgres(String storeUrl) {
        int q = storeUrl.indexOf('?');
        Map<String, String> params = query(q < 0 ? null : storeUrl.substring(q + 1));
        String user = params.getOrDefault("user", "postgres");
        String password = params.get("password");
        String place = storeUrl.substring("jdbc:postgresql:".length(), q < 0 ? storeUrl.length() : q);
        if (place.startsWith("//")) {
            place = place.substring(2);
        }
        return new StoreUrl(Kind.POSTGRESQL, storeUrl, user, password, params.get("currentSchema"),
                "PostgreSQL at " + place);
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
        }
        return params;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return description;
    }
}
