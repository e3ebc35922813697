package dev.distillmesh.bench.scale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Every setting of one collection-scale benchmark run, parsed once from the command line.
 *
 * @param parts what to run (every part when none was named)
 * @param documents the large collection's size (0: the whole corpus, about 85,000), for a shorter
 *     run at a smaller scale
 * @param trainQuestions questions asked as traffic (0: all of them), a seeded sample when fewer
 * @param heldOutInTraffic whether the traffic holds every question, the held-out articles' too (as
 *     online, where held-out questions are asked but never used with their gold), or only articles
 *     0–39
 * @param memoryTrainQuestions the same for each of the two memory runs
 * @param indexDir where the index keeps its collections; null: inside the run's temp directory,
 *     deleted at the end. A directory that is kept lets a later run reuse the ingested collections
 *     (e.g. one part at a time)
 */
record ScaleConfig(
    Set<Part> parts,
    Path dataDir,
    Path root,
    Path indexDir,
    int documents,
    int trainQuestions,
    boolean heldOutInTraffic,
    int passes,
    int candidates,
    int negatives,
    int efSearch,
    int batch,
    double learningRate,
    double teacherTemperature,
    int evalEvery,
    int memoryTrainQuestions,
    int memoryDocuments,
    double reprojectNoise,
    int latencyCalls,
    long seed,
    String serviceHeap,
    String trainerHeap,
    String indexSpec) {

  /** The parts of the benchmark, in the order a full run does them. */
  enum Part {
    /** Ingest the collections and measure Answer on each; every other part does it for what it needs. */
    INGEST,
    /** TRAFFIC run on the 85k collection. */
    TRAFFIC,
    /** The same run on the 2,067 SQuAD passages alone. */
    SMALL,
    /** The trainer's resident memory at 10k and at 85k documents. */
    MEMORY,
    /** Reproject of the 85k collection, Answer latency before and during. */
    REPROJECT;

    String flag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String USAGE = String.join("\n",
      "usage: CollectionScaleBenchmark [options]",
      "  --only P               run part P only: ingest|traffic|small|memory|reproject; repeatable"
          + " (default: all, in that order)",
"  --documents N          the large collection: the first N documents of the corpus (default 0 ="
          + " all, about 85,000)",
      "  --train-questions N    questions asked as traffic, a seeded sample (default 0 = all of them)",
      "  --traffic all|train    the traffic: every squad-dev question, held-out ones included, never"
          + " with their gold (default all: 10,570), or only articles 0-39 (8,981)",
      "  --passes N             times each training question is asked (default 3)",
      "  --candidates K         the trainer's top-K candidates per question (default 50)",
      "  --negatives N          sampled negatives per question (default 0 = the trainer's, 8)",
      "  --ef-search N          the trainer's HNSW ef for its searches (default 0 = the collection's)",
      "  --batch N              questions per step (default 32)",
      "  --lr X                 learning rate (default 3e-4)   --temperature T  teacher temperature (default 0.01)",
      "  --eval-every N         steps between held-out evaluations (default 100)",
      "  --memory-train-questions N  traffic questions of each memory run (default 1000)",
      "  --memory-documents N   the smaller memory collection (default 10000)",
      "  --reproject-noise X    B = I + X * N(0, 1/d) noise (default 0.05)",
      "  --latency-calls N      Answer calls measured before a reprojection (default 2000)",
      "  --seed N               sampling and matrix seed (default 7)",
      "  --service-heap H       -Xmx of index, student and teacher (default 3g)",
      "  --trainer-heap H       -Xmx of every trainer JVM, equal in every run (default 2g)",
      "  --index-spec S         the collections' index spec (default HNSW32,Flat)",
      "  --index-dir DIR        keep the index's collections in DIR (outside the repository) so that"
          + " a later run reuses them instead of ingesting again (default: a temp dir, deleted)",
      "  --data-dir DIR         the shared data (default ../shared/data)   --root DIR  the checkout");

  static ScaleConfig parse(String[] args) {
    Set<Part> parts = EnumSet.noneOf(Part.class);
    Path dataDir = Path.of("../shared/data");
    Path root = Path.of(".");
    Path indexDir = null;
    int documents = 0;
    int trainQuestions = 0;
    boolean heldOutInTraffic = true;
    int passes = 3;
    int candidates = 50;
    int negatives = 0;
    int efSearch = 0;
    int batch = 32;
    double lr = 3e-4;
    double temperature = 0.01;
    int evalEvery = 100;
    int memoryTrainQuestions = 1000;
    int memoryDocuments = 10_000;
    double noise = 0.05;
    int latencyCalls = 2000;
    long seed = 7;
    String serviceHeap = "3g";
    String trainerHeap = "2g";
    String spec = "HNSW32,Flat";
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--only" -> parts.add(part(v));
        case "--data-dir" -> dataDir = Path.of(v);
        case "--root" -> root = Path.of(v);
        case "--index-dir" -> indexDir = Path.of(v);
        case "--documents" -> documents = atLeast(args[i], v, 0);
        case "--train-questions" -> trainQuestions = atLeast(args[i], v, 0);
        case "--traffic" -> heldOutInTraffic = traffic(v);
        case "--passes" -> passes = atLeast(args[i], v, 1);
        case "--candidates" -> candidates = atLeast(args[i], v, 2);
        case "--negatives" -> negatives = atLeast(args[i], v, 0);
        case "--ef-search" -> efSearch = atLeast(args[i], v, 0);
        case "--batch" -> batch = atLeast(args[i], v, 1);
        case "--lr" -> lr = Double.parseDouble(v);
        case "--temperature" -> temperature = Double.parseDouble(v);
        case "--eval-every" -> evalEvery = atLeast(args[i], v, 1);
        case "--memory-train-questions" -> memoryTrainQuestions = atLeast(args[i], v, 1);
        case "--memory-documents" -> memoryDocuments = atLeast(args[i], v, 1);
        case "--reproject-noise" -> noise = Double.parseDouble(v);
        case "--latency-calls" -> latencyCalls = atLeast(args[i], v, 100);
        case "--seed" -> seed = Long.parseLong(v);
        case "--service-heap" -> serviceHeap = v;
        case "--trainer-heap" -> trainerHeap = v;
        case "--index-spec" -> spec = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (parts.isEmpty()) {
      parts = EnumSet.allOf(Part.class);
    }
    return new ScaleConfig(Set.copyOf(parts), dataDir, root, indexDir, documents, trainQuestions, heldOutInTraffic, passes, candidates, negatives,
        efSearch, batch, lr, temperature, evalEvery, memoryTrainQuestions, memoryDocuments, noise, latencyCalls, seed,
        serviceHeap, trainerHeap, spec);
  }

  private static Part part(String v) {
    for (Part p : Part.values()) {
      if (p.flag().equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException("--only takes ingest|traffic|small|memory|reproject, got " + v);
  }

  private static boolean traffic(String v) {
    return switch (v) {
      case "all" -> true;
      case "train" -> false;
      default -> throw new IllegalArgumentException("--traffic takes all|train, got " + v);
    };
  }

  private static int atLeast(String flag, String v, int min) {
    int n = Integer.parseInt(v);
    if (n < min) {
      throw new IllegalArgumentException(flag + " must be at least " + min + ", got " + n);
    }
    return n;
  }

  boolean runs(Part part) {
    return parts.contains(part);
  }

  /** Whether a part trains (and so needs the teacher and trainers). */
  boolean trains() {
    return runs(Part.TRAFFIC) || runs(Part.SMALL) || runs(Part.MEMORY);
  }

  /**
   * The command-line settings a training row ran with, as flags a reader can paste back ({@code
   * trainQuestions} and the collection are the row's own).
   */
  String trainingFlags(String collection, int questions) {
    List<String> f = new ArrayList<>();
    f.add("collection " + collection);
    f.add("--train-questions " + questions);
    f.add("--traffic " + (heldOutInTraffic ? "all" : "train"));
    f.add("--passes " + passes);
    f.add("--candidates " + candidates);
    f.add("--negatives " + (negatives == 0 ? "0 (trainer default)" : negatives));
    f.add("--ef-search " + efSearch);
    f.add("--batch " + batch);
    f.add("--lr " + learningRate);
    f.add("--temperature " + teacherTemperature);
    f.add("--eval-every " + evalEvery);
    f.add("--trainer-heap " + trainerHeap);
    f.add("--seed " + seed);
    return String.join(" ", f);
  }
}
