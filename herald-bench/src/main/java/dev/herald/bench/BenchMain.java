package dev.herald.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of herald-bench.jar (driven by herald-bench/run.sh):
 * <pre>
 *   netty-server [--host 127.0.0.1] [--port 0]       the bare Netty broadcast peer
 *   load --target herald|herald-sio|socketio|netty --url http://127.0.0.1:PORT --mode quick|full
 *        --scenarios fanout,inbox,chat,idle,storm,push --out results.tsv
 *        [--pid SERVER_PID] [--api-key KEY] [--jwt-secret SECRET] [--store-label postgresql]
 *        [--client-urls http://H:P1,http://H:P2] [--label "2 nodes"]
 *        [--fanout NxK[,NxK...]]                     fanout sizes instead of the mode's
 *        [--chat NxR]                                chat: N clients sending R messages/s each
 *   load ... --mode curves|curves-quick --scenarios fanout,chat,idle [--idle N]
 *                                                    the points of a {@link Sweep}; idle: only N
 *   sweep --mode curves|curves-quick --scenario S    a sweep's sizes of S on stdout (for run.sh)
 *   report --results results.tsv                     markdown table on stdout
 *   curves --results results.tsv --charts DIR [--link PREFIX]
 *                                                    SVG charts into DIR, markdown linking them
 *                                                    (as PREFIX + file name) on stdout
 * </pre>
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage();
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        switch (args[0]) {
            case "netty-server" -> {
                Epoll.ensureAvailability();
                BroadcastServer.run(opts.getOrDefault("host", "127.0.0.1"), Integer.parseInt(opts.getOrDefault("port", "0")));
            }
            case "load" -> load(opts);
            case "report" -> System.out.print(Report.markdown(Path.of(required(opts, "results"))));
            case "sweep" -> System.out.println(Sweep.of(required(opts, "mode")).points(required(opts, "scenario")));
            case "curves" -> System.out.print(Curves.write(Path.of(required(opts, "results")),
                    Path.of(required(opts, "charts")), opts.getOrDefault("link", "")));
            default -> usage();
        }
    }

    private static void load(Map<String, String> opts) throws Exception {
        Epoll.ensureAvailability();
        Target target = Target.of(required(opts, "target"));
        URI base = URI.create(required(opts, "url"));
        String mode = opts.getOrDefault("mode", "quick");
        Sweep sweep = Sweep.isSweep(mode) ? Sweep.of(mode) : null;
        Plan plan = sweep == null ? Plan.of(mode) : null;
        Results results = new Results(Path.of(required(opts, "out")), target, opts.get("label"));
        // --client-urls spreads the clients over several nodes of a cluster (round robin);
        // publishes and probes go to --url.
        List<URI> clientUrls = new java.util.ArrayList<>();
        for (String u : opts.getOrDefault("client-urls", required(opts, "url")).split(",")) {
            clientUrls.add(URI.create(u.strip()));
        }
        long pid = Long.parseLong(opts.getOrDefault("pid", "0"));
        Jwt jwt = new Jwt(opts.getOrDefault("jwt-secret", "unused-for-this-target-000000000000"));
        EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        EventLoopGroup publishLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Scenarios s = new Scenarios(target, base, clientUrls, opts.get("api-key"), jwt,
                    new ServerProbe(target, base, pid), results, clientLoops, publishLoops);
            for (String name : List.of(opts.getOrDefault("scenarios", "idle,fanout,inbox,chat,storm").split(","))) {
                long start = System.nanoTime();
                System.out.println(target.label + ": " + name + " (" + mode + ")");
                try {
                    if (sweep != null) {
                        runSweep(s, sweep, name.trim(), opts, results);
                    } else {
                        runOne(s, plan, name.trim(), opts);
                    }
                } catch (Exception | AssertionError e) {
                    // One broken scenario must not hide the others' figures.
                    results.note(name.trim(), "failed: " + e);
                    e.printStackTrace();
                }
                System.out.printf("%s: %s done in %.1f s%n", target.label, name, (System.nanoTime() - start) / 1e9);
            }
        } finally {
            clientLoops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).await();
            publishLoops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).await();
        }
    }

    private static void runOne(Scenarios s, Plan plan, String name, Map<String, String> opts) throws Exception {
        switch (name) {
            case "fanout" -> {
                // After idle (which wants a fresh process), before the first measured delivery.
                s.warmUp(fanoutWarmUpSeconds(plan.mode()));
                if (opts.containsKey("fanout")) {   // e.g. --fanout 5000x200,1000x10: sizes instead of the plan's
                    for (String size : opts.get("fanout").split(",")) {
                        String[] nk = size.split("x");
                        s.fanout(Math.min(Plan.MAX_CLIENTS, Integer.parseInt(nk[0])), Integer.parseInt(nk[1]));
                    }
                } else {
                    for (int i = 0; i < plan.fanoutClients().length; i++) {
                        s.fanout(plan.fanoutClients()[i], plan.fanoutMessages()[i]);
                    }
                }
            }
            case "inbox" -> s.inbox(plan.inboxUsers(), plan.inboxSeconds(), plan.inboxPublishers(),
                    opts.get("store-label"));
            case "chat" -> {
                if (opts.containsKey("chat")) {   // e.g. --chat 1000x0.5: find the rate a server sustains
                    String[] nr = opts.get("chat").split("x");
                    if (nr.length != 2) {
                        throw new IllegalArgumentException("--chat must be NxR (clients x messages/s each), e.g. 1000x0.5, not "
                                + opts.get("chat"));
                    }
                    s.chat(Math.min(Plan.MAX_CLIENTS, Integer.parseInt(nr[0])), plan.chatSeconds(), Double.parseDouble(nr[1]),
                            opts.get("store-label"));
                } else {
                    s.chat(plan.chatClients(), plan.chatSeconds(), plan.chatRatePerClient(), opts.get("store-label"));
                }
            }
            case "idle" -> s.idle(plan.idleClients());
            case "storm" -> s.storm(plan.stormClients());
            case "push" -> s.push(plan.pushUsers(), plan.pushSeconds(), opts.get("store-label"));
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        }
    }

    /**
     * The points of {@code name} in {@code sweep}, smallest first; a point that fails is noted and
     * the next one runs. Idle with {@code --idle N}: that size only (run.sh starts a fresh server
     * for each, so that RSS is not measured on a heap an earlier point grew); without: every size
     * in this process.
     */
    private static void runSweep(Scenarios s, Sweep sweep, String name, Map<String, String> opts, Results results)
            throws Exception {
        switch (name) {
            case "fanout" -> {
                s.warmUp(fanoutWarmUpSeconds(sweep.mode()));
                for (int n : sweep.fanoutClients()) {
                    int k = sweep.fanoutMessages(n);
                    point(results, "fanout " + n + "x" + k, () -> s.fanout(n, k));
                }
            }
            case "chat" -> {
                for (int offered : sweep.chatOffered()) {
                    String label = opts.get("store-label");
                    String sc = Sweep.chatScenario(offered) + (label == null ? "" : " " + label);
                    point(results, sc, () -> s.chat(sc, sweep.chatClients(), sweep.chatSeconds(),
                            sweep.chatRatePerClient(offered)));
                }
            }
            case "idle" -> {
                if (opts.containsKey("idle")) {
                    s.idle(Math.min(Plan.MAX_CLIENTS, Integer.parseInt(opts.get("idle"))));
                } else {
                    for (int n : sweep.idleClients()) {
                        point(results, "idle " + n, () -> s.idle(n));
                    }
                }
            }
            default -> throw new IllegalArgumentException("a sweep has fanout, chat and idle, not " + name);
        }
    }

    /** How long the fanout warm-up runs ({@link Scenarios#warmUp}): 15 s in full and curves runs, one round in quick ones. */
    static double fanoutWarmUpSeconds(String mode) {
        return mode.equals("full") || mode.equals("curves") ? 15 : 0;
    }

    private interface SweepPoint {
        void run() throws Exception;
    }

    private static void point(Results results, String scenario, SweepPoint point) {
        long start = System.nanoTime();
        try {
            point.run();
        } catch (Exception | AssertionError e) {
            results.note(scenario, "failed: " + e);
            e.printStackTrace();
        }
        System.out.printf("  %s done in %.1f s%n", scenario, (System.nanoTime() - start) / 1e9);
    }

    private static String required(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            System.err.println("herald-bench: --" + key + " is required");
            usage();
        }
        return v;
    }

    private static void usage() {
        System.err.println("usage: herald-bench.jar netty-server [--host H] [--port P]\n"
                + "       herald-bench.jar load --target herald|herald-sio|socketio|netty --url http://H:P --mode quick|full"
                + " --scenarios fanout,inbox,chat,idle,storm,push --out FILE [--pid PID] [--api-key K] [--jwt-secret S]"
                + " [--store-label L] [--fanout NxK,...] [--chat NxR] [--client-urls U1,U2] [--label L]\n"
                + "       herald-bench.jar load ... --mode curves|curves-quick --scenarios fanout,chat,idle [--idle N]\n"
                + "       herald-bench.jar sweep --mode curves|curves-quick --scenario fanout|chat|idle\n"
                + "       herald-bench.jar report --results FILE\n"
                + "       herald-bench.jar curves --results FILE --charts DIR [--link PREFIX]");
        System.exit(2);
    }
}
