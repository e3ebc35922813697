package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.telemetry.RequestIds;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.data.DialogueData;
import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.run.model.Progress;
import dev.distillmesh.trainer.run.model.RunSpec;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.RunStatusCodec;
import dev.distillmesh.trainer.run.model.RunWatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's runs: each in its own directory under the runs directory ({@code run.pb}, the
 * run's record; {@code checkpoint.bin}; {@code published/}). At start it lists them and resumes
 * the ones that were preparing or running when the trainer stopped. One run trains at a time.
 * Thread-safe.
 */
public final class RunManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunManager.class);
  private final Path root;
  private final RunStatusCodec codec;
  private final StudentLink student;
  private final ContextRollout rollout;
  private final TrafficFeed.Factory traffic;
  private final TeacherLink teacher;
  private final IndexLink index;
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final Map<String, Thread> threads = new LinkedHashMap<>();

  private RunManager(Path root, RunStatusCodec codec, StudentLink student, ContextRollout rollout,
      TrafficFeed.Factory traffic, TeacherLink teacher, IndexLink index) {
    this.rollout = rollout;
    this.traffic = traffic;
    this.root = root;
    this.codec = codec;
    this.student = student;
    this.teacher = teacher;
    this.index = index;
  }

  /**
   * Opens the runs directory and resumes interrupted runs.
   *
   * @param codec how run records are kept on disk
   */
  public static RunManager open(Path root, RunStatusCodec codec, StudentLink student, ContextRollout rollout,
      TrafficFeed.Factory traffic, TeacherLink teacher, IndexLink index) throws IOException {
    Files.createDirectories(root);
    RunManager m = new RunManager(root, codec, student, rollout, traffic, teacher, index);
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(RunDirectory::holdsRun).sorted().toList();
    }
    for (Path path : dirs) {
      RunDirectory dir = new RunDirectory(path, codec);
      RunStatus info = dir.readRecord();
      boolean interrupted = info.state().training();
      if (interrupted) {
        info = new RunStatus(info.runId(), info.spec(), info.state(), info.step(), info.maxSteps(),
            info.studentAtStart(), info.teacher(), info.latest(), info.best(), info.publishes(), info.message(),
            info.startedAtUnixMs(), info.pairsPerSecond(), info.stepsPerSecond(), info.resumed() + 1,
            info.generatedResponses());
      }
      Run run = new Run(dir, info, student, rollout, traffic, teacher, index);
      m.runs.put(info.runId(), run);
      if (interrupted) {
        log.info("resuming run {} from its last checkpoint (step {})", info.runId(), info.step());
        m.launch(run);
      }
    }
    return m;
  }

  /** Validates the spec (reading its files), then starts the run. */
  public synchronized RunStatus start(RunSpec spec) throws IOException {
    validate(spec);
    Run active = active();
    if (active != null) {
      throw DomainException.precondition("run " + active.id() + " is training; one run trains at a time (they would"
          + " publish to the same student). Stop it first (StopRun)");
    }
    String id = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + HexFormat.of().formatHex(SecureRandom.getSeed(2));
    RunDirectory dir = new RunDirectory(Files.createDirectories(root.resolve(id)), codec);
    RunStatus info = new RunStatus(id, spec, RunState.PREPARING, 0, 0, null, null, null, null, List.of(), "",
        System.currentTimeMillis(), 0, 0, 0, 0);
    dir.writeRecord(info);
    Run run = new Run(dir, info, student, rollout, traffic, teacher, index);
    runs.put(id, run);
    launch(run);
    return run.info();
  }

  /** Checks the spec and reads its files; the messages name the field and what is allowed. */
  private static void validate(RunSpec spec) {
    boolean dialogue = spec.isDialogue();
    if (spec.collection().isEmpty()) {
      throw DomainException.invalid("spec.collection is empty; name the student-service collection that serves the "
          + (dialogue ? "responses" : "passages"));
    }
    if (dialogue) {
      validateDialogue(spec);
      return;
    }
    if (spec.trainResponseAdapter()) {
      throw DomainException.invalid("spec.train_response_adapter is for DIALOGUE runs; a QA run trains the context"
          + " adapter only");
    }
    if (spec.hyper().generatedPerContext() > 0) {
      throw DomainException.invalid("hyper.generated_per_context is for DIALOGUE runs (data-level G2R)");
    }
    if (spec.questions().isEmpty()) {
      throw DomainException.invalid("spec.questions is required (a JSONL path on the trainer's machine); the passages"
          + " are the collection's");
    }
    if (spec.source() == null) {
      throw DomainException.invalid("spec.source is unset; choose LABELLED or TRAFFIC");
    }
    if (spec.objective() == null) {
      throw DomainException.invalid("spec.objective is unset; choose TOPK, G2R, RDR or RELATIONAL");
    }
    if (spec.holdout().isEmpty()) {
      throw DomainException.invalid("spec.holdout is empty; write articles:A-B (SQuAD ids) or fraction:F");
    }
    Hyper.of(spec.objective(), spec.hyper());
    QaData.load(Path.of(spec.questions()), spec.holdout(), 1);
  }

  /** What a DIALOGUE run supports: labelled pairs and the G2R objective. */
  private static void validateDialogue(RunSpec spec) {
    if (spec.dialogues().isEmpty() || spec.dialogueEval().isEmpty()) {
      throw DomainException.invalid("spec.dialogues and spec.dialogue_eval are required for a DIALOGUE run (JSONL"
          + " paths on the trainer's machine)");
    }
    if (spec.source() != RunSpec.Source.LABELLED) {
      throw DomainException.invalid("a DIALOGUE run learns from LABELLED pairs (spec.dialogues); TRAFFIC is for QA"
          + " runs");
    }
    if (spec.objective() != RunSpec.ObjectiveKind.G2R) {
      throw DomainException.invalid("a DIALOGUE run uses the G2R objective (alpha * CE + (1 - alpha) * KD over the"
          + " batch's responses and shared random negatives); got " + (spec.objective() == null
          ? "OBJECTIVE_UNSPECIFIED" : spec.objective()));
    }
    Hyper.of(spec.objective(), spec.hyper());
    DialogueData.load(Path.of(spec.dialogues()), Path.of(spec.dialogueEval()), spec.trainLimit(), spec.holdout(), 1);
  }

  private void launch(Run run) {
    // Every call the run makes carries its id as the request id, so the services' logs can be
    // searched for one run.
    Thread t = new Thread(RequestIds.attach(run.id(), run), "trainer-" + run.id());
    t.setDaemon(true);
    threads.put(run.id(), t);
    t.start();
  }

  /**
   * The run that is training, or null. A run whose state says it has ended no longer counts, even
   * while its thread writes its last checkpoint: it publishes nothing more.
   */
  private Run active() {
    for (Run r : runs.values()) {
if (r.info().state().training() && !r.ended() && threads.containsKey(r.id()) && threads.get(r.id()).isAlive()) {
        return r;
      }
    }
    return null;
  }

  private Run run(String id) {
    Run r;
    synchronized (this) {
      r = runs.get(id);
    }
    if (r == null) {
      throw DomainException.notFound("no run " + id + " (ListRuns shows the runs there are)");
    }
    return r;
  }

  /**
   * The run that is training: its record and its latest progress report ({@code progress} is null
   * before the first).
   */
  public record Training(RunStatus info, Progress progress) {}

  /** The run training now, or null. */
  public synchronized Training training() {
    Run r = active();
    return r == null ? null : new Training(r.info(), r.events().lastProgress());
  }

  public RunStatus get(String id) {
    return run(id).info();
  }

  public synchronized List<RunStatus> list() {
    List<RunStatus> out = new ArrayList<>();
    for (Run r : runs.values()) {
      out.add(r.info());
    }
    out.sort(Comparator.comparing(RunStatus::runId));
    return out;
  }

  public RunStatus stop(String id) {
    Run r = run(id);
    if (r.ended() || !threads.containsKey(id)) {
      throw DomainException.precondition("run " + id + " is not training (it is " + r.info().state() + ")");
    }
    r.requestStop();
    return r.info();
  }

  /** Sends {@code watcher} the run's events so far, then each new one, then the end. */
  public void watch(String id, RunWatcher watcher) {
    run(id).events().watch(watcher);
  }

  public void unwatch(String id, RunWatcher watcher) {
    run(id).events().unwatch(watcher);
  }

  public synchronized RunStatus rollback(String id, long toVersion) throws Exception {
    Run r = run(id);
    if (active() == r) {
      throw DomainException.precondition("run " + id + " is training; stop it before rolling back");
    }
    if (toVersion < 0) {
      throw DomainException.invalid("to_version must be 0 (the identity) or one of the run's published versions, got "
          + toVersion);
    }
    r.rollback(toVersion);
    return r.info();
  }

  /** Waits for the run's thread (tests and shutdown). */
  public void await(String id, long millis) throws InterruptedException {
    Thread t;
    synchronized (this) {
      t = threads.get(id);
    }
    if (t != null) {
      t.join(millis);
    }
  }

  /** Suspends the training run (it checkpoints, and resumes when a trainer starts again) and waits. */
  @Override
  public void close() {
    List<Thread> running;
    synchronized (this) {
      runs.values().forEach(Run::suspend);
      running = new ArrayList<>(threads.values());
    }
    for (Thread t : running) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
