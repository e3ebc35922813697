package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.trainer.clients.CollectionState;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.Projection;
import dev.distillmesh.trainer.clients.ScoreKind;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherInfo;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import dev.distillmesh.trainer.run.model.Progress;
import dev.distillmesh.trainer.run.model.Publish;
import dev.distillmesh.trainer.run.model.RunEvent;
import dev.distillmesh.trainer.run.model.RunSpec;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.StateChange;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run, on its own thread: the run's state machine and step loop. It prepares (reads
 * the data into its task's {@link Workspace}, restores a checkpoint or starts from the identity,
 * primes the teacher, measures the untrained student and the teacher on the held-out examples),
 * then steps: a batch from its {@link BatchSource}, the examples its {@link Objective} makes of it,
 * one optimisation step of its {@link Adapters}; every {@code eval_every} steps its {@link
 * Evaluator} measures the student and the {@link Publisher} publishes an improvement. It
 * checkpoints as it goes; a run built from a checkpoint continues where it stopped.
 */
final class Run implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Run.class);
  private static final int CHECKPOINT_EVERY = 20;
  private static final long TRAFFIC_MAX_STEPS = 1000;

  private final String id;
  private final RunDirectory dir;
  private final Hyper hyper;
  private final StudentLink student;
  private final TeacherLink teacher;
  private final IndexLink index;
  private final TrafficFeed.Factory traffic;
  private final RunEvents events = new RunEvents();
  private final RunRecord record;
  private final Publisher publisher;
  private volatile boolean stopRequested;
  private volatile boolean suspended;
  private volatile boolean ended;

  // Set by prepare(), on the run's thread.
  private Workspace workspace;
  private Evaluator evaluator;
  private Objective objective;
  private BatchSource source;
  private Adapters adapters;
  /** The response adapter a run that trains it starts from: the collection's projection. */
  private QueryAdapter startingResponse;

  Run(RunDirectory dir, RunStatus info, StudentLink student, ContextRollout rollout, TrafficFeed.Factory traffic,
      TeacherLink teacher, IndexLink index) {
    this.id = info.runId();
    this.dir = dir;
    this.record = new RunRecord(info);
    this.hyper = Hyper.of(info.spec().objective(), info.spec().hyper());
    this.student = student;
    this.teacher = teacher;
    this.index = index;
    this.traffic = traffic;
    AdapterArchive archive = new AdapterArchive(id, dir.path(),
        () -> record.publishes().stream().map(Publish::version).toList());
    this.publisher = new Publisher(id, info.spec().collection(), record, archive, student, rollout, index,
        this::checkpoint,
        p -> emit(p.step(), p));
    events.replay(info);
  }

  String id() {
    return id;
  }

  RunEvents events() {
    return events;
  }

  RunStatus info() {
    return record.snapshot();
  }

  boolean ended() {
    return ended;
  }

  void requestStop() {
    stopRequested = true;
  }

  /** Stops training for a trainer shutdown: the run checkpoints and keeps its state, so the next trainer resumes it. */
  void suspend() {
    suspended = true;
    stopRequested = true;
  }

  @Override
  public void run() {
    try {
      prepare();
      setState(RunState.RUNNING, "");
      train();
      if (suspended) {
        log.info("run {} suspended at step {}; it resumes when the trainer starts again", id, record.step());
      } else if (stopRequested) {
        setState(RunState.STOPPED, "stopped at step " + record.step());
      } else {
        setState(RunState.COMPLETED, "completed " + record.step() + " steps");
      }
    } catch (Exception | Error e) {
      if (suspended) {
        log.info("run {} suspended while {}: {}", id, record.state(), e.toString());
        return;
      }
      if (stopRequested) { // e.g. stopped while it waited for the teacher
        setState(RunState.STOPPED, "stopped at step " + record.step() + " (" + e.getMessage() + ")");
        return;
      }
      log.error("run {} failed", id, e);
      setState(RunState.FAILED, e instanceof DomainException ? e.getMessage() : e.toString());
    } finally {
      try {
        checkpoint();
      } catch (IOException e) {
        log.error("run {}: final checkpoint failed", id, e);
      }
      if (source != null) {
        source.close();
      }
      ended = true;
      events.end();
    }
  }

  private void prepare() throws Exception {
    setState(RunState.PREPARING, "reading data and encoding");
    RunSpec spec = record.spec();
    // A teacher restarting as the run starts is waited for, as it is while the run trains.
    TeacherInfo info = TeacherOracle.untilAnswered(id, attempt -> teacher.info(), () -> stopRequested,
        record::setMessage);
    ScoreKind kind = info.gives(ScoreKind.RELEVANCE) ? ScoreKind.RELEVANCE
        : info.gives(ScoreKind.LOG_LIKELIHOOD) ? ScoreKind.LOG_LIKELIHOOD : null;
    if (kind == null) {
      throw DomainException.precondition("the teacher (" + info.backend() + ") gives " + info.kinds()
          + "; a run needs RELEVANCE or LOG_LIKELIHOOD");
    }
    if (hyper.generatedPerContext() > 0 && !info.canGenerate()) {
      throw DomainException.precondition("hyper.generated_per_context is " + hyper.generatedPerContext()
          + " but the teacher (" + info.backend() + " backend) cannot generate; start the teacher with"
          + " --backend triton and a generator model, or set generated_per_context to 0");
    }
    TeacherOracle oracle = new TeacherOracle(id, (context, candidates) -> teacher.score(kind, context, candidates),
        () -> stopRequested, record::setMessage);
    CollectionState collection = index.collection(spec.collection());
    if (spec.isDialogue()) {
      Projection projection = index.projection(spec.collection());
      if (spec.trainResponseAdapter()) {
        checkReprojectable(collection);
        startingResponse = QueryAdapter.of(projection.dimension(), DialogueWorkspace.toDoubles(projection.values()));
      }
      DialogueWorkspace d = DialogueWorkspace.prepare(spec, hyper, student, projection, record::setMessage);
      ResponseGenerator generator = new ResponseGenerator(id, spec.collection(), hyper, d, teacher, student,
          record::addGeneratedResponses);
      workspace = d;
      evaluator = new DialogueEvaluator(d, oracle, spec.trainResponseAdapter() ? null
          : new CollectionRetrieval(index, spec.collection(), 0, hyper.seed(), record::setMessage));
      objective = new DialogueG2rObjective(d, oracle, generator, hyper, () -> adapters.response());
    } else {
      if (!spec.passages().isEmpty()) {
        log.info("run {}: spec.passages ({}) is not read: a QA run's candidates come from collection {}", id,
            spec.passages(), spec.collection());
      }
      Retrieval retrieval = new CollectionRetrieval(index, spec.collection(), hyper.efSearch(), hyper.seed(),
          record::setMessage);
      QaWorkspace qa = QaWorkspace.prepare(spec, hyper, student, collection, retrieval);
      QaCandidates candidates = new QaCandidates(qa, hyper);
      workspace = qa;
      evaluator = new QaEvaluator(qa, oracle, hyper.candidates());
      objective = switch (spec.objective()) {
        case TOPK -> new TopKObjective(candidates, oracle, hyper, () -> adapters.context());
        case G2R -> new G2rObjective(candidates, oracle, hyper, () -> adapters.context());
        case RDR -> new RdrObjective(candidates, oracle, hyper, () -> adapters.context());
        case RELATIONAL -> new RelationalObjective(candidates, oracle, hyper, () -> adapters.context());
      };
    }
    restoreOrStart(spec);
    if (!workspace.primeTexts().isEmpty()) {
      record.setMessage("the teacher is reading the " + workspace.primeTexts().size() + " "
          + workspace.primeDescription());
      oracle.prime(workspace.primeTexts());
      record.setMessage("");
    }
    if (!record.measuredAtStart()) {
      Evaluation s = evaluator.student(QueryAdapter.identity(workspace.dim()), startingResponse, 0);
      Evaluation t = evaluator.teacher();
      record.setStart(s, t);
      emit(0, s);
      emit(0, t);
      log.info("run {}: held-out {} student {} teacher {} ({} examples)", id, evaluator.headline(), s.rAt1(),
          t.rAt1(), s.questions());
      checkpoint();
    }
  }

  private void restoreOrStart(RunSpec spec) throws Exception {
    int dim = workspace.dim();
    boolean trainsResponse = spec.trainsResponse();
    Checkpoint saved = dir.readCheckpoint();
    long position = 0;
    if (saved != null) {
      if (saved.dim() != dim) {
        throw DomainException.precondition("the checkpoint is for dimension " + saved.dim()
            + " but the student encodes " + dim + "; start a new run");
      }
      adapters = Adapters.restore(saved, hyper.learningRate(), trainsResponse);
      position = saved.position();
      publisher.restore(new Publisher.Pending(saved.pendingVersion(), saved.pendingStep(),
          saved.response() == null ? 0 : saved.response().pendingVersion()));
      record.resumeFrom(saved.info());
      log.info("run {} resumes at step {}", id, saved.step());
    } else {
      adapters = Adapters.start(dim, hyper.learningRate(), trainsResponse ? startingResponse : null);
    }
    boolean traffic = spec.source() == RunSpec.Source.TRAFFIC;
    source = traffic
        ? new TrafficSource(this.traffic.open(id, spec.collection()), student, spec.collection(), hyper.batchSize(),
            dir.trafficJournal(), position, record::setMessage)
        : new LabelledSource(workspace, hyper.batchSize(), hyper.seed(), position);
    if (saved != null) {
      publisher.confirmPending(dim);
    }
    record.setMaxSteps(hyper.maxSteps() > 0 ? hyper.maxSteps() : traffic
        ? TRAFFIC_MAX_STEPS : (long) Math.ceil((double) workspace.trainSize() * hyper.epochs() / hyper.batchSize()));
  }

  private void train() throws Exception {
    long max = record.maxSteps();
    ProgressMeter meter = new ProgressMeter();
    while (record.step() < max && !stopRequested) {
      Batch batch = source.next();
      if (batch == null) { // waiting for traffic
        continue;
      }
      List<Example> examples = objective.examples(batch, record.step());
      // What a trained response adapter's gradient folds onto: the response set as it is after this
      // batch (it grows as the teacher generates).
      float[][] responses = workspace instanceof DialogueWorkspace d ? d.pool() : null;
      Adapters.StepLoss loss = adapters.step(examples, hyper.identityWeight(), responses);
      long step = record.advance();
      Progress p = meter.add(loss, step == max, source.taken(), source.dropped());
      if (p != null) {
        record.setRates(p.pairsPerSecond(), p.stepsPerSecond());
        emit(step, p);
      }
      if (step % hyper.evalEvery() == 0 || step == max) {
        evaluateAndPublish(step);
        checkpoint();
      } else if (step % CHECKPOINT_EVERY == 0) {
        checkpoint();
      }
    }
    long step = record.step();
    // A trainer shutting down only checkpoints (the run goes on when it restarts); a run that ends
    // here evaluates its last step, and publishes it if it is the best.
    Evaluation latest = record.latest();
    if (!suspended && step > 0 && (latest == null || latest.step() != step)) {
      evaluateAndPublish(step);
    }
  }

  private void evaluateAndPublish(long step) throws Exception {
    keepPublishable(step);
    Evaluation e = evaluator.student(adapters.context(), adapters.response(), step);
    double toBeat = record.evaluated(e);
    emit(step, e);
    if (e.rAt1() > toBeat) {
      publisher.publish(adapters, step, e.rAt1(), "improved");
    }
  }

  /**
   * Moves an adapter whose symmetric part fell below the serving side's margin back inside it (a
   * projection step), so what is evaluated is what can be published. Without it a run can train
   * into a matrix the student refuses, and fail at that publish.
   */
  private void keepPublishable(long step) {
    double c = adapters.context().shiftIntoRules();
    if (c > 0) {
      log.info("run {} step {}: the context adapter's symmetric part fell below the student's margin; added {}*I,"
          + " which restores it", id, step, String.format(Locale.ROOT, "%.4g", c));
    }
    if (adapters.response() != null) {
      double r = adapters.response().shiftIntoRules();
      if (r > 0) {
        log.info("run {} step {}: the response adapter's symmetric part fell below the index's margin; added {}*I",
            id, step, String.format(Locale.ROOT, "%.4g", r));
      }
    }
  }

  /**
   * Fails early, before any training, when the collection a run would re-project cannot be: a run
   * should not find out at its first publish.
   */
  private static void checkReprojectable(CollectionState c) {
    if (!c.keepsBaseVectors()) {
      throw DomainException.precondition("collection " + c.name() + " keeps no base vectors, so its response adapter"
          + " cannot change (spec.train_response_adapter); ingest the responses through the student into a new"
          + " collection (it keeps them), or train the context adapter only");
    }
    if (c.liveCount() == 0) {
      throw DomainException.precondition("collection " + c.name() + " holds no records to re-project; ingest the"
          + " response set first (scripts/student-cli.sh ingest " + c.name() + " FILE)");
    }
  }

  /**
   * Publishes the adapter this run published as {@code toVersion} again, as a new version (0: the
   * identity). Only for a run that is not training.
   */
  void rollback(long toVersion) throws Exception {
    Publish p = publisher.rollback(toVersion, record.spec().trainsResponse());
    dir.writeRecord(record.snapshot());
    emit(p.step(), p);
  }

  void checkpoint() throws IOException {
    RunStatus snapshot = record.snapshot();
    if (adapters == null || source == null) { // failed before the model existed: keep the record only
      dir.writeRecord(snapshot);
      return;
    }
    dir.writeCheckpoint(adapters.checkpoint(snapshot, source.position(), publisher.pending()));
    source.checkpointed();
  }

  private void setState(RunState state, String message) {
    record.setState(state, message);
    emit(record.step(), new StateChange(state, message));
  }

  private void emit(long step, RunEvent.Payload payload) {
    events.add(new RunEvent(id, step, System.currentTimeMillis(), payload));
  }
}
