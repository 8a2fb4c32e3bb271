package io.tributary.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The router's packages depend on each other one way only (docs/architecture.md): read from the
 * import lines of the main sources, the package graph has no cycle, and the root package (the
 * {@link Broker} facade) is imported by none of the others.
 */
class PackageCyclesTest {

  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.tributary\\.router(?:\\.[a-z]+)*)\\.[A-Z]",
      Pattern.MULTILINE);
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("(io\\.tributary\\.router(?:\\.[a-z]+)*)\\.[A-Z]");

  @Test
  void routerPackagesFormNoCycle() throws IOException {
    Map<String, Set<String>> graph = dependencies();
    assertTrue(graph.size() >= 8, "the router's packages were found: " + graph.keySet());
    List<String> cycle = findCycle(graph);
    assertEquals(List.of(), cycle, "package cycle in router: " + graph);
  }

  @Test
  void noPackageImportsTheFacade() throws IOException {
    dependencies().forEach((from, to) -> {
      if (!from.equals("io.tributary.router")) {
        assertTrue(!to.contains("io.tributary.router"), from + " uses the root package: " + to);
      }
    });
  }

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> graph = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher pm = PACKAGE.matcher(source);
        assertTrue(pm.find(), "no package line in " + file);
        String pkg = pm.group(1);
        Set<String> deps = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
        for (Pattern p : List.of(IMPORT, QUALIFIED)) {
          Matcher m = p.matcher(source);
          while (m.find()) {
            if (!m.group(1).equals(pkg)) {
              deps.add(m.group(1));
            }
          }
        }
      }
    }
    return graph;
  }

  private static List<String> findCycle(Map<String, Set<String>> graph) {
    Map<String, Integer> state = new TreeMap<>();
    List<String> path = new ArrayList<>();
    for (String start : graph.keySet()) {
      List<String> cycle = visit(start, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  // state: 1 = on the current path, 2 = done.
  private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(node);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null && s == 1) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.add(node);
    for (String next : graph.getOrDefault(node, Set.of())) {
      List<String> cycle = visit(next, graph, state, path);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    path.remove(path.size() - 1);
    state.put(node, 2);
    return List.of();
  }
}
