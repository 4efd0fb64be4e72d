package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads users' whole inboxes over HTTP and checks the durability claim of the fault tests:
 * every acknowledged publish is stored with the seq it was acknowledged with, and each user's
 * seqs are exactly 1..N (no gap, no reuse).
 */
public final class Inboxes {
    private static final TestTokens TOKENS = new TestTokens(TestServer.SECRET);

    private Inboxes() {
    }

    /** Every stored notification of {@code user}, oldest first: seq to id. */
    public static Map<Long, String> read(Api api, String user) {
        Map<Long, String> bySeq = new HashMap<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            String path = "/api/v1/me/notifications?limit=100" + (cursor == null ? "" : "&cursor=" + cursor);
            Api.Reply r = api.asUser("GET", path, TOKENS.forUser(user), null);
            assertThat(r.status()).as("inbox of %s: %s", user, r.body()).isEqualTo(200);
            JsonNode json = r.json();
            for (JsonNode n : json.get("notifications")) {
                long seq = n.get("seq").asLong();
                assertThat(bySeq.put(seq, n.get("id").asText())).as("seq %d of %s stored twice", seq, user).isNull();
            }
            JsonNode next = json.get("next_cursor");
            if (next == null || next.isNull()) {
                return bySeq;
            }
            cursor = next.asText();
        }
        throw new AssertionError("inbox of " + user + " has more than 10,000 pages");
    }

    /**
     * Asserts that every ack is stored under its seq and that each user's stored seqs are 1..N;
     * returns N per user (unacknowledged publishes may be stored too: they must fit the sequence).
     */
    public static Map<String, Long> assertNothingAcknowledgedLost(Api api, Collection<String> users,
                                                                 Collection<PublishLoad.Ack> acks) {
        Map<String, Long> last = new HashMap<>();
        for (String user : users) {
            Map<Long, String> stored = read(api, user);
            long n = stored.size();
            assertThat(stored.keySet()).as("seqs of %s", user)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
            for (PublishLoad.Ack ack : acks) {
                if (ack.user().equals(user)) {
                    assertThat(stored.get(ack.seq())).as("acknowledged %s of %s", ack, user).isEqualTo(ack.id());
                }
            }
            last.put(user, n);
        }
        return last;
    }
}
