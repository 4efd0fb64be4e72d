package dev.herald.server.chat.jdbc;

import dev.herald.server.chat.NewMessage;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the CPU the chat transaction itself takes per message (not a test: no timed
 * assertion): batches shaped like the benchmark's (one message from each of {@code batch}
 * different senders in their direct conversations, with client ids) run and committed on one
 * thread, timed with that thread's CPU clock, so other load on the machine hardly moves the figure.
 *
 * <p>Run: {@code java -cp <test classpath> dev.herald.server.chat.jdbc.AppendCost [h2|postgres] [users] [batch] [rounds]}
 */
public final class AppendCost {

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "h2";
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (ChatDatabases.Measured db = ChatDatabases.Measured.open(which, "cost");
             JdbcChatStore store = new JdbcChatStore(db.pool()); Connection c = db.pool().getConnection()) {
            long[] conversations = ChatDatabases.Measured.directConversations(store, users);
            String setup = System.getProperty("herald.setupSql");
            if (setup != null) {
                try (var st = c.createStatement()) {
                    st.execute(setup); // an experiment's schema change, e.g. a sequence cache
                }
            }
            c.setAutoCommit(false);
            AppendTransaction tx = new AppendTransaction();
            int next = 0;
            for (int phase = 0; phase < 3; phase++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                long messages = 0;
                for (int r = 0; r < rounds; r++) {
                    List<AppendTransaction.Send> sends = new ArrayList<>(batch);
                    for (int b = 0; b < batch; b++) {
                        int user = next++ % users;
                        String sender = "u" + user;
                        sends.add(new AppendTransaction.Send(new NewMessage(conversations[user / 2], sender, sender,
                                "m" + next, "text_message", "{\"t\":" + System.nanoTime() + ",\"i\":" + next + "}"),
                                m -> { }));
                    }
                    var outcomes = tx.run(c, sends);
                    c.commit();
                    tx.committed(sends, outcomes);
                    messages += batch;
                }
                System.out.printf("%s %s: %d messages in batches of %d: %.1f us thread CPU per message, %.0f/s on one thread%n",
                        which, phase == 0 ? "warm-up" : "measured", messages, batch,
                        (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / messages,
                        messages / ((System.nanoTime() - wall) / 1e9));
            }
        }
    }
}
