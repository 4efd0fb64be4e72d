package dev.herald.server.testing;

import dev.herald.server.config.HeraldConfig;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One {@link TestServer} for an end-to-end test class or for each of its tests, started before
 * and closed after, so a test class does not start and stop nodes by hand:
 * <pre>{@code
 * @RegisterExtension
 * static final HeraldNodeExtension node = new HeraldNodeExtension(b -> b.devMode(true));
 * ... node.server().connectAs("ann", "/ws/notifications") ...
 * }</pre>
 * <p>Lifecycle: registered on a static field, one node serves the whole class (started before
 * its {@code @BeforeAll} methods, closed after its {@code @AfterAll} methods); on an instance
 * field, each test gets a fresh node (started before its {@code @BeforeEach} methods, closed
 * after its {@code @AfterEach} methods). The node is closed and its data dir deleted however the
 * tests end; a node that fails to start leaves no data dir and fails the class or test it was
 * for with a message naming it and the cause.
 * <p>Threading: JUnit calls the callbacks one at a time; tests only read {@link #server()}. Not
 * for a node that a test stops or restarts on purpose: start those with {@link TestServer#start}.
 */
public final class HeraldNodeExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private final UnaryOperator<HeraldConfig.Builder> customize;
    // Set and cleared only by the callbacks below.
    private TestServer server;
    /** The unique id of the class or test whose before-callback started {@link #server}. */
    private String owner;

    /** A node with {@link TestServer}'s defaults. */
    public HeraldNodeExtension() {
        this(b -> b);
    }

    /** A node whose configuration {@code customize} adjusts, as {@link TestServer#start(UnaryOperator)} takes it. */
    public HeraldNodeExtension(UnaryOperator<HeraldConfig.Builder> customize) {
        this.customize = Objects.requireNonNull(customize, "customize");
    }

    /** The running node. */
    public TestServer server() {
        if (server == null) {
            throw new IllegalStateException("no Herald test node is running: register this extension with "
                    + "@RegisterExtension and use it only from tests and their @Before/@After methods");
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    /** Starts a node unless an enclosing class or this class already did (a static field's node serves every test). */
    private void start(ExtensionContext context) {
        if (server != null) {
            return;
        }
        try {
            server = TestServer.start(customize);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the Herald test node for " + describe(context) + " did not start: "
                    + e.getMessage(), e);
        }
        owner = context.getUniqueId();
    }

    /** Closes the node in the after-callback that matches the before-callback that started it. */
    private void stop(ExtensionContext context) {
        if (server == null || !context.getUniqueId().equals(owner)) {
            return;
        }
        try {
            server.close();
        } finally {
            server = null;
            owner = null;
        }
    }

    private static String describe(ExtensionContext context) {
        String testClass = context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName());
        return context.getTestMethod().map(m -> testClass + "." + m.getName()).orElse(testClass);
    }
}
