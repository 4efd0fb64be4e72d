package dev.herald.server.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link HeraldNodeExtension} seen from outside: the nested classes below use it as end-to-end
 * tests do, the JUnit launcher runs them, and these tests check which nodes they saw, when those
 * nodes were closed, and what JUnit reported.
 */
class HeraldNodeExtensionTest {
    /** The nodes the nested classes saw, in order; read after their run. */
    private static final List<TestServer> seen = new CopyOnWriteArrayList<>();
    /** The data dirs handed to the nodes, recorded as the node is configured (before it starts). */
    private static final List<Path> dataDirs = new CopyOnWriteArrayList<>();
    private static volatile int takenPort;
    private static volatile boolean launching;

    @AfterEach
    void forget() {
        seen.clear();
        dataDirs.clear();
    }

    @Test
    void aStaticFieldKeepsOneNodeForTheWholeClassAndClosesItAfterTheClass() {
        TestExecutionSummary summary = run(OneNodeForTheClass.class);

        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isSameAs(seen.get(0));
        assertClosed(seen.get(0));
    }

    @Test
    void anInstanceFieldGivesEachTestAFreshNodeAndClosesItBeforeTheNextTest() {
        TestExecutionSummary summary = run(OneNodePerTest.class);

        assertThat(summary.getFailures()).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isNotSameAs(seen.get(0));
        seen.forEach(HeraldNodeExtensionTest::assertClosed);
    }

    @Test
    void aFailingTestStillHasItsNodeClosedAndItsDataDirDeleted() {
        TestExecutionSummary summary = run(ATestThatFails.class);

        assertThat(summary.getTestsFailedCount()).isEqualTo(1);
        assertThat(summary.getFailures().getFirst().getException()).hasMessage("the test failed on purpose");
        assertThat(seen).hasSize(1);
        assertClosed(seen.getFirst());
    }

    @Test
    void aNodeThatCannotStartLeavesNoDataDirAndFailsTheClassNamingItAndTheCause() throws IOException {
        TestExecutionSummary summary;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            takenPort = taken.getLocalPort();
            summary = run(ANodeThatCannotStart.class);
        }

        assertThat(summary.getTestsStartedCount()).as("no test runs without its node").isZero();
        assertThat(summary.getFailures()).hasSize(1);
        assertThat(summary.getFailures().getFirst().getException())
                .hasMessageStartingWith("the Herald test node for ANodeThatCannotStart did not start: ")
                .hasMessageContaining("port " + takenPort + " on 127.0.0.1 is already in use");
        assertThat(dataDirs).hasSize(1);
        assertThat(dataDirs.getFirst()).doesNotExist();
    }

    @Test
    void askingForTheNodeOutsideATestSaysHowToRegisterTheExtension() {
        assertThatThrownBy(() -> new HeraldNodeExtension().server())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@RegisterExtension");
    }

    private static TestExecutionSummary run(Class<?> testClass) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launching = true;
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(testClass))
                    .filters(EngineFilter.includeEngines("junit-jupiter"))
                    .build(), listener);
        } finally {
            launching = false;
        }
        return listener.getSummary();
    }

    private static void assertClosed(TestServer node) {
        assertThat(node.dataDir()).doesNotExist();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), node.port()).close())
                .as("the node's port no longer accepts connections")
                .isInstanceOf(ConnectException.class);
    }

    /** Records the node a test sees and checks that it answers. */
    private static void see(TestServer node) {
        seen.add(node);
        assertThat(Files.isDirectory(node.dataDir())).isTrue();
        assertThat(node.api.get("/healthz").status()).isEqualTo(200);
    }

    /** The nested classes run only from the tests above, not when a tool selects this package. */
    static boolean launching() {
        return launching;
    }

    @EnabledIf("dev.herald.server.testing.HeraldNodeExtensionTest#launching")
    static class OneNodeForTheClass {
        @RegisterExtension
        static final HeraldNodeExtension node = new HeraldNodeExtension();

        @Test
        void first() {
            see(node.server());
        }

        @Test
        void second() {
            see(node.server());
        }
    }

    @EnabledIf("dev.herald.server.testing.HeraldNodeExtensionTest#launching")
    static class OneNodePerTest {
        @RegisterExtension
        final HeraldNodeExtension node = new HeraldNodeExtension();

        @Test
        void first() {
            seePerTest(node.server());
        }

        @Test
        void second() {
            seePerTest(node.server());
        }

        /** Whichever test runs second finds the first one's node already closed. */
        private static void seePerTest(TestServer node) {
            seen.forEach(HeraldNodeExtensionTest::assertClosed);
            see(node);
        }
    }

    @EnabledIf("dev.herald.server.testing.HeraldNodeExtensionTest#launching")
    static class ATestThatFails {
        @RegisterExtension
        static final HeraldNodeExtension node = new HeraldNodeExtension();

        @Test
        void fails() {
            see(node.server());
            throw new AssertionError("the test failed on purpose");
        }
    }

    @EnabledIf("dev.herald.server.testing.HeraldNodeExtensionTest#launching")
    static class ANodeThatCannotStart {
        @RegisterExtension
        static final HeraldNodeExtension node = new HeraldNodeExtension(b -> {
            dataDirs.add(b.build().dataDir());
            return b.port(takenPort);
        });

        @Test
        void neverRuns() {
            seen.add(node.server());
        }
    }
}
