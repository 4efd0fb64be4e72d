package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.NewMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures chat send throughput through the group commit (not a test: no timed assertion), as
 * the benchmark's chat scenario loads it: one direct conversation per pair of users, every user
 * sending in its own conversation one message at a time with a client id. A warm-up round first.
 *
 * <p>Run: {@code java -cp <test classpath> dev.herald.server.chat.jdbc.ChatStoreThroughput [h2|postgres] [users] [messages each] [measured rounds]}
 */
public final class ChatStoreThroughput {

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "h2";
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int each = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        try (ChatDatabases.Measured db = ChatDatabases.Measured.open(which, "throughput");
             JdbcChatStore store = new JdbcChatStore(db.pool())) {
            long[] conversations = ChatDatabases.Measured.directConversations(store, users);
            round(store, conversations, "warm-up", each);
            for (int r = 0; r < rounds; r++) {
                round(store, conversations, "measured", each);
            }
        }
    }

    /** Client ids as the benchmark's load generator makes them: one counter for all senders. */
    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void round(JdbcChatStore store, long[] conversations, String name, int each) throws Exception {
        long[] before = store.committed();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int u = 0; u < conversations.length * 2; u++) {
                int user = u;
                futures.add(threads.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String sender = "u" + user;
                        try {
                            store.append(new NewMessage(conversations[user / 2], sender, sender, "m" + CLIENT_IDS.getAndIncrement(),
                                    "text_message", "{\"t\":" + System.nanoTime() + ",\"i\":" + i + "}"), m -> { });
                        } catch (RuntimeException e) {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (processCpuNanos() - cpuStart) / 1e3;
        long[] after = store.committed();
        long stored = after[1] - before[1];
        long commits = after[0] - before[0];
        System.out.printf("%s: %d stored in %.2f s = %.0f/s, %d commits (%.0f per commit), %d refused, %.0f µs of CPU"
                        + " per message (the whole process)%n", name, stored, seconds, stored / seconds, commits,
                (double) stored / Math.max(1, commits), refused.get(), cpuMicros / Math.max(1, stored));
    }
}
