package dev.herald.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The points of a curves run (issue 13): fanout at several room sizes, chat at several offered
 * rates, idle memory at several connection counts, so that a chart shows where each server
 * bends. {@code curves}: the sizes of the issue (up to {@link Plan#MAX_CLIENTS}), each fanout point
 * delivering about a million messages so that every point takes a bounded time (~20 s on the
 * slowest server, ~1M / 55k per second); {@code curves-quick}: small sizes and low rates that
 * check the harness end to end in a few minutes. Chat keeps its clients and varies their rate,
 * so that the offered rate is the only thing that changes along the curve. Immutable.
 */
record Sweep(String mode, int[] fanoutClients, long fanoutDeliveries, int chatClients, int[] chatOffered,
             double chatSeconds, int[] idleClients) {

    static final String CURVES = "curves";
    static final String CURVES_QUICK = "curves-quick";

    static boolean isSweep(String mode) {
        return mode.equals(CURVES) || mode.equals(CURVES_QUICK);
    }

    static Sweep of(String mode) {
        return switch (mode) {
            case CURVES -> new Sweep(CURVES, new int[] {1000, 5000, 10_000, Plan.MAX_CLIENTS}, 1_000_000,
                    5000, new int[] {2500, 5000, 10_000, 15_000, 25_000}, 10, new int[] {1000, 5000, 10_000, Plan.MAX_CLIENTS});
            case CURVES_QUICK -> new Sweep(CURVES_QUICK, new int[] {200, 500, 1000}, 50_000,
                    200, new int[] {100, 200, 400}, 2, new int[] {200, 500, 1000});
            default -> throw new IllegalArgumentException("mode must be " + CURVES + " or " + CURVES_QUICK + ", not " + mode);
        };
    }

    /** Messages published to a room of {@code clients} so that it receives about {@link #fanoutDeliveries}. */
    int fanoutMessages(int clients) {
        return (int) Math.max(1, Math.round(fanoutDeliveries / (double) clients));
    }

    /** Messages per second each chat client sends so that all of them offer {@code offered} per second. */
    double chatRatePerClient(int offered) {
        return offered / (double) (chatClients - chatClients % 2);
    }

    /** The scenario name of a chat point in the results: the offered rate, e.g. "chat 2500/s". */
    static String chatScenario(int offered) {
        return String.format(Locale.ROOT, "chat %d/s", offered);
    }

    /** The sizes or rates of one scenario, space separated (for run.sh, which starts a server per idle point). */
    String points(String scenario) {
        int[] points = switch (scenario) {
            case "fanout" -> fanoutClients;
            case "chat" -> chatOffered;
            case "idle" -> idleClients;
            default -> throw new IllegalArgumentException("scenario must be fanout, chat or idle, not " + scenario);
        };
        return String.join(" ", Arrays.stream(points).mapToObj(Integer::toString).toList());
    }
}
