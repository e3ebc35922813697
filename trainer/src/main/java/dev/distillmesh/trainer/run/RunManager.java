package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.Durable;
import dev.distillmesh.common.telemetry.RequestIds;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Progress;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunSpec;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.data.DialogueData;
import dev.distillmesh.trainer.data.QaData;
import io.grpc.stub.StreamObserver;
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
  static final String RECORD = "run.pb";

  private final Path root;
  private final StudentLink student;
  private final TeacherLink teacher;
  private final IndexLink index;
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private final Map<String, Thread> threads = new LinkedHashMap<>();

  private RunManager(Path root, StudentLink student, TeacherLink teacher, IndexLink index) {
    this.root = root;
    this.student = student;
    this.teacher = teacher;
    this.index = index;
  }

  /** Opens the runs directory and resumes interrupted runs. */
  public static RunManager open(Path root, StudentLink student, TeacherLink teacher, IndexLink index)
      throws IOException {
    Files.createDirectories(root);
    RunManager m = new RunManager(root, student, teacher, index);
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).filter(d -> Files.exists(d.resolve(RECORD))).sorted().toList();
    }
    for (Path dir : dirs) {
      RunInfo info = RunInfo.parseFrom(Files.readAllBytes(dir.resolve(RECORD)));
      boolean interrupted = info.getState() == RunState.PREPARING || info.getState() == RunState.RUNNING;
      if (interrupted) {
        info = info.toBuilder().setResumed(info.getResumed() + 1).build();
      }
      Run run = new Run(info.getRunId(), dir, info, student, teacher, index);
      m.runs.put(info.getRunId(), run);
      if (interrupted) {
        log.info("resuming run {} from its last checkpoint (step {})", info.getRunId(), info.getStep());
        m.launch(run);
      }
    }
    return m;
  }

  /** Validates the spec (reading its files), then starts the run. */
  public synchronized RunInfo start(RunSpec spec) throws IOException {
    validate(spec);
    Run active = active();
    if (active != null) {
      throw DomainException.precondition("run " + active.id() + " is training; one run trains at a time (they would"
          + " publish to the same student). Stop it first (StopRun)");
    }
    String id = "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + HexFormat.of().formatHex(SecureRandom.getSeed(2));
    Path dir = Files.createDirectories(root.resolve(id));
    RunInfo info = RunInfo.newBuilder().setRunId(id).setSpec(spec).setState(RunState.PREPARING)
        .setStartedAtUnixMs(System.currentTimeMillis()).build();
    writeRecord(dir, info);
    Run run = new Run(id, dir, info, student, teacher, index);
    runs.put(id, run);
    launch(run);
    return run.info();
  }

  private static void validate(RunSpec spec) {
    boolean dialogue = spec.getTask() == Task.DIALOGUE;
    if (spec.getTask() == Task.UNRECOGNIZED) {
      throw DomainException.invalid("spec.task is not one of QA or DIALOGUE");
    }
    if (spec.getCollection().isEmpty()) {
      throw DomainException.invalid("spec.collection is empty; name the student-service collection that serves the "
          + (dialogue ? "responses" : "passages"));
    }
    if (dialogue) {
      validateDialogue(spec);
      return;
    }
    if (spec.getTrainResponseAdapter()) {
      throw DomainException.invalid("spec.train_response_adapter is for DIALOGUE runs; a QA run trains the context"
          + " adapter only");
    }
    if (spec.getHyper().getGeneratedPerContext() > 0) {
      throw DomainException.invalid("hyper.generated_per_context is for DIALOGUE runs (data-level G2R)");
    }
    if (spec.getPassages().isEmpty() || spec.getQuestions().isEmpty()) {
      throw DomainException.invalid("spec.passages and spec.questions are required (JSONL paths on the trainer's machine)");
    }
    if (spec.getSource() == Source.SOURCE_UNSPECIFIED || spec.getSource() == Source.UNRECOGNIZED) {
      throw DomainException.invalid("spec.source is unset; choose LABELLED or TRAFFIC");
    }
    if (spec.getObjective() == Objective.OBJECTIVE_UNSPECIFIED || spec.getObjective() == Objective.UNRECOGNIZED) {
      throw DomainException.invalid("spec.objective is unset; choose TOPK, G2R, RDR or RELATIONAL");
    }
    if (spec.getHoldout().isEmpty()) {
      throw DomainException.invalid("spec.holdout is empty; write articles:A-B (SQuAD ids) or fraction:F");
    }
    Hyper.of(spec.getObjective(), spec.getHyper());
    QaData.load(Path.of(spec.getPassages()), Path.of(spec.getQuestions()), spec.getHoldout(), 1);
  }

  /** What a DIALOGUE run supports: labelled pairs and the G2R objective. */
  private static void validateDialogue(RunSpec spec) {
    if (spec.getDialogues().isEmpty() || spec.getDialogueEval().isEmpty()) {
      throw DomainException.invalid("spec.dialogues and spec.dialogue_eval are required for a DIALOGUE run (JSONL"
          + " paths on the trainer's machine)");
    }
    if (spec.getSource() != Source.LABELLED) {
      throw DomainException.invalid("a DIALOGUE run learns from LABELLED pairs (spec.dialogues); TRAFFIC is for QA"
          + " runs");
    }
    if (spec.getObjective() != Objective.G2R) {
      throw DomainException.invalid("a DIALOGUE run uses the G2R objective (alpha * CE + (1 - alpha) * KD over the"
          + " batch's responses and shared random negatives); got " + spec.getObjective());
    }
    Hyper.of(spec.getObjective(), spec.getHyper());
    DialogueData.load(Path.of(spec.getDialogues()), Path.of(spec.getDialogueEval()), spec.getTrainLimit(),
        spec.getHoldout(), 1);
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
      RunState state = r.info().getState();
      boolean training = state == RunState.PREPARING || state == RunState.RUNNING;
      if (training && !r.ended() && threads.containsKey(r.id()) && threads.get(r.id()).isAlive()) {
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
  public record Training(RunInfo info, Progress progress) {}

  /** The run training now, or null. */
  public synchronized Training training() {
    Run r = active();
    return r == null ? null : new Training(r.info(), r.events().lastProgress());
  }

  public RunInfo get(String id) {
    return run(id).info();
  }

  public synchronized List<RunInfo> list() {
    List<RunInfo> out = new ArrayList<>();
    for (Run r : runs.values()) {
      out.add(r.info());
    }
    out.sort(Comparator.comparing(RunInfo::getRunId));
    return out;
  }

  public RunInfo stop(String id) {
    Run r = run(id);
    if (r.ended() || !threads.containsKey(id)) {
      throw DomainException.precondition("run " + id + " is not training (it is " + r.info().getState() + ")");
    }
    r.requestStop();
    return r.info();
  }

  public void watch(String id, StreamObserver<RunEvent> watcher) {
    run(id).events().watch(watcher);
  }

  public void unwatch(String id, StreamObserver<RunEvent> watcher) {
    run(id).events().unwatch(watcher);
  }

  public synchronized RunInfo rollback(String id, long toVersion) throws Exception {
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

  static void writeRecord(Path dir, RunInfo info) throws IOException {
    Durable.writeAtomically(dir.resolve(RECORD), info.toByteArray());
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
