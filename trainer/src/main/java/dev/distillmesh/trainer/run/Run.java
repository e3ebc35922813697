package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.proto.student.v1.TrafficItem;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.trainer.v1.Evaluation;
import dev.distillmesh.proto.trainer.v1.Objective;
import dev.distillmesh.proto.trainer.v1.Progress;
import dev.distillmesh.proto.trainer.v1.Publish;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.RunState;
import dev.distillmesh.proto.trainer.v1.Source;
import dev.distillmesh.proto.trainer.v1.StateChange;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.data.QaData;
import dev.distillmesh.trainer.learn.Adam;
import dev.distillmesh.trainer.learn.Distributions;
import dev.distillmesh.trainer.learn.ListwiseLoss;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run, on its own thread: prepare (read the data, get base embeddings from the
 * student, measure the untrained student and the teacher on the held-out questions), then train
 * step by step, evaluating every {@code eval_every} steps, publishing each improvement to the
 * student, checkpointing as it goes. A run built from a checkpoint continues where it stopped.
 *
 * <p>Each step takes a batch of questions, builds every question's candidates and teacher
 * distribution for the objective, and adds the {@link ListwiseLoss} gradients; Adam then updates
 * the query adapter, pulled toward the identity.
 */
final class Run implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Run.class);
  private static final int CHECKPOINT_EVERY = 20;
  private static final int PROGRESS_EVERY = 5;
  private static final int TEACHER_ROW_CACHE = 4096;
  private static final int TEACHER_RETRIES = 5;
  private static final int PRIME_SLICE = 128;

  private final String id;
  private final Path dir;
  private final Hyper hyper;
  private final StudentLink student;
  private final TeacherLink teacher;
  private final RunEvents events;
  private final Object lock = new Object();
  private RunInfo.Builder info;
  private volatile boolean stopRequested;
  private volatile boolean suspended;
  private volatile boolean ended;

  private QaData data;
  private float[][] pool;
  private float[][] heldOut;
  private float[][] train;
  private ScoreKind kind;
  private QueryAdapter adapter;
  private Adam adam;
  private long position;
  private long pendingVersion;
  private long pendingStep;
  private long trafficTaken;
  private long trafficDropped;
  private final ArrayDeque<String> trafficQueue = new ArrayDeque<>();
  private int[] epochOrder;
  private long epochOfOrder = -1;
  private final Map<String, float[]> teacherRows = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
      return size() > TEACHER_ROW_CACHE;
    }
  };

  Run(String id, Path dir, RunInfo info, StudentLink student, TeacherLink teacher) {
    this.id = id;
    this.dir = dir;
    this.info = info.toBuilder();
    this.hyper = Hyper.of(info.getSpec().getObjective(), info.getSpec().getHyper());
    this.student = student;
    this.teacher = teacher;
    this.events = new RunEvents();
    replayHistory(info);
  }

  String id() {
    return id;
  }

  RunEvents events() {
    return events;
  }

  RunInfo info() {
    synchronized (lock) {
      return info.build();
    }
  }

  boolean ended() {
    return ended;
  }

  void requestStop() {
    stopRequested = true;
  }

  /**
   * Stops training for a trainer shutdown: the run checkpoints and keeps its state, so the next
   * trainer resumes it.
   */
  void suspend() {
    suspended = true;
    stopRequested = true;
  }

  /** Events a watcher of a resumed run sees first: what the record already holds. */
  private void replayHistory(RunInfo record) {
    if (record.hasStudentAtStart()) {
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(record.getStudentAtStart()));
    }
    if (record.hasTeacher()) {
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(record.getTeacher()));
    }
    for (Publish p : record.getPublishesList()) {
      emit(RunEvent.newBuilder().setStep(p.getStep()).setPublish(p));
    }
  }

  @Override
  public void run() {
    try {
      prepare();
      setState(RunState.RUNNING, "");
      train();
      if (suspended) {
        log.info("run {} suspended at step {}; it resumes when the trainer starts again", id, info().getStep());
      } else if (stopRequested) {
        setState(RunState.STOPPED, "stopped at step " + info().getStep());
      } else {
        setState(RunState.COMPLETED, "completed " + info().getStep() + " steps");
      }
    } catch (Exception | Error e) {
      if (suspended) {
        log.info("run {} suspended while {}: {}", id, info().getState(), e.toString());
        return;
      }
      String message = e instanceof DomainException ? e.getMessage() : e.toString();
      log.error("run {} failed", id, e);
      setState(RunState.FAILED, message);
    } finally {
      try {
        checkpoint();
      } catch (IOException e) {
        log.error("run {}: final checkpoint failed", id, e);
      }
      ended = true;
      events.end();
    }
  }

  private void prepare() throws Exception {
    setState(RunState.PREPARING, "reading data and encoding");
    var spec = info().getSpec();
    data = QaData.load(Path.of(spec.getPassages()), Path.of(spec.getQuestions()), spec.getHoldout(), hyper.seed());
    InfoResponse teacherInfo = teacher.info();
    kind = teacherInfo.getKindsList().contains(ScoreKind.RELEVANCE) ? ScoreKind.RELEVANCE
        : teacherInfo.getKindsList().contains(ScoreKind.LOG_LIKELIHOOD) ? ScoreKind.LOG_LIKELIHOOD : null;
    if (kind == null) {
      throw DomainException.precondition("the teacher (" + teacherInfo.getBackend() + ") gives " + teacherInfo.getKindsList()
          + "; a QA run needs RELEVANCE or LOG_LIKELIHOOD");
    }
    // The passages as the index serves them (response adapter applied), the questions before the
    // context adapter: the one this run trains.
    pool = student.encode(data.passageTexts(), Tower.TOWER_RESPONSE, false);
    heldOut = student.encode(data.heldOut().stream().map(QaData.Question::text).toList(), Tower.TOWER_CONTEXT, true);
    if (spec.getSource() == Source.LABELLED) {
      train = student.encode(data.train().stream().map(QaData.Question::text).toList(), Tower.TOWER_CONTEXT, true);
      if (train.length == 0) {
        throw DomainException.invalid("every question of " + spec.getQuestions() + " is held out; nothing to train on");
      }
    }
    int dim = pool[0].length;
    Checkpoint saved = Checkpoint.read(dir);
    if (saved != null) {
      if (saved.dim() != dim) {
        throw DomainException.precondition("the checkpoint is for dimension " + saved.dim() + " but the student encodes "
            + dim + "; start a new run");
      }
      adapter = QueryAdapter.of(dim, saved.adapter());
      adam = new Adam(hyper.learningRate(), saved.m(), saved.v(), saved.adamSteps());
      position = saved.position();
      pendingVersion = saved.pendingVersion();
      pendingStep = saved.pendingStep();
      synchronized (lock) {
        info = saved.info().toBuilder().setResumed(info.getResumed()).setState(RunState.PREPARING);
      }
      log.info("run {} resumes at step {}", id, saved.step());
      confirmPendingPublish();
    } else {
      adapter = QueryAdapter.identity(dim);
      adam = new Adam(dim * dim, hyper.learningRate());
    }
    synchronized (lock) {
      info.setMaxSteps(maxSteps());
    }
    primeTeacher();
    if (!info().hasStudentAtStart()) {
      Evaluation s = evaluate(QueryAdapter.identity(dim), 0);
      Evaluation t = evaluateTeacher();
      synchronized (lock) {
        info.setStudentAtStart(s).setTeacher(t);
      }
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(s));
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(t));
      log.info("run {}: held-out R@1 student {} teacher {} ({} questions)", id, s.getRAt1(), t.getRAt1(), s.getQuestions());
      checkpoint();
    }
  }

  private long maxSteps() {
    if (hyper.maxSteps() > 0) {
      return hyper.maxSteps();
    }
    if (info().getSpec().getSource() == Source.TRAFFIC) {
      return 1000;
    }
    return (long) Math.ceil((double) train.length * hyper.epochs() / hyper.batchSize());
  }

  private void train() throws Exception {
    long max = info().getMaxSteps();
    long intervalStart = System.nanoTime();
    long intervalPairs = 0;
    int intervalSteps = 0;
    double lossSum = 0;
    double kdSum = 0;
    double ceSum = 0;
    double idSum = 0;
    while (info().getStep() < max && !stopRequested) {
      List<Example> batch = nextBatch();
      if (batch == null) { // waiting for traffic
        continue;
      }
      double[] grad = new double[adapter.values().length];
      double kd = 0;
      double ce = 0;
      long pairs = 0;
      for (Example ex : batch) {
        ListwiseLoss.Terms t = ListwiseLoss.accumulate(adapter, ex.query, candidates(ex.candidates), ex.teacher,
            ex.gold, ex.scale, ex.wKd, ex.wCe, grad);
        kd += t.kd();
        ce += t.ce();
        pairs += ex.candidates.length;
      }
      for (int i = 0; i < grad.length; i++) {
        grad[i] /= batch.size();
      }
      double identity = adapter.identityPull(hyper.identityWeight(), grad);
      adam.step(adapter.values(), grad);
      long step;
      synchronized (lock) {
        step = info.getStep() + 1;
        info.setStep(step);
      }
      intervalSteps++;
      intervalPairs += pairs;
      kdSum += kd / batch.size();
      ceSum += ce / batch.size();
      idSum += identity;
      lossSum += (kd + ce) / batch.size() + identity;
      if (intervalSteps == PROGRESS_EVERY || step == max) {
        double seconds = (System.nanoTime() - intervalStart) / 1e9;
        Progress p = Progress.newBuilder().setLoss(lossSum / intervalSteps)
            .putTerms("kd", kdSum / intervalSteps).putTerms("ce", ceSum / intervalSteps)
            .putTerms("identity", idSum / intervalSteps)
            .setPairsPerSecond(intervalPairs / seconds).setStepsPerSecond(intervalSteps / seconds)
            .setTrafficTaken(trafficTaken).setTrafficDropped(trafficDropped).build();
        synchronized (lock) {
          info.setPairsPerSecond(p.getPairsPerSecond()).setStepsPerSecond(p.getStepsPerSecond());
        }
        emit(RunEvent.newBuilder().setStep(step).setProgress(p));
        intervalStart = System.nanoTime();
        intervalPairs = 0;
        intervalSteps = 0;
        lossSum = kdSum = ceSum = idSum = 0;
      }
      if (step % hyper.evalEvery() == 0 || step == max) {
        evaluateAndPublish(step);
        checkpoint();
      } else if (step % CHECKPOINT_EVERY == 0) {
        checkpoint();
      }
    }
    long step = info().getStep();
    // A trainer shutting down only checkpoints (the run goes on when it restarts); a run that ends
    // here evaluates its last step, and publishes it if it is the best.
    if (!suspended && step > 0 && (!info().hasLatest() || info().getLatest().getStep() != step)) {
      evaluateAndPublish(step);
    }
  }

  /** One question's part of a step. */
  private record Example(float[] query, int[] candidates, double[] teacher, int gold, double scale, double wKd,
      double wCe) {}

  private float[][] candidates(int[] indices) {
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = pool[indices[i]];
    }
    return out;
  }

  /** The next batch for the objective, or null when TRAFFIC has nothing yet (after a short wait). */
  private List<Example> nextBatch() throws Exception {
    List<String> texts = new ArrayList<>();
    List<float[]> queries = new ArrayList<>();
    List<Integer> golds = new ArrayList<>();
    if (info().getSpec().getSource() == Source.LABELLED) {
      int n = train.length;
      for (int b = 0; b < hyper.batchSize(); b++) {
        long epoch = position / n;
        if (epochOrder == null || epochOfOrder != epoch) {
          epochOrder = order(n, hyper.seed() + epoch);
          epochOfOrder = epoch;
        }
        int i = epochOrder[(int) (position % n)];
        position++;
        texts.add(data.train().get(i).text());
        queries.add(train[i]);
        golds.add(data.train().get(i).gold());
      }
    } else {
      if (trafficQueue.size() < hyper.batchSize()) {
        TakeTrafficResponse r = student.takeTraffic(Math.max(256, hyper.batchSize() * 4), info().getSpec().getCollection());
        for (TrafficItem item : r.getItemsList()) {
          String q = item.getQuestion().isEmpty() ? String.join(" ", item.getTurnsList()) : item.getQuestion();
          if (!q.isBlank()) {
            trafficQueue.add(q);
          }
        }
        trafficTaken += r.getItemsCount();
        trafficDropped += r.getDropped();
      }
      if (trafficQueue.isEmpty()) {
        synchronized (lock) {
          info.setMessage("waiting for traffic on collection " + info.getSpec().getCollection());
        }
        Thread.sleep(200);
        return null;
      }
      while (!trafficQueue.isEmpty() && texts.size() < hyper.batchSize()) {
        texts.add(trafficQueue.poll());
      }
      position += texts.size();
      float[][] encoded = student.encode(texts, Tower.TOWER_CONTEXT, true);
      Collections.addAll(queries, encoded);
      for (int i = 0; i < texts.size(); i++) {
        golds.add(-1); // traffic has no gold
      }
      synchronized (lock) {
        info.setMessage("");
      }
    }
    return examples(texts, queries, golds);
  }

  private List<Example> examples(List<String> texts, List<float[]> queries, List<Integer> golds) throws Exception {
    Objective objective = info().getSpec().getObjective();
    List<Example> out = new ArrayList<>();
    switch (objective) {
      case TOPK -> {
        List<float[]> rows = teacherRows(texts);
        for (int i = 0; i < texts.size(); i++) {
          float[] row = rows.get(i);
          int[] cand = hyper.topK() == 0 ? all(row.length) : Distributions.topK(row, hyper.topK());
          int gold = golds.get(i);
          double wCe = gold >= 0 ? hyper.alpha() : 0;
          if (gold >= 0 && indexOf(cand, gold) < 0 && wCe > 0) {
            cand = append(cand, gold);
          }
          out.add(new Example(queries.get(i), cand, Distributions.softmax(pick(row, cand), hyper.teacherTemperature()),
              gold >= 0 ? indexOf(cand, gold) : -1, hyper.studentScale(), 1, wCe));
        }
      }
      case G2R -> {
        List<float[]> rows = teacherRows(texts);
        Random rnd = new Random(hyper.seed() * 31 + info().getStep());
        int[] negatives = new int[Math.min(hyper.negatives(), pool.length - 1)];
        LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < negatives.length) {
          chosen.add(rnd.nextInt(pool.length));
        }
        int k = 0;
        for (int c : chosen) {
          negatives[k++] = c;
        }
        for (int i = 0; i < texts.size(); i++) {
          float[] row = rows.get(i);
          int positive = golds.get(i) >= 0 ? golds.get(i) : Distributions.topK(row, 1)[0];
          int[] cand = new int[negatives.length + 1];
          cand[0] = positive;
          int c = 1;
          for (int neg : negatives) {
            if (neg != positive && c < cand.length) {
              cand[c++] = neg;
            }
          }
          cand = java.util.Arrays.copyOf(cand, c);
          double[] target;
          if (hyper.scoreNegatives()) {
            target = Distributions.softmax(pick(row, cand), hyper.teacherTemperature());
          } else {
            target = new double[cand.length];
            target[0] = 1;
          }
          out.add(new Example(queries.get(i), cand, target, 0, hyper.studentScale(), 1 - hyper.alpha(), hyper.alpha()));
        }
      }
      case RDR -> {
        List<int[]> cands = new ArrayList<>();
        List<CompletableFuture<float[]>> scores = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
          double[] u = adapter.apply(queries.get(i));
          double[] s = new double[pool.length];
          for (int j = 0; j < pool.length; j++) {
            double acc = 0;
            for (int d = 0; d < u.length; d++) {
              acc += u[d] * pool[j][d];
            }
            s[j] = acc;
          }
          int[] cand = Distributions.topK(s, hyper.topK());
          cands.add(cand);
          List<String> candTexts = new ArrayList<>();
          for (int c : cand) {
            candTexts.add(data.passageTexts().get(c));
          }
          scores.add(teacher.score(kind, texts.get(i), candTexts));
        }
        for (int i = 0; i < texts.size(); i++) {
          float[] row = await(scores.get(i));
          out.add(new Example(queries.get(i), cands.get(i), Distributions.softmax(row, hyper.teacherTemperature()), -1,
              hyper.studentScale(), 1, 0));
        }
      }
      case RELATIONAL -> {
        List<float[]> rows = teacherRows(texts);
        LinkedHashSet<Integer> inBatch = new LinkedHashSet<>();
        for (int i = 0; i < texts.size(); i++) {
          inBatch.add(golds.get(i) >= 0 ? golds.get(i) : Distributions.topK(rows.get(i), 1)[0]);
        }
        int[] cand = inBatch.stream().mapToInt(Integer::intValue).toArray();
        if (cand.length < 2) {
          return out; // one passage for the whole batch: no relation to learn
        }
        for (int i = 0; i < texts.size(); i++) {
          out.add(new Example(queries.get(i), cand, Distributions.softmax(pick(rows.get(i), cand), hyper.tau1()), -1,
              1 / hyper.tau2(), 1, 0));
        }
      }
      default -> throw DomainException.invalid("objective " + objective + " is not supported");
    }
    return out;
  }

  /**
   * Has the teacher judge the pool once, a slice at a time, before asking for whole rows: an
   * encoder teacher caches passage embeddings, and a slice encodes well within its per-request
   * time limit where the whole pool might not.
   */
  private void primeTeacher() throws Exception {
    setMessage("the teacher is reading the " + pool.length + " passages");
    List<String> texts = data.passageTexts();
    for (int from = 0; from < texts.size() && !stopRequested; from += PRIME_SLICE) {
      List<String> slice = texts.subList(from, Math.min(texts.size(), from + PRIME_SLICE));
      for (int attempt = 1; ; attempt++) {
        try {
          await(teacher.score(kind, "warm-up", slice));
          break;
        } catch (DomainException e) {
          if (attempt == TEACHER_RETRIES || e.kind() == DomainException.Kind.INVALID_ARGUMENT
              || e.kind() == DomainException.Kind.FAILED_PRECONDITION) {
            throw e;
          }
          Thread.sleep(1000L * attempt);
        }
      }
    }
    setMessage("");
  }

  private void setMessage(String message) {
    synchronized (lock) {
      info.setMessage(message);
    }
  }

  /** The teacher's scores of each question against the whole pool (cached per question). */
  private List<float[]> teacherRows(List<String> questions) throws Exception {
    List<float[]> rows = new ArrayList<>(Collections.nCopies(questions.size(), null));
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < questions.size(); i++) {
      float[] cached = teacherRows.get(questions.get(i));
      if (cached != null) {
        rows.set(i, cached);
      } else {
        missing.add(i);
      }
    }
    for (int attempt = 1; !missing.isEmpty(); attempt++) {
      List<CompletableFuture<float[]>> futures = new ArrayList<>();
      for (int i : missing) {
        futures.add(teacher.score(kind, questions.get(i), data.passageTexts()));
      }
      List<Integer> failed = new ArrayList<>();
      DomainException last = null;
      for (int f = 0; f < futures.size(); f++) {
        int i = missing.get(f);
        try {
          float[] row = await(futures.get(f));
          rows.set(i, row);
          teacherRows.put(questions.get(i), row);
        } catch (DomainException e) {
          if (e.kind() != DomainException.Kind.UNAVAILABLE && e.kind() != DomainException.Kind.RESOURCE_EXHAUSTED
              && e.kind() != DomainException.Kind.DEADLINE_EXCEEDED) {
            throw e;
          }
          failed.add(i);
          last = e;
        }
      }
      missing = failed;
      if (!missing.isEmpty()) {
        if (attempt == TEACHER_RETRIES || stopRequested) {
          throw last;
        }
        log.warn("run {}: teacher failed ({}); retry {} of {}", id, last.getMessage(), attempt, TEACHER_RETRIES - 1);
        Thread.sleep(1000L * attempt);
      }
    }
    return rows;
  }

  private static float[] await(CompletableFuture<float[]> f) throws InterruptedException {
    try {
      return f.get(30, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DomainException d) {
        throw d;
      }
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "teacher call failed: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "the teacher did not answer in 30 minutes");
    }
  }

  private Evaluation evaluate(QueryAdapter a, long step) {
    int[] ranks = new int[heldOut.length];
    List<double[]> queries = new ArrayList<>(heldOut.length);
    for (int q = 0; q < heldOut.length; q++) {
      double[] u = a.apply(heldOut[q]);
      queries.add(u);
      double[] scores = new double[pool.length];
      for (int j = 0; j < pool.length; j++) {
        double acc = 0;
        float[] p = pool[j];
        for (int d = 0; d < u.length; d++) {
          acc += u[d] * p[d];
        }
        scores[j] = acc;
      }
      ranks[q] = Metrics.rank(scores, data.heldOut().get(q).gold());
    }
    return Metrics.evaluation(step, ranks, queries);
  }

  private Evaluation evaluateTeacher() throws Exception {
    List<String> questions = data.heldOut().stream().map(QaData.Question::text).toList();
    List<float[]> rows = new ArrayList<>();
    for (int from = 0; from < questions.size(); from += 64) {
      rows.addAll(teacherRows(questions.subList(from, Math.min(questions.size(), from + 64))));
    }
    int[] ranks = new int[rows.size()];
    for (int q = 0; q < ranks.length; q++) {
      double[] scores = new double[rows.get(q).length];
      for (int j = 0; j < scores.length; j++) {
        scores[j] = rows.get(q)[j];
      }
      ranks[q] = Metrics.rank(scores, data.heldOut().get(q).gold());
    }
    return Metrics.evaluation(0, ranks, null);
  }

  private void evaluateAndPublish(long step) throws Exception {
    Evaluation e = evaluate(adapter, step);
    double bestR1;
    synchronized (lock) {
      info.setLatest(e);
      if (!info.hasBest() || e.getRAt1() > info.getBest().getRAt1()) {
        info.setBest(e);
      }
      bestR1 = info.getPublishesCount() == 0 ? info.getStudentAtStart().getRAt1()
          : info.getPublishes(info.getPublishesCount() - 1).getRAt1();
    }
    emit(RunEvent.newBuilder().setStep(step).setEvaluation(e));
    if (e.getRAt1() > bestR1) {
      publish(adapter.toFloats(), step, e.getRAt1(), "improved");
    }
  }

  /**
   * Publishes {@code matrix} as the student's next context adapter version. The version and the
   * matrix are checkpointed first, so a crash between here and the student's answer is settled on
   * resume by asking the student which version it serves.
   */
  void publish(float[] matrix, long step, double r1, String reason) throws IOException {
    long current = student.modelInfo().getContextAdapter().getVersion();
    long version = Math.max(current, lastPublishedVersion()) + 1;
    writeMatrix(version, matrix);
    pendingVersion = version;
    pendingStep = step;
    checkpoint();
    student.publishContextAdapter(version, adapter.dim(), matrix, "trainer run " + id + " step " + step + " (" + reason + ")");
    recordPublish(version, step, r1, reason);
  }

  /**
   * Publishes the adapter this run published as {@code toVersion} again, as a new version (0: the
   * identity). Only for a run that is not training.
   */
  void rollback(long toVersion) throws IOException {
    float[] matrix;
    int dim;
    if (toVersion == 0) {
      dim = student.modelInfo().getDimension();
      matrix = QueryAdapter.identity(dim).toFloats();
    } else {
      matrix = readMatrix(toVersion);
      dim = (int) Math.round(Math.sqrt(matrix.length));
    }
    long version = Math.max(student.modelInfo().getContextAdapter().getVersion(), lastPublishedVersion()) + 1;
    writeMatrix(version, matrix);
    student.publishContextAdapter(version, dim, matrix, "trainer run " + id + " rollback to v" + toVersion);
    Publish p = Publish.newBuilder().setVersion(version).setStep(info().getStep()).setAtUnixMs(System.currentTimeMillis())
        .setReason("rollback to v" + toVersion).setRAt1(rollbackR1(toVersion)).build();
    synchronized (lock) {
      info.addPublishes(p);
    }
    RunManager.writeRecord(dir, info());
    emit(RunEvent.newBuilder().setStep(p.getStep()).setPublish(p));
  }

  private double rollbackR1(long toVersion) {
    RunInfo i = info();
    if (toVersion == 0) {
      return i.getStudentAtStart().getRAt1();
    }
    return i.getPublishesList().stream().filter(p -> p.getVersion() == toVersion).mapToDouble(Publish::getRAt1)
        .findFirst().orElse(0);
  }

  private void confirmPendingPublish() throws IOException {
    if (pendingVersion == 0) {
      return;
    }
    long serving = student.modelInfo().getContextAdapter().getVersion();
    if (serving < pendingVersion) {
      log.info("run {}: publishing version {} again (the trainer stopped before the student confirmed it)", id,
          pendingVersion);
      student.publishContextAdapter(pendingVersion, adapter.dim(), readMatrix(pendingVersion),
          "trainer run " + id + " step " + pendingStep + " (resumed)");
    }
    recordPublish(pendingVersion, pendingStep, info().hasLatest() ? info().getLatest().getRAt1() : 0, "improved");
  }

  private void recordPublish(long version, long step, double r1, String reason) throws IOException {
    Publish p = Publish.newBuilder().setVersion(version).setStep(step).setRAt1(r1)
        .setAtUnixMs(System.currentTimeMillis()).setReason(reason).build();
    synchronized (lock) {
      info.addPublishes(p);
    }
    pendingVersion = 0;
    pendingStep = 0;
    checkpoint();
    emit(RunEvent.newBuilder().setStep(step).setPublish(p));
    log.info("run {}: published context adapter v{} at step {} (R@1 {})", id, version, step, r1);
  }

  private long lastPublishedVersion() {
    RunInfo i = info();
    return i.getPublishesCount() == 0 ? 0 : i.getPublishes(i.getPublishesCount() - 1).getVersion();
  }

  /** The adapter published as {@code version}, kept for rollbacks. */
  float[] readMatrix(long version) throws IOException {
    Path file = dir.resolve("published").resolve("v" + version + ".bin");
    if (!Files.exists(file)) {
      throw DomainException.notFound("run " + id + " has no published version " + version + " (it published "
          + info().getPublishesList().stream().map(Publish::getVersion).toList() + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    float[] m = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(m);
    return m;
  }

  private void writeMatrix(long version, float[] matrix) throws IOException {
    Path published = Files.createDirectories(dir.resolve("published"));
    ByteBuffer b = ByteBuffer.allocate(matrix.length * Float.BYTES);
    b.asFloatBuffer().put(matrix);
    dev.distillmesh.common.Durable.writeAtomically(published.resolve("v" + version + ".bin"), b.array());
  }

  void checkpoint() throws IOException {
    if (adapter == null) { // failed before the model existed: keep the record only
      RunManager.writeRecord(dir, info());
      return;
    }
    RunInfo snapshot = info();
    new Checkpoint(snapshot.getStep(), position, adam.steps(), adapter.dim(), adapter.values(), adam.firstMoment(),
        adam.secondMoment(), pendingVersion, pendingStep, snapshot).write(dir);
    RunManager.writeRecord(dir, snapshot);
  }

  private void setState(RunState state, String message) {
    synchronized (lock) {
      info.setState(state).setMessage(message);
    }
    emit(RunEvent.newBuilder().setStep(info().getStep()).setState(StateChange.newBuilder().setState(state)
        .setMessage(message)));
  }

  private void emit(RunEvent.Builder event) {
    events.add(event.setRunId(id).setAtUnixMs(System.currentTimeMillis()).build());
  }

  private static int[] order(int n, long seed) {
    List<Integer> idx = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, new Random(seed));
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] all(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static int indexOf(int[] a, int v) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == v) {
        return i;
      }
    }
    return -1;
  }

  private static int[] append(int[] a, int v) {
    int[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = v;
    return out;
  }

  private static float[] pick(float[] row, int[] indices) {
    float[] out = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = row[indices[i]];
    }
    return out;
  }
}
