package dev.distillmesh.bench;

import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.index.faiss.FaissIndex;
import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Prints the student benchmark: a header saying what ran where, then the Markdown table of all
 * rows and, per student configuration, the two target ratios with PASS/MISS. The targets are
 * judged on the default configuration; the others are there to explain it.
 */
final class StudentReport {
  /** Mesh p50 at most this multiple of the in-process p50 (concurrency 1). */
  static final double TARGET_LATENCY_RATIO = 1.2;
  /** Mesh QPS at full concurrency at least this fraction of the encoder's batch-32 rate. */
  static final double TARGET_THROUGHPUT_RATIO = 0.8;

  private StudentReport() {}

  static void printHeader(StudentBenchConfig config, PrintStream out) {
    out.println("== distillmesh student benchmark ==");
    out.println("date:    " + ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME));
    out.println("machine: " + Machine.cpuModel() + ", " + Runtime.getRuntime().availableProcessors()
        + " cores, " + (Machine.totalMemoryKb() >> 20) + " GB RAM");
    out.println("java:    " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version") + " (benchmark and both services)");
    out.println("faiss:   " + FaissIndex.nativeLibrary());
    out.printf("params:  k=%d, efSearch=%d, %s, %d ONNX threads in-process, %d clients for the"
            + " throughput rows, warm-up %d sequential + %d concurrent calls, blocks of %d,"
            + " %d throughput rounds of %d sentences, service JVMs %s%n",
        config.k(), config.efSearch(), StudentBenchmark.INDEX_SPEC, config.onnxThreads(),
        config.concurrency(), config.warmupSequential(), config.warmupConcurrent(),
        config.block(), config.throughputRounds(), config.throughputBlock(),
        String.join(" ", config.serverJvmOptions()));
    out.println("load:    " + Machine.loadAverage() + " (1/5/15 min; the machine may be shared)");
    out.println("note:    this JVM, the student and the index service share the same "
        + Runtime.getRuntime().availableProcessors() + " cores. Only one side runs at a time:"
        + " the in-process encoder is idle while the mesh is measured, the services are idle"
        + " while the in-process rows run.");
  }

  static void printResults(StudentBenchConfig config, List<Tally> rows, List<String> checks,
      PrintStream out) {
    out.printf("%n== Results (load average at the end %s) ==%n%n", Machine.loadAverage());
    out.println("| student config | system | clients | calls | p50 ms | p99 ms | mean ms"
        + " | sentences/s | CPU ms/sentence: bench | student | index | other users' cores"
        + " | errors |");
    out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Tally t : rows) {
      if (!t.measured()) {
        out.printf("| %s | %s | %d | 0 | FAILED: %s |||||||||%n", t.config(), t.system(),
            t.concurrency(), String.valueOf(t.firstError()).replace('|', '/'));
        continue;
      }
      LatencyStats l = t.latency();
      out.printf("| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f | %.2f"
              + " | %d |%n", t.config(), t.system(), t.concurrency(), t.calls(), l.p50Ms(),
          l.p99Ms(), l.meanMs(), t.itemsPerSecond(), t.cpuMsPerItem(0), t.cpuMsPerItem(1),
          t.cpuMsPerItem(2), t.otherCores(), t.errors());
    }
    out.println("\n(c) times one embed call of 32 questions (tokenizing included); its"
        + " sentences/s is the throughput ceiling. CPU columns: CPU time of each process per"
        + " sentence; 'other users' cores' is what the rest of the machine used meanwhile.");

    Set<String> labels = new LinkedHashSet<>();
    rows.forEach(t -> labels.add(t.config()));
    out.println("\nRatios (the targets are judged on the default student):");
    for (String label : labels) {
      printRatios(label, rows, out);
    }
    out.println();
    checks.forEach(out::println);
    for (Tally t : rows) {
      if (t.errors() > 0) {
        out.printf("[%s] %s: %d failed calls, first: %s%n", t.config(), t.system(), t.errors(),
            t.firstError());
      }
    }
  }

  /**
   * A check that both paths do the same work: the fraction of questions whose top passage is the
   * same in-process and over the mesh, and R@1 of each against SQuAD's answer passage.
   *
   * @param local top passage id per question in-process, {@code mesh} the same over the mesh
   */
  static String agreement(String label, Squad squad, String[] local, String[] mesh) {
    int same = 0;
    int localHits = 0;
    int meshHits = 0;
    for (int i = 0; i < local.length; i++) {
      String truth = squad.questions().get(i).passageId();
      same += local[i] != null && local[i].equals(mesh[i]) ? 1 : 0;
      localHits += truth.equals(local[i]) ? 1 : 0;
      meshHits += truth.equals(mesh[i]) ? 1 : 0;
    }
    return String.format("[%s] same top-1 passage in-process vs mesh: %.3f of %d questions;"
            + " R@1 in-process %.3f, mesh %.3f", label, same / (double) local.length,
        local.length, localHits / (double) local.length, meshHits / (double) local.length);
  }

  private static void printRatios(String label, List<Tally> rows, PrintStream out) {
    Optional<Tally> a = find(rows, label, "(a)");
    Optional<Tally> b = find(rows, label, "(b)");
    Optional<Tally> c = find(rows, label, "(c)");
    Optional<Tally> d = find(rows, label, "(d)");
    if (a.isPresent() && b.isPresent()) {
      double ap50 = a.get().latency().p50Ms();
      double bp50 = b.get().latency().p50Ms();
      double ratio = bp50 / ap50;
      out.printf("  [%s] mesh p50 / in-process p50 = %.2f / %.2f ms = %.2fx (%+.2f ms)"
              + " (target <= %.1fx): %s%n", label, bp50, ap50, ratio, bp50 - ap50,
          TARGET_LATENCY_RATIO, ratio <= TARGET_LATENCY_RATIO ? "PASS" : "MISS");
    }
    if (c.isPresent() && d.isPresent()) {
      double ceiling = c.get().itemsPerSecond();
      double qps = d.get().itemsPerSecond();
      double ratio = qps / ceiling;
      out.printf("  [%s] mesh QPS at %d clients / encoder batch-32 sentences/s = %.0f / %.0f"
              + " = %.2fx (target >= %.1fx): %s%n", label, d.get().concurrency(), qps, ceiling,
          ratio, TARGET_THROUGHPUT_RATIO, ratio >= TARGET_THROUGHPUT_RATIO ? "PASS" : "MISS");
    }
  }

  private static Optional<Tally> find(List<Tally> rows, String label, String prefix) {
    return rows.stream()
        .filter(t -> t.config().equals(label) && t.system().startsWith(prefix) && t.measured())
        .findFirst();
  }
}
