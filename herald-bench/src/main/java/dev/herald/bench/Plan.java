package dev.herald.bench;

/**
 * The sizes of one run. Quick: every scenario end to end in about half a minute per server;
 * full: the sizes of issue 7 (5k clients x 200 messages as in its reference measurement; 19.5k x 50
 * to stay within the 15-minute budget). Inbox publishers: 128 concurrent HTTP connections, because
 * Herald's group commit needs concurrent publishes to batch (its store reaches its rate with ~100+).
 * Client counts stay under 19,500 because one process may hold at most 20,000 open files here
 * (the load generator and the server each hold one end).
 */
record Plan(String mode, int[] fanoutClients, int[] fanoutMessages, int inboxUsers, double inboxSeconds,
            int inboxPublishers, int chatClients, double chatSeconds, double chatRatePerClient,
            int idleClients, int stormClients, int pushUsers, double pushSeconds) {

    static final int MAX_CLIENTS = 19_500;

    static Plan of(String mode) {
        return switch (mode) {
            case "quick" -> new Plan("quick", new int[] {2000}, new int[] {40}, 1000, 2, 128,
                    1000, 2, 5, 2000, 1000, 1000, 5);
            case "full" -> new Plan("full", new int[] {5000, MAX_CLIENTS}, new int[] {200, 50}, 5000, 10, 128,
                    5000, 10, 5, MAX_CLIENTS, 10_000, 5000, 15);
            default -> throw new IllegalArgumentException("mode must be quick or full, not " + mode);
        };
    }
}
