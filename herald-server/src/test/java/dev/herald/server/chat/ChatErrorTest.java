package dev.herald.server.chat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.server.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failure becomes which chat error code, message and field, and what is logged about it. */
class ChatErrorTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ChatError.class);
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Level level;

    @BeforeEach
    void capture() {
        level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
        logger.setLevel(level);
    }

    @ParameterizedTest
    @EnumSource(ChatException.Code.class)
    void aChatExceptionKeepsItsCodeMessageAndFieldAndLogsNothing(ChatException.Code code) {
        ChatError error = ChatError.report(new ChatException(code, "seq", "seq: why"), "chat request", "s1", "u1");

        assertThat(error).isEqualTo(new ChatError(code.wire(), "seq: why", "seq"));
        assertThat(error.invalid()).isEqualTo(code == ChatException.Code.INVALID_FIELD);
        assertThat(logs.list).isEmpty();
    }

    @Test
    void theWireNamesOfTheCodes() {
        assertThat(ChatError.of(ChatException.notFound(7)))
                .isEqualTo(new ChatError("conversation_not_found", "no conversation 7 that you are a member of",
                        "conversation_id"));
        assertThat(ChatError.of(ChatException.invalid("content", "must be a string")))
                .isEqualTo(new ChatError("invalid_frame", "content: must be a string", "content"));
        assertThat(ChatError.of(new ChatException(ChatException.Code.MESSAGE_NOT_FOUND, null, "no message")).code())
                .isEqualTo("message_not_found");
        assertThat(ChatError.of(new ChatException(ChatException.Code.CONTENT_TOO_LONG, "content", "long")).code())
                .isEqualTo("content_too_long");
        assertThat(ChatError.of(new ChatException(ChatException.Code.RATE_LIMITED, null, "slow down")))
                .isEqualTo(new ChatError("rate_limited", "slow down", null));
    }

    @Test
    void anIllegalArgumentIsAnInvalidRequestNamingTheFieldBeforeTheColon() {
        assertThat(ChatError.of(new IllegalArgumentException("status: available, busy, or 1-100 characters of your own")))
                .isEqualTo(new ChatError("invalid_frame", "status: available, busy, or 1-100 characters of your own",
                        "status"));
        assertThat(ChatError.of(new IllegalArgumentException("no field here"))).isEqualTo(
                new ChatError("invalid_frame", "no field here", null));
        assertThat(ChatError.of(new IllegalArgumentException(": leading colon")).field()).isNull();
        assertThat(ChatError.of(new IllegalArgumentException())).isEqualTo(new ChatError("invalid_frame", "null", null));
        assertThat(logs.list).isEmpty();
    }

    @Test
    void anUnavailableStoreSaysNothingChangedAndLogsAtDebugOnly() {
        ChatError error = ChatError.report(new StoreUnavailableException("cannot connect: refused", null),
                "chat request", "s1", "u1");

        assertThat(error).isEqualTo(new ChatError("unavailable",
                "the store is unavailable; nothing was changed, retry later", null));
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(e.getFormattedMessage())
                    .isEqualTo("chat request: store unavailable session=s1 user=u1: cannot connect: refused");
            assertThat(e.getThrowableProxy()).isNull();
        });
    }

    @Test
    void aBusyStoreIsRateLimitedWithItsMessageAndNotLoggedPerRequest() {
        ChatStoreBusyException busy = new ChatStoreBusyException("4096 are waiting; nothing was stored, retry later");

        // As thrown by the store (a send held too long by its connection), and as ChatService.send
        // wraps it: the writer logs one aggregated WARN for all its refusals.
        assertThat(ChatError.report(busy, "chat request", "s1", "u1"))
                .isEqualTo(new ChatError("rate_limited", "4096 are waiting; nothing was stored, retry later", null));
        assertThat(logs.list).isEmpty();
        assertThat(ChatError.of(new ChatException(ChatException.Code.RATE_LIMITED, null, busy.getMessage())))
                .isEqualTo(new ChatError("rate_limited", "4096 are waiting; nothing was stored, retry later", null));
    }

    @Test
    void anUnexpectedFailureTellsTheClientNothingAndIsLoggedOnceWithItsStack() {
        RuntimeException bug = new IllegalStateException("the secret internals");

        ChatError error = ChatError.report(bug, "socket.io event", "s2", "u2");

        assertThat(error).isEqualTo(new ChatError("internal_error", "internal error", null));
        assertThat(error.invalid()).isFalse();
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).isEqualTo("socket.io event failed session=s2 user=u2");
            assertThat(e.getThrowableProxy().getMessage()).isEqualTo("the secret internals");
        });
        assertThat(ChatError.of(new NullPointerException()).code()).isEqualTo("internal_error");
    }
}
