package dev.herald.server.transport.sse;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's blocking executor for EmbeddedChannel tests: runs each task at once on the caller's
 * thread, which is also the channel's loop, so a store read and the hop back to the loop happen
 * within {@code runPendingTasks}.
 */
final class InlineExecutor extends AbstractExecutorService {
    @Override
    public void execute(Runnable command) {
        command.run();
    }

    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
