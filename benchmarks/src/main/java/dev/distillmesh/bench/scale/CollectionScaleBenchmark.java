package dev.distillmesh.bench.scale;

import dev.distillmesh.bench.data.ScaleCorpus;
import dev.distillmesh.bench.data.Squad;
import dev.distillmesh.bench.scale.ScaleConfig.Part;
import dev.distillmesh.bench.systems.MemoryProbe;
import dev.distillmesh.testsupport.ServiceProcess;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Distillation at collection scale: the SQuAD-dev passages among every distinct DailyDialog
 * utterance as distractors (about 85,000 documents, {@link ScaleCorpus}), with index-service,
 * student-service, teacher-service (embedded e5-small-v2) and a trainer per run as separate JVMs.
 * SQuAD is split by article (0–39 train, 40–47 held out); the trainer reads no passages file.
 *
 * <ol>
 *   <li><b>ingest</b>: the collections through the student's {@code Ingest} (docs/s) and Answer
 *       on each;
 *   <li><b>traffic</b>: the training questions asked through {@code Answer} on the 85k collection,
 *       a TRAFFIC run learning from them: held-out R@1 of the untrained student (this run's
 *       baseline) → the best published, teacher@K and the top-K ceiling;
 *   <li><b>small</b>: the same run on the 2,067 SQuAD passages alone;
 *   <li><b>memory</b>: the same settings on 10,000 and on 85,000 documents, each in a fresh
 *       trainer JVM with the same -Xmx: its resident memory;
 *   <li><b>reproject</b>: the 85k collection reprojected with B = I + seeded noise through the
 *       index's {@code Reproject}; Answer p50/p99 while it runs vs just before.
 * </ol>
 *
 * Each training run is rolled back to the identity when it ends, so every run starts from the
 * untrained student. Run it with {@code scripts/bench-collection-scale.sh}.
 */
public final class CollectionScaleBenchmark {
  static final String SMALL = "squad";
  static final int LAST_TRAIN_ARTICLE = 39;

  private final PrintStream out = System.out;
  private final ScaleConfig config;

  private CollectionScaleBenchmark(ScaleConfig config) {
    this.config = config;
  }

  public static void main(String[] args) throws Exception {
    if (java.util.Arrays.asList(args).contains("--help")) {
      System.out.println(ScaleConfig.USAGE);
      return;
    }
    ScaleConfig config;
    try {
      config = ScaleConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(ScaleConfig.USAGE);
      System.exit(2);
      return;
    }
    new CollectionScaleBenchmark(config).run();
  }

  /** The article of a SQuAD passage id {@code squad-dev-AA-PPP}. */
  static int article(String passageId) {
    String[] parts = passageId.split("-");
    if (parts.length != 4 || !parts[0].equals("squad") || !parts[1].equals("dev")) {
      throw new IllegalArgumentException("not a squad-dev passage id: " + passageId);
    }
    return Integer.parseInt(parts[2]);
  }

  /**
   * The traffic: every question, or with {@code heldOut} false only those about articles 0–39, a
   * seeded sample of {@code limit} (0: all).
   */
  static List<String> trainingQuestions(List<Squad.Question> questions, int limit, long seed, boolean heldOut) {
    List<String> train = new ArrayList<>(questions.stream()
        .filter(q -> heldOut || article(q.passageId()) <= LAST_TRAIN_ARTICLE).map(Squad.Question::text).toList());
    Collections.shuffle(train, new Random(seed));
    return List.copyOf(limit == 0 || limit >= train.size() ? train : train.subList(0, limit));
  }

  private void run() throws Exception {
    Squad squad = Squad.load(config.dataDir(), Integer.MAX_VALUE, 42);
    ScaleCorpus all = ScaleCorpus.build(squad.passages(), config.dataDir());
    ScaleCorpus corpus = config.documents() == 0 ? all
        : all.first(Math.max(squad.passages().size(), Math.min(config.documents(), all.size())));
    ScaleCorpus memoryCorpus = corpus.first(Math.min(config.memoryDocuments(), corpus.size()));
    String large = "scale-" + Math.round(corpus.size() / 1000.0) + "k";
    String medium = "scale-" + Math.round(memoryCorpus.size() / 1000.0) + "k";
    List<String> traffic = trainingQuestions(squad.questions(), config.trainQuestions(), config.seed(),
        config.heldOutInTraffic());
    List<String> memoryTraffic = traffic.subList(0, Math.min(config.memoryTrainQuestions(), traffic.size()));
    List<String> probes = squad.questions().stream().map(Squad.Question::text).toList();
    Path questionsFile = config.dataDir().resolve("squad-dev/queries.jsonl").toAbsolutePath().normalize();
    out.printf(Locale.ROOT, "collection-scale benchmark: %,d documents (%,d squad-dev passages + %,d distinct DailyDialog"
            + " utterances), %,d for memory; %,d questions as traffic (%s); parts %s; %d cores, java %s%n",
        corpus.size(), corpus.squadPassages(), corpus.distractors(), memoryCorpus.size(), traffic.size(),
        config.heldOutInTraffic() ? "held-out articles' questions included, never with their gold" : "articles 0-39",
        config.parts().stream().sorted().map(Part::flag).collect(Collectors.joining(",")),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    Path work = Files.createTempDirectory("distillmesh-bench-scale-");
    corpus.write(work.resolve("corpus.jsonl"));
    Thread cleanup = new Thread(ServiceProcess::stopAllStartedByThisJvm, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    List<ScaleMesh.Ingested> ingested = new ArrayList<>();
    List<TrafficRun.Result> runs = new ArrayList<>();
    Optional<TrafficRun.Result> trafficRow = Optional.empty();
    Optional<TrafficRun.Result> smallRow = Optional.empty();
    Optional<TrafficRun.Result> memorySmall = Optional.empty();
    Optional<TrafficRun.Result> memoryLarge = Optional.empty();
    Optional<ReprojectProbe.Result> reprojectRow = Optional.empty();
    ScaleReport report = new ScaleReport(out, config.batch());
    try (ScaleMesh mesh = ScaleMesh.start(config, work, out)) {
      ReprojectProbe reproject = new ReprojectProbe(mesh, config, out);
      boolean needsLarge = config.runs(Part.INGEST) || config.runs(Part.TRAFFIC) || config.runs(Part.MEMORY)
          || config.runs(Part.REPROJECT);
      if (needsLarge) {
        ScaleMesh.Ingested r = mesh.ensureCollection(large, corpus.documents(), probes);
        ingested.add(r);
        if (r.reused()) {
          identity(reproject, large);
        }
      }
      if ((config.runs(Part.INGEST) || config.runs(Part.MEMORY)) && !medium.equals(large)) {
        ingested.add(mesh.ensureCollection(medium, memoryCorpus.documents(), probes));
      }
      if (config.runs(Part.INGEST) || config.runs(Part.SMALL)) {
        ingested.add(mesh.ensureCollection(SMALL, squad.passages(), probes));
      }
      report.ingestion(ingested);

      TrafficRun trainer = new TrafficRun(mesh, config, questionsFile, out);
      if (config.runs(Part.TRAFFIC)) {
        trafficRow = Optional.of(trainer.run("traffic-" + large, large, corpus.size(), traffic));
        runs.add(trafficRow.get());
      }
      if (config.runs(Part.SMALL)) {
        smallRow = Optional.of(trainer.run("small-" + SMALL, SMALL, squad.passages().size(), traffic));
        runs.add(smallRow.get());
      }
      if (config.runs(Part.MEMORY)) {
        memorySmall = Optional.of(trainer.run("memory-" + medium, medium, memoryCorpus.size(), memoryTraffic));
        memoryLarge = Optional.of(trainer.run("memory-" + large, large, corpus.size(), memoryTraffic));
        runs.add(memorySmall.get());
        runs.add(memoryLarge.get());
      }
      if (!runs.isEmpty()) {
        report.training(runs); // printed now too, so a failure in the last part keeps them
      }
      if (config.runs(Part.REPROJECT)) {
        reprojectRow = Optional.of(reproject.measure(large, probes));
        report.reprojection(reprojectRow.get());
      }
    } finally {
      MemoryProbe.deleteRecursively(work);
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    out.println();
    out.println("== summary ==");
    report.ingestion(ingested);
    report.training(runs);
    reprojectRow.ifPresent(report::reprojection);
    report.targets(trafficRow, smallRow, memorySmall, memoryLarge, reprojectRow);
  }

  /** A reused collection left projected by an interrupted run goes back to the identity first. */
  private void identity(ReprojectProbe reproject, String collection) {
    try {
      reproject.ensureIdentity(collection);
    } catch (StatusRuntimeException e) {
      out.println("  warning: cannot read or reset " + collection + "'s projection: " + e.getStatus());
    }
  }
}
