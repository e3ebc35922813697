package dev.distillmesh.bench;

import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Prints results as a Markdown table, then per dataset the target ratios and whether each target
 * is met: (a) QPS at least 1.5x JVector's and 2x Lucene's, each at its own smallest effort reaching
 * the recall target (once with one query per call, once with (a)'s batched calls against the
 * others' best single-query throughput), and (a)'s p50 at most 0.25 ms above (b)'s.
 */
final class ResultTable {
  static final double TARGET_VS_JVECTOR = 1.5;
  static final double TARGET_VS_LUCENE = 2.0;
  static final double TARGET_GRPC_OVERHEAD_MS = 0.25;

  private ResultTable() {}

  static void print(List<Result> results, int k, int clientThreads, int extraThreads,
      PrintStream out) {
    out.println();
    out.printf("| dataset | system | vectors | build s | memory MB | memory measured as | effort"
        + " | recall@%d | p50 ms | p99 ms | QPS (%d thr) | QPS (%d thr) | QPS batched (%d thr) |%n",
        k, clientThreads, extraThreads, clientThreads);
    out.println("|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      if (!r.ok()) {
        out.printf("| %s | %s | %,d | FAILED: %s ||||||||%n", r.dataset(), r.system(), r.size(),
            r.error().replace('|', '/').replace('\n', ' '));
        continue;
      }
      out.printf("| %s | %s | %,d | %.1f | %.0f | %s | %s=%d | %.3f%s | %.3f | %.3f | %.0f"
              + " | %s | %s |%n",
          r.dataset(), r.system(), r.size(), r.buildSeconds(), r.memory().bytes() / 1048576.0,
          r.memory().how(), r.effortName(), r.effort(), r.recall(),
          r.reached() ? "" : " (target not reached)", r.latency().p50Ms(), r.latency().p99Ms(),
          r.qps(), r.qpsMoreThreads() > 0 ? String.format("%.0f", r.qpsMoreThreads()) : "-",
          r.qpsBatched() > 0 ? String.format("%.0f", r.qpsBatched()) : "-");
    }
    Set<String> datasets = new LinkedHashSet<>();
    results.forEach(r -> datasets.add(r.dataset()));
    for (String dataset : datasets) {
      printRatios(dataset, results, out);
    }
  }

  private static void printRatios(String dataset, List<Result> results, PrintStream out) {
    Optional<Result> a = find(results, dataset, "a");
    Optional<Result> b = find(results, dataset, "b");
    Optional<Result> c = find(results, dataset, "c");
    Optional<Result> d = find(results, dataset, "d");
    out.printf("%nRatios on %s:%n", dataset);
    if (a.isEmpty()) {
      out.println("  (a) index-service not measured: no ratios against it");
    }
    if (a.isPresent() && d.isPresent()) {
      double ratio = a.get().qps() / d.get().qps();
      out.printf("  (a)/JVector QPS = %.2fx (target >= %.1fx): %s%n", ratio, TARGET_VS_JVECTOR,
          verdict(ratio >= TARGET_VS_JVECTOR, a.get(), d.get()));
    }
    if (a.isPresent() && c.isPresent()) {
      double ratio = a.get().qps() / c.get().qps();
      out.printf("  (a)/Lucene QPS  = %.2fx (target >= %.1fx): %s%n", ratio, TARGET_VS_LUCENE,
          verdict(ratio >= TARGET_VS_LUCENE, a.get(), c.get()));
    }
    if (a.isPresent() && a.get().qpsBatched() > 0) {
      // Lucene and JVector have no batch API: their best throughput is the single-query one.
      if (d.isPresent()) {
        double ratio = a.get().qpsBatched() / bestQps(d.get());
        out.printf("  (a) batched/JVector best QPS = %.2fx (target >= %.1fx): %s%n", ratio,
            TARGET_VS_JVECTOR, verdict(ratio >= TARGET_VS_JVECTOR, a.get(), d.get()));
      }
      if (c.isPresent()) {
        double ratio = a.get().qpsBatched() / bestQps(c.get());
        out.printf("  (a) batched/Lucene best QPS  = %.2fx (target >= %.1fx): %s%n", ratio,
            TARGET_VS_LUCENE, verdict(ratio >= TARGET_VS_LUCENE, a.get(), c.get()));
      }
    }
    if (a.isPresent() && b.isPresent()) {
      double delta = a.get().latency().p50Ms() - b.get().latency().p50Ms();
      out.printf("  (a) p50 - (b) p50 = %+.3f ms, each at its own tuned effort (target <= %.2f ms):"
          + " %s%n", delta, TARGET_GRPC_OVERHEAD_MS,
          verdict(delta <= TARGET_GRPC_OVERHEAD_MS, a.get(), b.get()));
      Result.Comparison same = b.get().comparison();
      if (same != null && same.effort() == a.get().effort()) {
        double equal = a.get().latency().p50Ms() - same.latency().p50Ms();
        out.printf("  (a) p50 - (b) p50 = %+.3f ms at equal efSearch=%d (the gRPC + service"
            + " overhead alone): %s%n", equal, same.effort(),
            equal <= TARGET_GRPC_OVERHEAD_MS ? "MET" : "NOT MET");
      }
    }
    if (b.isPresent() && d.isPresent()) {
      out.printf("  (b)/JVector QPS = %.2fx, ", b.get().qps() / d.get().qps());
    }
    if (b.isPresent() && c.isPresent()) {
      out.printf("(b)/Lucene QPS = %.2fx, ", b.get().qps() / c.get().qps());
    }
    if (a.isPresent() && b.isPresent()) {
      out.printf("(a)/(b) QPS = %.2fx", a.get().qps() / b.get().qps());
    }
    out.println();
  }

  private static double bestQps(Result r) {
    return Math.max(r.qps(), r.qpsMoreThreads());
  }

  private static String verdict(boolean met, Result x, Result y) {
    String s = met ? "MET" : "NOT MET";
    if (!x.reached() || !y.reached()) {
      s += " (caution: a system did not reach the recall target)";
    }
    return s;
  }

  /** The first successful result of system letter {@code letter} without a label suffix. */
  private static Optional<Result> find(List<Result> results, String dataset, String letter) {
    return results.stream()
        .filter(r -> r.ok() && r.dataset().equals(dataset) && r.letter().equals(letter))
        .findFirst();
  }
}
