package dev.herald.server;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The import graph of herald-server's main classes has no cycle, at two granularities:
 *
 * <ul>
 *   <li>every package is its own node ({@code transport} and {@code transport.http} are two
 *       nodes, and so is the root package {@code dev.herald.server});</li>
 *   <li>every area, a top-level package with its subpackages ({@code chat} with
 *       {@code chat.jdbc} and {@code chat.presence}), is one node: an area split into
 *       subpackages still may not lean on a neighbour that leans back on it. The root package,
 *       which wires everything, is in no area.</li>
 * </ul>
 *
 * <p>ArchUnit reads the compiled main classes (the directory {@link HeraldServer} was loaded
 * from, so no test class is counted), which shows every real dependency: fields, signatures,
 * calls, fully qualified names, lambdas. It does not show compile-time constants, which javac
 * inlines, nor imports used only by javadoc. The graph is then reduced to its strongly connected
 * components: a failure names each group of packages that reach one another, a shortest cycle
 * through each of its members, and one example dependency on each edge inside the group, which
 * is what it takes to break it. (ArchUnit's own {@code slices().should().beFreeOfCycles()} lists
 * every elementary cycle instead: thousands of lines for one tangle around the root package.)
 * To break a cycle, move the shared piece down; each package's package-info says what it may
 * depend on.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.herald.server";
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        Path classes = Path.of(HeraldServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        main = new ClassFileImporter().importPath(classes);
        // A wrong directory would make every check pass vacuously.
        assertThat(main.contain(HeraldServer.class)).as("main classes imported from " + classes).isTrue();
        assertThat(main.size()).as("main classes imported from " + classes).isGreaterThan(100);
        assertThat(main.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")))
                .as("no test class among the main classes of " + classes).isTrue();
    }

    @Test
    void packagesFormNoCycle() {
        assertNoCycle("package", p -> p);
    }

    @Test
    void areasFormNoCycle() {
        assertNoCycle("area", ArchitectureTest::area);
    }

    @Test
    void aCycleIsFoundAndNamed() {
        Map<String, Map<String, String>> edges = new TreeMap<>();
        edges.put("a", new TreeMap<>(Map.of("b", "a uses b")));
        edges.put("b", new TreeMap<>(Map.of("c", "b uses c")));
        edges.put("c", new TreeMap<>(Map.of("a", "c uses a", "d", "c uses d")));
        edges.put("d", new TreeMap<>());
        List<Set<String>> tangles = tangles(edges);
        assertThat(tangles).containsExactly(Set.of("a", "b", "c"));
        assertThat(shortestCycle(edges, tangles.get(0), "b")).containsExactly("b", "c", "a", "b");
        assertThat(rotated(List.of("b", "c", "a", "b"))).containsExactly("a", "b", "c", "a");
    }

    /** The top-level package under {@link #ROOT}, or null for the root package itself. */
    private static String area(String pkg) {
        if (pkg.equals(ROOT)) {
            return null;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return ROOT + "." + (dot < 0 ? rest : rest.substring(0, dot));
    }

    private static boolean isHerald(String pkg) {
        return pkg.equals(ROOT) || pkg.startsWith(ROOT + ".");
    }

    private static void assertNoCycle(String kind, Function<String, String> nodeOf) {
        // from -> to -> one example dependency, in a stable order
        Map<String, Map<String, String>> edges = new TreeMap<>();
        for (JavaClass c : main) {
            String from = isHerald(c.getPackageName()) ? nodeOf.apply(c.getPackageName()) : null;
            if (from == null) {
                continue;
            }
            Map<String, String> out = edges.computeIfAbsent(from, k -> new TreeMap<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getBaseComponentType().getPackageName();
                String to = isHerald(target) ? nodeOf.apply(target) : null;
                if (to != null && !to.equals(from)) {
                    out.putIfAbsent(to, d.getDescription());
                    edges.computeIfAbsent(to, k -> new TreeMap<>());
                }
            }
        }
        List<Set<String>> tangles = tangles(edges);
        if (tangles.isEmpty()) {
            return;
        }
        StringBuilder report = new StringBuilder();
        report.append(tangles.size()).append(" ").append(kind).append(" cycle(s); each group below is ")
                .append(kind).append("s that reach one another through imports:\n");
        int n = 0;
        for (Set<String> tangle : tangles) {
            report.append("\n").append(++n).append(". ").append(brief(tangle)).append("\n");
            Set<List<String>> cycles = new LinkedHashSet<>();
            for (String start : tangle) {
                cycles.add(rotated(shortestCycle(edges, tangle, start)));
            }
            for (List<String> cycle : cycles) {
                report.append("   cycle: ").append(String.join(" -> ", brief(cycle))).append("\n");
            }
            report.append("   its edges, one dependency each:\n");
            for (String from : tangle) {
                for (Map.Entry<String, String> e : edges.get(from).entrySet()) {
                    if (tangle.contains(e.getKey())) {
                        report.append("     ").append(brief(from)).append(" -> ").append(brief(e.getKey()))
                                .append(": ").append(e.getValue()).append("\n");
                    }
                }
            }
        }
        fail(report.toString());
    }

    /** Strongly connected components of more than one node (Tarjan), in a stable order. */
    static List<Set<String>> tangles(Map<String, Map<String, String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        for (String v : edges.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, edges, index, low, stack, onStack, out);
            }
        }
        out.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
        return out;
    }

    private static void connect(String v, Map<String, Map<String, String>> edges, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : edges.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                connect(w, edges, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    /** A shortest cycle through {@code start}, staying inside its tangle (breadth first). */
    static List<String> shortestCycle(Map<String, Map<String, String>> edges, Set<String> tangle, String start) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : edges.get(v).keySet()) {
                if (!tangle.contains(w)) {
                    continue;
                }
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String u = v; ; u = parent.get(u)) {
                        path.add(0, u);
                        if (u.equals(start)) {
                            break;
                        }
                    }
                    path.add(start);
                    return path;
                }
                if (!parent.containsKey(w)) {
                    parent.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start);
    }

    /** The same cycle starting at its smallest node, so that one cycle found from two starts is listed once. */
    static List<String> rotated(List<String> cycle) {
        List<String> nodes = cycle.subList(0, cycle.size() - 1);
        int min = nodes.indexOf(new TreeSet<>(nodes).first());
        List<String> out = new ArrayList<>(nodes.subList(min, nodes.size()));
        out.addAll(nodes.subList(0, min));
        out.add(out.get(0));
        return out;
    }

    private static String brief(String pkg) {
        return pkg.equals(ROOT) ? "(root) " + ROOT : pkg.substring(ROOT.length() + 1);
    }

    private static List<String> brief(Iterable<String> pkgs) {
        List<String> out = new ArrayList<>();
        pkgs.forEach(p -> out.add(brief(p)));
        return out;
    }
}
