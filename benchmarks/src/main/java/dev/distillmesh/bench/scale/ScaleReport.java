package dev.distillmesh.bench.scale;

import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints the collection-scale benchmark's tables (Markdown) and its targets, each judged against a
 * baseline measured in the same run: the untrained student of the same run (+5 points of held-out
 * R@1), an absolute 0.70 on the SQuAD passages alone, the trainer's memory at 10k documents (the
 * 85k run may use at most 1.2 times it), and Answer's p99 just before the reprojection (at most 2
 * times it while reprojecting).
 */
final class ScaleReport {
  static final double TARGET_GAIN = 0.05;
  static final double TARGET_SMALL_R1 = 0.70;
  static final double TARGET_MEMORY_RATIO = 1.2;
  static final double TARGET_P99_RATIO = 2.0;

  private final PrintStream out;
  private final int batch;

  ScaleReport(PrintStream out, int batch) {
    this.out = out;
    this.batch = batch;
  }

  void ingestion(List<ScaleMesh.Ingested> rows) {
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("| collection | documents | ingest s | docs/s | keeps base vectors | Answer p50 ms | Answer p99 ms |");
    out.println("|---|---:|---:|---:|---|---:|---:|");
    for (ScaleMesh.Ingested r : rows) {
      out.printf(Locale.ROOT, "| %s | %,d | %s | %s | %s | %.2f | %.2f |%n", r.collection(), r.documents(),
          r.reused() ? "reused" : String.format(Locale.ROOT, "%.0f", r.seconds()),
          r.reused() ? "-" : String.format(Locale.ROOT, "%.0f", r.docsPerSecond()), r.keepsBaseVectors() ? "yes" : "NO",
          r.answer().p50Ms(), r.answer().p99Ms());
    }
  }

  /** The training rows: the traffic, small and memory runs, in the order they ran. */
  void training(List<TrafficRun.Result> rows) {
    if (rows.isEmpty()) {
      return;
    }
    out.println();
    out.println("| run | documents | state | held-out R@1 untrained → best (final) | gain | R@5 best | MRR@10 best"
        + " | teacher@K R@1 | ceiling | teacher candidates / question | steps | wall-clock s | preparing s"
        + " | pairs/s | trainer peak RSS MB | trainer HWM MB |");
    out.println("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (TrafficRun.Result r : rows) {
      if (r.run() == null) {
        out.printf(Locale.ROOT, "| %s | %,d | NOT STARTED: %s |||||||||||||%n", r.label(), r.documents(),
            r.error().replace('|', '/'));
        continue;
      }
      RunInfo i = r.run();
      Evaluation start = i.getStudentAtStart();
      Evaluation teacher = i.getTeacher();
      double perQuestion = r.candidatesPerQuestion(batch);
      out.printf(Locale.ROOT, "| %s | %,d | %s | %.4f → **%.4f** (%.4f) | %+.1f pt | %.4f | %.4f | %.4f | %.4f | %s"
              + " | %d | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
          r.label(), r.documents(), i.getState(), start.getRAt1(), i.getBest().getRAt1(), i.getLatest().getRAt1(),
          100 * (i.getBest().getRAt1() - start.getRAt1()), i.getBest().getRAt5(), i.getBest().getMrrAt10(),
          teacher.getRAt1(), teacher.getCeiling(),
          perQuestion > 0 ? String.format(Locale.ROOT, "%.1f", perQuestion) : "-", i.getStep(), r.wallSeconds(),
          r.prepareSeconds(), i.getPairsPerSecond(), r.memory().peakRssMb(), r.memory().hwmMb());
    }
    out.println();
    out.println("Settings of each row:");
    for (TrafficRun.Result r : rows) {
      out.printf(Locale.ROOT, "  %s: %s; %,d questions sent through Answer%s%n", r.label(), r.flags(),
          r.questionsSent(), r.run() != null && !r.run().getMessage().isEmpty()
              ? "; run message: " + r.run().getMessage() : "");
    }
  }

  void reprojection(ReprojectProbe.Result r) {
    out.println();
    out.println("| collection | records | Reproject s | back to identity s | serves B after | Answer p50 / p99 ms before"
        + " | Answer p50 / p99 ms during | calls during | errors during | p99 during / before |");
    out.println("|---|---:|---:|---:|---|---|---|---:|---:|---:|");
    if (!r.ok()) {
      out.printf(Locale.ROOT, "| %s | %,d | FAILED: %s ||| %.2f / %.2f |||||%n", r.collection(), r.records(),
          r.error().replace('|', '/'), r.before().p50Ms(), r.before().p99Ms());
      return;
    }
    out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %s | %.2f / %.2f | %.2f / %.2f | %,d | %d | %.2fx |%n",
        r.collection(), r.records(), r.seconds(), r.restoreSeconds(), r.servesB() ? "yes" : "NO", r.before().p50Ms(),
        r.before().p99Ms(), r.during().p50Ms(), r.during().p99Ms(), r.during().count(), r.answerErrors(),
        r.during().p99Ms() / r.before().p99Ms());
  }

  /** The targets, each MET / NOT MET / not measured. */
  void targets(Optional<TrafficRun.Result> traffic, Optional<TrafficRun.Result> small,
      Optional<TrafficRun.Result> memorySmall, Optional<TrafficRun.Result> memoryLarge,
      Optional<ReprojectProbe.Result> reproject) {
    out.println();
    out.println("Targets (baselines from this run):");
    if (traffic.isPresent() && traffic.get().run() != null) {
      RunInfo i = traffic.get().run();
      double gain = i.getBest().getRAt1() - i.getStudentAtStart().getRAt1();
      out.printf(Locale.ROOT, "  traffic, %,d documents: held-out R@1 %.4f → %.4f, %+.1f points over the untrained"
              + " student (target ≥ +%.0f): %s; teacher@K %.4f, ceiling %.4f%n", traffic.get().documents(),
          i.getStudentAtStart().getRAt1(), i.getBest().getRAt1(), 100 * gain, 100 * TARGET_GAIN,
          verdict(gain >= TARGET_GAIN - 1e-9, traffic.get()), i.getTeacher().getRAt1(), i.getTeacher().getCeiling());
    } else {
      out.println("  traffic: not measured");
    }
    if (small.isPresent() && small.get().run() != null) {
      double best = small.get().run().getBest().getRAt1();
      out.printf(Locale.ROOT, "  small, %,d documents: held-out R@1 %.4f (target ≥ %.2f): %s%n",
          small.get().documents(), best, TARGET_SMALL_R1, verdict(best >= TARGET_SMALL_R1, small.get()));
    } else {
      out.println("  small: not measured");
    }
    if (memorySmall.isPresent() && memoryLarge.isPresent() && memorySmall.get().memory().hwmBytes() > 0
        && memoryLarge.get().memory().hwmBytes() > 0) {
      RssSampler.Peak a = memorySmall.get().memory();
      RssSampler.Peak b = memoryLarge.get().memory();
      double hwm = (double) b.hwmBytes() / a.hwmBytes();
      out.printf(Locale.ROOT, "  memory: trainer HWM %.0f MB at %,d documents vs %.0f MB at %,d: %.2fx (target ≤ %.1fx):"
              + " %s; peak sampled RSS %.2fx%n", b.hwmMb(), memoryLarge.get().documents(), a.hwmMb(),
          memorySmall.get().documents(), hwm, TARGET_MEMORY_RATIO,
          verdict(hwm <= TARGET_MEMORY_RATIO, memorySmall.get(), memoryLarge.get()),
          (double) b.peakRssBytes() / a.peakRssBytes());
    } else {
      out.println("  memory: not measured");
    }
    if (reproject.isPresent() && reproject.get().ok() && reproject.get().during().count() > 0) {
      ReprojectProbe.Result r = reproject.get();
      double ratio = r.during().p99Ms() / r.before().p99Ms();
      out.printf(Locale.ROOT, "  reproject, %,d records in %.1f s: Answer p99 %.2f ms during vs %.2f ms before: %.2fx"
              + " (target ≤ %.1fx): %s%s%n", r.records(), r.seconds(), r.during().p99Ms(), r.before().p99Ms(), ratio,
          TARGET_P99_RATIO, ratio <= TARGET_P99_RATIO ? "MET" : "NOT MET",
          r.during().count() < 100 ? " (caution: only " + r.during().count() + " calls during)" : "");
    } else {
      out.println("  reproject: not measured" + reproject.map(r -> " (" + r.error() + ")").orElse(""));
    }
  }

  private static String verdict(boolean met, TrafficRun.Result... runs) {
    String s = met ? "MET" : "NOT MET";
    for (TrafficRun.Result r : runs) {
      if (!r.ok()) {
        s += " (caution: run " + r.label() + " ended " + (r.run() == null ? "unstarted" : r.run().getState()) + ")";
      }
    }
    return s;
  }
}
