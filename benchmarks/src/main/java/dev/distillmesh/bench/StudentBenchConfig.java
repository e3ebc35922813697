package dev.distillmesh.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of one student benchmark run, parsed once from the command line. Paths are
 * relative to the working directory (scripts/bench-student.sh runs from the repository root) or
 * start with "~/".
 *
 * @param studentConfigs student flag sets to measure in turn; the first must be the default ({@code
 *     []}), which the targets are judged on
 */
record StudentBenchConfig(
    int queries,
    long seed,
    int k,
    int efSearch,
    int concurrency,
    int onnxThreads,
    int warmupSequential,
    int warmupConcurrent,
    int block,
    int throughputRounds,
    int throughputBlock,
    boolean inProcessConcurrent,
    boolean breakdown,
    List<List<String>> studentConfigs,
    Duration deadline,
    Path dataDir,
    Path cacheDir,
    Path indexJar,
    Path studentJar,
    List<String> serverJvmOptions) {

  static final int BATCH = 32;

  static final String USAGE = String.join("\n",
      "usage: StudentBenchmark [options]",
      "  --queries N            SQuAD-dev questions sampled (default 2000)   --seed N (default 42)",
      "  --k N                  passages per answer (default 10)",
      "  --ef-search N          HNSW efSearch, in-process and on every Answer (default 256)",
      "  --concurrency N        client threads for the throughput rows (default 32)",
      "  --onnx-threads N       ONNX Runtime threads of the in-process encoder (default 2, the"
          + " student's default)",
      "  --warmup-sequential N  calls at concurrency 1 before timing, per system (default 1000)",
      "  --warmup-concurrent N  mesh calls at full concurrency first, per student (default 6000:"
          + " after 1,500 calls the services' JIT still compiles enough to add ~2 ms to Answer)",
      "  --block N              calls per block at concurrency 1; in-process and mesh blocks"
          + " alternate (default 250)",
      "  --throughput-rounds N  alternating rounds of (c) and (d) (default 4)",
      "  --throughput-block N   sentences per system per round (default 1024, a multiple of 32)",
      "  --no-inprocess-concurrent  skip row (e), in-process at full concurrency",
      "  --no-breakdown         skip rows (a1)/(a2)/(b1)/(b2): encoding and searching each on its"
          + " own, in-process and over gRPC",
      "  --student-config S     an extra student configuration, e.g. \"--max-batch 1\";"
          + " repeatable (default: --max-batch 1)",
      "  --no-extra-configs     measure only the default student",
      "  --deadline-ms N        deadline of each Answer call (default 10000)",
      "  --data-dir DIR         shared data (default ../shared/data)",
      "  --cache-dir DIR        passage-vector cache (default ~/.cache/distillmesh/bench)",
      "  --index-jar FILE       (default index-service/target/index-service.jar)",
      "  --student-jar FILE     (default student-service/target/student-service.jar)",
      "  --server-jvm-opts S    space-separated options for both service JVMs (default -Xmx2g)");

  static StudentBenchConfig parse(String[] args) {
    int queries = 2000;
    long seed = 42;
    int k = 10;
    int ef = 256;
    int concurrency = 32;
    int onnxThreads = 2;
    int warmupSequential = 1000;
    int warmupConcurrent = 6000;
    int block = 250;
    int rounds = 4;
    int throughputBlock = 1024;
    boolean inProcessConcurrent = true;
    boolean breakdown = true;
    List<List<String>> extra = new ArrayList<>();
    boolean extraGiven = false;
    long deadlineMs = 10_000;
    String dataDir = "../shared/data";
    String cacheDir = "~/.cache/distillmesh/bench";
    String indexJar = "index-service/target/index-service.jar";
    String studentJar = "student-service/target/student-service.jar";
    List<String> jvm = List.of("-Xmx2g");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--queries" -> queries = positive(args, ++i, a);
        case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
        case "--k" -> k = positive(args, ++i, a);
        case "--ef-search" -> ef = positive(args, ++i, a);
        case "--concurrency" -> concurrency = positive(args, ++i, a);
        case "--onnx-threads" -> onnxThreads = positive(args, ++i, a);
        case "--warmup-sequential" -> warmupSequential = Integer.parseInt(value(args, ++i, a));
        case "--warmup-concurrent" -> warmupConcurrent = Integer.parseInt(value(args, ++i, a));
        case "--block" -> block = positive(args, ++i, a);
        case "--throughput-rounds" -> rounds = positive(args, ++i, a);
        case "--throughput-block" -> throughputBlock = positive(args, ++i, a);
        case "--no-inprocess-concurrent" -> inProcessConcurrent = false;
        case "--no-breakdown" -> breakdown = false;
        case "--student-config" -> {
          extra.add(split(value(args, ++i, a)));
          extraGiven = true;
        }
        case "--no-extra-configs" -> extraGiven = true;
        case "--deadline-ms" -> deadlineMs = positive(args, ++i, a);
        case "--data-dir" -> dataDir = value(args, ++i, a);
        case "--cache-dir" -> cacheDir = value(args, ++i, a);
        case "--index-jar" -> indexJar = value(args, ++i, a);
        case "--student-jar" -> studentJar = value(args, ++i, a);
        case "--server-jvm-opts" -> jvm = split(value(args, ++i, a));
        case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (throughputBlock % BATCH != 0) {
      throw new IllegalArgumentException("--throughput-block must be a multiple of " + BATCH);
    }
    if (!extraGiven) {
      extra.add(List.of("--max-batch", "1")); // the batcher's effect on throughput
    }
    List<List<String>> configs = new ArrayList<>();
    configs.add(List.of());
    configs.addAll(extra);
    return new StudentBenchConfig(queries, seed, k, ef, concurrency, onnxThreads,
        warmupSequential, warmupConcurrent, block, rounds, throughputBlock, inProcessConcurrent,
        breakdown, List.copyOf(configs), Duration.ofMillis(deadlineMs), path(dataDir),
        path(cacheDir), path(indexJar), path(studentJar), jvm);
  }

  /**
   * How student configuration {@code c} is labelled in the table; the report finds rows by label,
   * so a configuration given twice gets " #c" the second time.
   */
  String label(int c) {
    List<String> flags = studentConfigs.get(c);
    String label = flags.isEmpty() ? "default" : String.join(" ", flags);
    return studentConfigs.subList(0, c).contains(flags) ? label + " #" + c : label;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  private static int positive(String[] args, int i, String option) {
    int v = Integer.parseInt(value(args, i, option));
    if (v <= 0) {
      throw new IllegalArgumentException(option + " must be > 0, got " + v);
    }
    return v;
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.trim().split("\\s+")) {
      if (!part.isEmpty()) {
        out.add(part);
      }
    }
    return List.copyOf(out);
  }

  private static Path path(String s) {
    return s.startsWith("~/")
        ? Path.of(System.getProperty("user.home"), s.substring(2))
        : Path.of(s);
  }
}
