package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.student.v1.Document;
import dev.distillmesh.proto.student.v1.TakeTrafficResponse;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.proto.student.v1.TrafficItem;
import dev.distillmesh.proto.teacher.v1.GenerateResponse;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.Sampling;
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
import dev.distillmesh.proto.trainer.v1.Task;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.data.DialogueData;
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
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 *
 * <p>A DIALOGUE run does the same with contexts and responses (G2R over in-batch and shared random
 * negatives) and may also train the response adapter; publishing that one also re-encodes the
 * served collection into a new index generation ({@link Reindexer}).
 */
final class Run implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Run.class);
  private static final int CHECKPOINT_EVERY = 20;
  private static final int PROGRESS_EVERY = 5;
  private static final int TEACHER_ROW_CACHE = 4096;
  private static final int PRIME_SLICE = 128;

  private final String id;
  private final Path dir;
  private final Hyper hyper;
  private final StudentLink student;
  private final TeacherLink teacher;
  private final Reindexer reindexer;
  private final RunEvents events;
  private final Object lock = new Object();
  private RunInfo.Builder info;
  private volatile boolean stopRequested;
  private volatile boolean suspended;
  private volatile boolean ended;

  private QaData data;
  private DialogueData dialogue;
  // QA: the passages as served. DIALOGUE: the response set, base embeddings when the run trains the
  // response adapter (then served = B·pool), served ones otherwise.
  private float[][] pool;
  // DIALOGUE: the held-out examples' candidates, embedded like the pool.
  private float[][] heldOutCandidates;
  // DIALOGUE with train_response_adapter: B, its optimizer, and the base embedding of every response
  // text known, for re-encoding the served collection.
  private QueryAdapter responseAdapter;
  private Adam responseAdam;
  private long pendingResponseVersion;
  private final Map<String, float[]> responseBase = new HashMap<>();
  // DIALOGUE: the response set's texts (pool order: the training responses, then generated ones),
  // and the pool indices of what the teacher generated for each training context.
  private final List<String> responseTexts = new ArrayList<>();
  private final Map<String, Integer> responseIndex = new HashMap<>();
  private final Map<String, int[]> generatedFor = new HashMap<>();
  // DIALOGUE with a trained response adapter: this step's ∂L/∂p row of each response it uses.
  private Map<Integer, double[]> stepRows = new HashMap<>();
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
  private final TrafficJournal trafficJournal;
  private int[] epochOrder;
  private long epochOfOrder = -1;
  private final Map<String, float[]> teacherRows = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
      return size() > TEACHER_ROW_CACHE;
    }
  };

  Run(String id, Path dir, RunInfo info, StudentLink student, TeacherLink teacher, IndexLink index) {
    this.id = id;
    this.dir = dir;
    this.info = info.toBuilder();
    this.hyper = Hyper.of(info.getSpec().getObjective(), info.getSpec().getHyper());
    this.student = student;
    this.teacher = teacher;
    this.reindexer = new Reindexer(index, student);
    this.trafficJournal = new TrafficJournal(dir);
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
      if (stopRequested) { // e.g. stopped while it waited for the teacher
        setState(RunState.STOPPED, "stopped at step " + info().getStep() + " (" + e.getMessage() + ")");
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

  private boolean isDialogue() {
    return info().getSpec().getTask() == Task.DIALOGUE;
  }

  private void prepare() throws Exception {
    setState(RunState.PREPARING, "reading data and encoding");
    var spec = info().getSpec();
    InfoResponse teacherInfo = teacher.info();
    kind = teacherInfo.getKindsList().contains(ScoreKind.RELEVANCE) ? ScoreKind.RELEVANCE
        : teacherInfo.getKindsList().contains(ScoreKind.LOG_LIKELIHOOD) ? ScoreKind.LOG_LIKELIHOOD : null;
    if (kind == null) {
      throw DomainException.precondition("the teacher (" + teacherInfo.getBackend() + ") gives " + teacherInfo.getKindsList()
          + "; a run needs RELEVANCE or LOG_LIKELIHOOD");
    }
    if (hyper.generatedPerContext() > 0 && !teacherInfo.getCanGenerate()) {
      throw DomainException.precondition("hyper.generated_per_context is " + hyper.generatedPerContext()
          + " but the teacher (" + teacherInfo.getBackend() + " backend) cannot generate; start the teacher with"
          + " --backend triton and a generator model, or set generated_per_context to 0");
    }
    if (isDialogue()) {
      prepareDialogue();
    } else {
      prepareQa();
    }
    restoreOrStart(pool[0].length);
    primeTeacher();
    if (!info().hasStudentAtStart()) {
      Evaluation s = evaluate(QueryAdapter.identity(pool[0].length), null, 0);
      Evaluation t = evaluateTeacher();
      synchronized (lock) {
        info.setStudentAtStart(s).setTeacher(t);
      }
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(s));
      emit(RunEvent.newBuilder().setStep(0).setEvaluation(t));
      log.info("run {}: held-out {} student {} teacher {} ({} examples)", id, isDialogue() ? "Hits@1/K" : "R@1",
          s.getRAt1(), t.getRAt1(), s.getQuestions());
      checkpoint();
    }
  }

  private void prepareQa() {
    var spec = info().getSpec();
    data = QaData.load(Path.of(spec.getPassages()), Path.of(spec.getQuestions()), spec.getHoldout(), hyper.seed());
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
  }

  /**
   * Contexts always as base embeddings (the run trains the context adapter); responses and
   * held-out candidates as base embeddings when the run trains the response adapter, as served
   * otherwise.
   */
  private void prepareDialogue() {
    var spec = info().getSpec();
    dialogue = DialogueData.load(Path.of(spec.getDialogues()), Path.of(spec.getDialogueEval()), spec.getTrainLimit(),
        spec.getHoldout(), hyper.seed());
    boolean base = spec.getTrainResponseAdapter();
    if (base) {
      reindexer.checkCollection(spec.getCollection());
    }
    setMessage("encoding " + dialogue.responses().size() + " responses and " + dialogue.candidateTexts().size()
        + " held-out candidates");
    pool = student.encode(dialogue.responses(), Tower.TOWER_RESPONSE, base);
    for (String r : dialogue.responses()) {
      responseIndex.put(r, responseTexts.size());
      responseTexts.add(r);
    }
    heldOutCandidates = student.encode(dialogue.candidateTexts(), Tower.TOWER_RESPONSE, base);
    if (base) {
      for (int i = 0; i < pool.length; i++) {
        responseBase.put(dialogue.responses().get(i), pool[i]);
      }
      for (int i = 0; i < heldOutCandidates.length; i++) {
        responseBase.put(dialogue.candidateTexts().get(i), heldOutCandidates[i]);
      }
    }
    setMessage("encoding " + dialogue.heldOut().size() + " held-out and " + dialogue.train().size()
        + " training contexts");
    heldOut = student.encode(dialogue.heldOutContexts(), Tower.TOWER_CONTEXT, true);
    train = student.encode(dialogue.trainContexts(), Tower.TOWER_CONTEXT, true);
    setMessage("");
  }

  private void restoreOrStart(int dim) throws Exception {
    boolean trainsResponse = isDialogue() && info().getSpec().getTrainResponseAdapter();
    Checkpoint saved = Checkpoint.read(dir);
    if (saved != null) {
      if (saved.dim() != dim) {
        throw DomainException.precondition("the checkpoint is for dimension " + saved.dim() + " but the student encodes "
            + dim + "; start a new run");
      }
      adapter = QueryAdapter.of(dim, saved.adapter());
      adam = new Adam(hyper.learningRate(), saved.m(), saved.v(), saved.adamSteps());
      if (saved.response() != null) {
        responseAdapter = QueryAdapter.of(dim, saved.response().adapter());
        responseAdam = new Adam(hyper.learningRate(), saved.response().m(), saved.response().v(),
            saved.response().adamSteps());
        pendingResponseVersion = saved.response().pendingVersion();
      }
      position = saved.position();
      if (info().getSpec().getSource() == Source.TRAFFIC) {
        // What was taken from the student but not trained on as of the checkpoint.
        List<String> taken = trafficJournal.recover();
        trafficQueue.addAll(taken.subList((int) Math.min(position, taken.size()), taken.size()));
      }
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
    if (trainsResponse && responseAdapter == null) {
      responseAdapter = QueryAdapter.identity(dim);
      responseAdam = new Adam(dim * dim, hyper.learningRate());
    }
    synchronized (lock) {
      info.setMaxSteps(maxSteps());
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
        ListwiseLoss.Terms t = ListwiseLoss.accumulate(adapter, ex.query, ex.vectors, ex.teacher,
            ex.gold, ex.scale, ex.wKd, ex.wCe, grad, ex.candidateGrad);
        kd += t.kd();
        ce += t.ce();
        pairs += ex.candidates.length;
      }
      // A context may bring several examples (G2R: one per positive, and the KD term): average per context.
      java.util.Set<float[]> seenQueries = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Example ex : batch) {
        seenQueries.add(ex.query);
      }
      int contexts = Math.max(1, seenQueries.size());
      for (int i = 0; i < grad.length; i++) {
        grad[i] /= contexts;
      }
      double identity = adapter.identityPull(hyper.identityWeight(), grad);
      adam.step(adapter.values(), grad);
      if (responseAdapter != null && !batch.isEmpty()) {
        identity += stepResponseAdapter(contexts);
      }
      long step;
      synchronized (lock) {
        step = info.getStep() + 1;
        info.setStep(step);
      }
      intervalSteps++;
      intervalPairs += pairs;
      kdSum += kd / contexts;
      ceSum += ce / contexts;
      idSum += identity;
      lossSum += (kd + ce) / contexts + identity;
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

  /**
   * One question's part of a step.
   *
   * @param candidates indices into the pool
   * @param vectors the candidates' served embeddings
   * @param candidateGrad where ∂L/∂p_j is summed: row j is the step's row of candidate j, shared by
   *     every example of the step that has that candidate; null when the response adapter is frozen
   */
  private record Example(float[] query, int[] candidates, float[][] vectors, double[] teacher, int gold, double scale,
      double wKd, double wCe, double[][] candidateGrad) {

    Example(float[] query, int[] candidates, float[][] vectors, double[] teacher, int gold, double scale, double wKd,
        double wCe) {
      this(query, candidates, vectors, teacher, gold, scale, wKd, wCe, null);
    }
  }

  /**
   * Folds the step's ∂L/∂p_j (summed per response in {@link #stepRows}) into ∂L/∂B (p_j = B·e_j),
   * averaged over the batch's contexts, pulls B toward the identity and steps its optimizer;
   * returns the identity term.
   */
  private double stepResponseAdapter(int contexts) {
    double[] grad = new double[responseAdapter.values().length];
    for (Map.Entry<Integer, double[]> row : stepRows.entrySet()) {
      QueryAdapter.addOuter(row.getValue(), pool[row.getKey()], grad);
    }
    for (int i = 0; i < grad.length; i++) {
      grad[i] /= contexts;
    }
    double identity = responseAdapter.identityPull(hyper.identityWeight(), grad);
    responseAdam.step(responseAdapter.values(), grad);
    return identity;
  }

  /** The served embeddings of pool entries: B·e when the run trains B, the pool rows otherwise. */
  private float[][] candidates(int[] indices) {
    float[][] out = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      out[i] = responseAdapter == null ? pool[indices[i]] : responseAdapter.applyFloat(pool[indices[i]]);
    }
    return out;
  }

  private static float[][] served(QueryAdapter b, float[][] embeddings) {
    if (b == null) {
      return embeddings;
    }
    float[][] out = new float[embeddings.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.applyFloat(embeddings[i]);
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
        if (dialogue != null) {
          texts.add(dialogue.train().get(i).context());
          queries.add(train[i]);
          golds.add(dialogue.train().get(i).response());
        } else {
          texts.add(data.train().get(i).text());
          queries.add(train[i]);
          golds.add(data.train().get(i).gold());
        }
      }
    } else {
      if (trafficQueue.size() < hyper.batchSize()) {
        TakeTrafficResponse r = student.takeTraffic(Math.max(256, hyper.batchSize() * 4), info().getSpec().getCollection());
        List<String> taken = new ArrayList<>();
        for (TrafficItem item : r.getItemsList()) {
          String q = item.getQuestion().isEmpty() ? String.join(" ", item.getTurnsList()) : item.getQuestion();
          if (!q.isBlank()) {
            taken.add(q);
          }
        }
        trafficJournal.append(taken); // the student no longer has them
        trafficQueue.addAll(taken);
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
    if (dialogue != null) {
      return dialogueExamples(texts, queries, golds);
    }
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
          out.add(new Example(queries.get(i), cand, candidates(cand),
              Distributions.softmax(pick(row, cand), hyper.teacherTemperature()),
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
          out.add(new Example(queries.get(i), cand, candidates(cand), target, 0, hyper.studentScale(), 1 - hyper.alpha(),
              hyper.alpha()));
        }
      }
      case RDR -> {
        List<int[]> cands = new ArrayList<>();
        List<List<String>> candidateTexts = new ArrayList<>();
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
          candidateTexts.add(candTexts);
          scores.add(teacher.score(kind, texts.get(i), candTexts));
        }
        for (int i = 0; i < texts.size(); i++) {
          float[] row = score(scores.get(i), texts.get(i), candidateTexts.get(i));
          out.add(new Example(queries.get(i), cands.get(i), candidates(cands.get(i)),
              Distributions.softmax(row, hyper.teacherTemperature()), -1, hyper.studentScale(), 1, 0));
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
        float[][] vectors = candidates(cand);
        for (int i = 0; i < texts.size(); i++) {
          out.add(new Example(queries.get(i), cand, vectors, Distributions.softmax(pick(rows.get(i), cand), hyper.tau1()),
              -1, 1 / hyper.tau2(), 1, 0));
        }
      }
      default -> throw DomainException.invalid("objective " + objective + " is not supported");
    }
    return out;
  }

  /**
   * G2R on dialogue pairs. Each context's positives are its gold response and, with
   * generated_per_context, the teacher's generated ones; its negatives are the batch's other
   * positives and {@code negatives} random responses shared by the batch. For each positive,
   * alpha·CE of it against the negatives; and (1−alpha)·KD toward the teacher's distribution over
   * positives and negatives (with negative_mass ZERO, over the positives only). With alpha 1 the
   * teacher is not asked to score.
   */
  private List<Example> dialogueExamples(List<String> texts, List<float[]> queries, List<Integer> golds)
      throws Exception {
    List<int[]> generated = generated(texts);
    List<int[]> positives = new ArrayList<>(texts.size());
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    for (int i = 0; i < texts.size(); i++) {
      LinkedHashSet<Integer> p = new LinkedHashSet<>();
      p.add(golds.get(i));
      if (generated != null) {
        for (int g : generated.get(i)) {
          p.add(g);
        }
      }
      positives.add(p.stream().mapToInt(Integer::intValue).toArray());
      chosen.addAll(p);
    }
    Random rnd = new Random(hyper.seed() * 31 + info().getStep());
    int wanted = Math.min(pool.length, chosen.size() + hyper.negatives());
    while (chosen.size() < wanted) {
      chosen.add(rnd.nextInt(pool.length));
    }
    // Served embeddings and gradient rows once per response of the step, shared by its examples.
    Map<Integer, float[]> vectors = new HashMap<>();
    stepRows = new HashMap<>();
    for (int c : chosen) {
      vectors.put(c, responseAdapter == null ? pool[c] : responseAdapter.applyFloat(pool[c]));
    }
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      int[] own = positives.get(i);
      int[] negatives = chosen.stream().mapToInt(Integer::intValue).filter(c -> indexOf(own, c) < 0).toArray();
      if (hyper.alpha() > 0) {
        for (int positive : own) {
          int[] cand = new int[negatives.length + 1];
          cand[0] = positive;
          System.arraycopy(negatives, 0, cand, 1, negatives.length);
          out.add(new Example(queries.get(i), cand, gather(cand, vectors), null, 0, hyper.studentScale(), 0,
              hyper.alpha(), rows(cand)));
        }
      }
      if (hyper.alpha() < 1) {
        int[] cand = new int[own.length + negatives.length];
        System.arraycopy(own, 0, cand, 0, own.length);
        System.arraycopy(negatives, 0, cand, own.length, negatives.length);
        out.add(new Example(queries.get(i), cand, gather(cand, vectors), teacherTarget(texts.get(i), cand, own.length),
            -1, hyper.studentScale(), 1 - hyper.alpha(), 0, rows(cand)));
      }
    }
    return out;
  }

  /**
   * P_G over {@code cand}, whose first {@code positives} entries are the positives: the teacher's
   * softmax over all of them, or (negative_mass ZERO) over the positives only, zero elsewhere.
   */
  private double[] teacherTarget(String context, int[] cand, int positives) throws Exception {
    int scored = hyper.scoreNegatives() ? cand.length : positives;
    double[] target = new double[cand.length];
    if (scored == 1) {
      target[0] = 1;
      return target;
    }
    List<String> texts = new ArrayList<>(scored);
    for (int j = 0; j < scored; j++) {
      texts.add(responseTexts.get(cand[j]));
    }
    double[] p = Distributions.softmax(score(teacher.score(kind, context, texts), context, texts),
        hyper.teacherTemperature());
    System.arraycopy(p, 0, target, 0, scored);
    return target;
  }

  private static float[][] gather(int[] cand, Map<Integer, float[]> vectors) {
    float[][] out = new float[cand.length][];
    for (int j = 0; j < cand.length; j++) {
      out[j] = vectors.get(cand[j]);
    }
    return out;
  }

  /** The step's ∂L/∂p rows for {@code cand} (null when the response adapter is frozen). */
  private double[][] rows(int[] cand) {
    if (responseAdapter == null) {
      return null;
    }
    double[][] out = new double[cand.length][];
    for (int j = 0; j < cand.length; j++) {
      out[j] = stepRows.computeIfAbsent(cand[j], c -> new double[pool[0].length]);
    }
    return out;
  }

  /**
   * Data-level G2R: the pool indices of the responses the teacher generated for each context
   * (null when the run does not generate). A context is sent to the teacher once; new responses
   * join the response set and are ingested into the served collection with their provenance.
   */
  private List<int[]> generated(List<String> contexts) throws Exception {
    int m = hyper.generatedPerContext();
    if (m == 0) {
      return null;
    }
    List<String> missing = contexts.stream().filter(c -> !generatedFor.containsKey(c)).distinct().toList();
    for (int from = 0; from < missing.size(); from += 64) {
      List<String> chunk = missing.subList(from, Math.min(missing.size(), from + 64));
      GenerateResponse g = teacher.generate(chunk, Sampling.newBuilder().setN(m).setTopK(20)
          .setMinLength(hyper.generateMinLength()).setSeed(hyper.seed()).build());
      if (g.getGenerationsCount() != chunk.size()) {
        throw new DomainException(DomainException.Kind.UNAVAILABLE, "the teacher answered " + g.getGenerationsCount()
            + " generations for " + chunk.size() + " contexts");
      }
      Map<String, Document> fresh = new java.util.LinkedHashMap<>(); // new texts, in order, once each
      for (int i = 0; i < chunk.size(); i++) {
        for (String candidate : g.getGenerations(i).getCandidatesList()) {
          String text = candidate.strip();
          if (!text.isEmpty() && !responseIndex.containsKey(text) && !fresh.containsKey(text)) {
            fresh.put(text, generatedDocument(text, chunk.get(i), g.getModel()));
          }
        }
      }
      List<String> newTexts = new ArrayList<>(fresh.keySet());
      List<Document> documents = new ArrayList<>(fresh.values());
      if (!newTexts.isEmpty()) {
        float[][] embedded = student.encode(newTexts, Tower.TOWER_RESPONSE, responseAdapter != null);
        int first = pool.length;
        pool = java.util.Arrays.copyOf(pool, first + embedded.length);
        for (int k = 0; k < embedded.length; k++) {
          pool[first + k] = embedded[k];
          responseTexts.add(newTexts.get(k));
          responseIndex.put(newTexts.get(k), first + k);
          if (responseAdapter != null) {
            responseBase.put(newTexts.get(k), embedded[k]);
          }
        }
        var ingested = student.ingest(info().getSpec().getCollection(), documents);
        synchronized (lock) {
          info.setGeneratedResponses(info.getGeneratedResponses() + ingested.getIngested() - ingested.getReplaced());
        }
      }
      for (int i = 0; i < chunk.size(); i++) {
        generatedFor.put(chunk.get(i), g.getGenerations(i).getCandidatesList().stream().map(String::strip)
            .filter(responseIndex::containsKey).mapToInt(responseIndex::get).distinct().toArray());
      }
    }
    return contexts.stream().map(generatedFor::get).toList();
  }

  /**
   * A generated response as the served collection keeps it: its id is derived from its text (so a
   * resumed run re-ingests it in place), its metadata says where it came from.
   */
  private Document generatedDocument(String text, String context, String model) {
    com.google.gson.JsonObject meta = new com.google.gson.JsonObject();
    meta.addProperty("provenance", "teacher-generated");
    meta.addProperty("teacher_model", model);
    meta.addProperty("run", id);
    meta.addProperty("context", context.length() > 512 ? context.substring(context.length() - 512) : context);
    return Document.newBuilder().setId("gen-" + sha256(text).substring(0, 24)).setText(text)
        .setMetadataJson(meta.toString()).build();
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /**
   * Has the teacher judge the pool once, a slice at a time, before asking for whole rows: an
   * encoder teacher caches passage embeddings, and a slice encodes well within its per-request
   * time limit where the whole pool might not.
   */
  private void primeTeacher() throws Exception {
    List<String> texts = dialogue != null ? dialogue.candidateTexts() : data.passageTexts();
    setMessage("the teacher is reading the " + texts.size() + (dialogue != null ? " held-out candidates" : " passages"));
    for (int from = 0; from < texts.size() && !stopRequested; from += PRIME_SLICE) {
      List<String> slice = texts.subList(from, Math.min(texts.size(), from + PRIME_SLICE));
      score(teacher.score(kind, "warm-up", slice), "warm-up", slice);
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
    List<CompletableFuture<float[]>> futures = new ArrayList<>();
    for (int i : missing) {
      futures.add(teacher.score(kind, questions.get(i), data.passageTexts()));
    }
    for (int f = 0; f < futures.size(); f++) {
      int i = missing.get(f);
      float[] row = score(futures.get(f), questions.get(i), data.passageTexts());
      rows.set(i, row);
      teacherRows.put(questions.get(i), row);
    }
    return rows;
  }

  /**
   * The teacher's answer to a score request already sent, waiting out a teacher that is down,
   * overloaded or slow: the request is sent again, with a backoff growing to 10 s, until it is
   * answered or the run is stopped; meanwhile the run's message says it waits. Any other failure
   * (a bad request, a teacher that cannot score this kind) ends the run.
   */
  private float[] score(CompletableFuture<float[]> sent, String context, List<String> candidates) throws Exception {
    CompletableFuture<float[]> f = sent;
    for (int attempt = 1; ; attempt++) {
      try {
        float[] row = await(f);
        if (attempt > 1) {
          log.info("run {}: the teacher answers again after {} attempts", id, attempt);
          setMessage("");
        }
        return row;
      } catch (DomainException e) {
        boolean retryable = e.kind() == DomainException.Kind.UNAVAILABLE
            || e.kind() == DomainException.Kind.RESOURCE_EXHAUSTED || e.kind() == DomainException.Kind.DEADLINE_EXCEEDED;
        if (!retryable || stopRequested) {
          throw e;
        }
        if (attempt == 1) {
          log.warn("run {}: teacher call failed ({}); waiting for the teacher", id, e.getMessage());
        }
        setMessage("waiting for the teacher: " + e.getMessage());
        Thread.sleep(Math.min(10_000L, 500L * attempt));
        f = teacher.score(kind, context, candidates);
      }
    }
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

  /**
   * The student with context adapter {@code a} and response adapter {@code b} (null: the pool as
   * served) on the held-out examples.
   */
  private Evaluation evaluate(QueryAdapter a, QueryAdapter b, long step) {
    if (dialogue != null) {
      return evaluateDialogue(a, b, step);
    }
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

  private static final int DIST_CONTEXTS = 300;

  private Evaluation evaluateDialogue(QueryAdapter a, QueryAdapter b, long step) {
    float[][] candidates = served(b, heldOutCandidates);
    int[] ranks = new int[heldOut.length];
    int k = 0;
    List<double[]> queries = new ArrayList<>(heldOut.length);
    for (int q = 0; q < heldOut.length; q++) {
      double[] u = a.apply(heldOut[q]);
      queries.add(u);
      int[] cand = dialogue.heldOut().get(q).candidates();
      double[] scores = new double[cand.length];
      for (int j = 0; j < cand.length; j++) {
        scores[j] = ListwiseLoss.dot(u, candidates[cand[j]]);
      }
      ranks[q] = Metrics.rank(scores, dialogue.heldOut().get(q).gold());
      k = Math.max(k, cand.length);
    }
    // Dist-n of what the student returns from the whole response set, for a sample of contexts.
    float[][] responses = served(b, pool);
    List<String> returned = new ArrayList<>();
    for (int q = 0; q < Math.min(DIST_CONTEXTS, heldOut.length); q++) {
      double[] u = queries.get(q);
      int best = 0;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < responses.length; j++) {
        double score = ListwiseLoss.dot(u, responses[j]);
        if (score > bestScore) {
          bestScore = score;
          best = j;
        }
      }
      returned.add(responseTexts.get(best));
    }
    return DialogueMetrics.evaluation(step, ranks, k, returned, queries);
  }

  private Evaluation evaluateTeacher() throws Exception {
    if (dialogue != null) {
      return evaluateTeacherDialogue();
    }
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

  /** The teacher's Hits@1/K on the held-out examples (no Dist-n: it cannot search the response set). */
  private Evaluation evaluateTeacherDialogue() throws Exception {
    List<DialogueData.Example> held = dialogue.heldOut();
    int[] ranks = new int[held.size()];
    int k = 0;
    for (int from = 0; from < held.size(); from += 64) {
      List<CompletableFuture<float[]>> futures = new ArrayList<>();
      int to = Math.min(held.size(), from + 64);
      List<List<String>> candidateTexts = new ArrayList<>();
      for (int q = from; q < to; q++) {
        List<String> texts = new ArrayList<>();
        for (int c : held.get(q).candidates()) {
          texts.add(dialogue.candidateTexts().get(c));
        }
        candidateTexts.add(texts);
        futures.add(teacher.score(kind, held.get(q).context(), texts));
      }
      for (int q = from; q < to; q++) {
        float[] row = score(futures.get(q - from), held.get(q).context(), candidateTexts.get(q - from));
        double[] scores = new double[row.length];
        for (int j = 0; j < row.length; j++) {
          scores[j] = row[j];
        }
        ranks[q] = Metrics.rank(scores, held.get(q).gold());
        k = Math.max(k, row.length);
      }
    }
    return DialogueMetrics.evaluation(0, ranks, k, null, null);
  }

  private void evaluateAndPublish(long step) throws Exception {
    Evaluation e = evaluate(adapter, responseAdapter, step);
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
   * Publishes {@code matrix} as the student's next context adapter version (and, for a run that
   * trains it, the response adapter with a re-encoded index generation). The versions and the
   * matrices are checkpointed first, so a crash between here and the student's answer is settled
   * on resume by asking the student which versions it serves.
   */
  void publish(float[] matrix, long step, double r1, String reason) throws Exception {
    long version = nextVersion();
    writeMatrix(version, "", matrix);
    pendingVersion = version;
    pendingStep = step;
    if (responseAdapter != null) {
      writeMatrix(version, RESPONSE_SUFFIX, responseAdapter.toFloats());
      pendingResponseVersion = nextResponseVersion();
    }
    checkpoint();
    String description = "trainer run " + id + " step " + step + " (" + reason + ")";
    long generation = sendPublish(version, pendingResponseVersion, adapter.dim(), description);
    recordPublish(version, step, r1, reason, pendingResponseVersion, generation);
  }

  private static final String RESPONSE_SUFFIX = "-response";

  private long nextVersion() {
    return Math.max(student.modelInfo().getContextAdapter().getVersion(), lastPublishedVersion()) + 1;
  }

  private long nextResponseVersion() {
    RunInfo i = info();
    long last = i.getPublishesCount() == 0 ? 0 : i.getPublishes(i.getPublishesCount() - 1).getResponseVersion();
    return Math.max(student.modelInfo().getResponseAdapter().getVersion(), last) + 1;
  }

  /**
   * Sends the publish of run version {@code version}: first the response adapter (what the student
   * ingests from now on) and the re-encoded collection, then the context adapter, so queries meet
   * the new responses with the matching context adapter as soon as possible. Steps the student
   * already took (after a crash) are not repeated; re-indexing is repeated, as it is idempotent.
   *
   * @return the index generation, or 0 when the response side is not published
   */
  private long sendPublish(long version, long responseVersion, int dim, String description) throws Exception {
    long generation = 0;
    if (responseVersion > 0) {
      float[] b = readMatrix(version, RESPONSE_SUFFIX);
      if (student.modelInfo().getResponseAdapter().getVersion() < responseVersion) {
        student.publishAdapter(Tower.TOWER_RESPONSE, responseVersion, dim, b, description);
      }
      setMessage("re-encoding collection " + info().getSpec().getCollection() + " for response adapter v"
          + responseVersion);
      generation = reindexer.reindex(info().getSpec().getCollection(),
          QueryAdapter.of(dim, toDoubles(b)), responseBase);
      setMessage("");
    }
    if (student.modelInfo().getContextAdapter().getVersion() < version) {
      student.publishContextAdapter(version, dim, readMatrix(version, ""), description);
    }
    return generation;
  }

  private static double[] toDoubles(float[] m) {
    double[] out = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i];
    }
    return out;
  }

  /**
   * Publishes the adapter this run published as {@code toVersion} again, as a new version (0: the
   * identity). Only for a run that is not training.
   */
  void rollback(long toVersion) throws Exception {
    boolean withResponse = info().getSpec().getTask() == Task.DIALOGUE && info().getSpec().getTrainResponseAdapter();
    float[] matrix;
    float[] response = null;
    if (toVersion == 0) {
      int dim = student.modelInfo().getDimension();
      matrix = QueryAdapter.identity(dim).toFloats();
      response = withResponse ? matrix : null;
    } else {
      matrix = readMatrix(toVersion, "");
      response = withResponse ? readMatrix(toVersion, RESPONSE_SUFFIX) : null;
    }
    long version = nextVersion();
    writeMatrix(version, "", matrix);
    long responseVersion = 0;
    if (response != null) {
      writeMatrix(version, RESPONSE_SUFFIX, response);
      responseVersion = nextResponseVersion();
    }
    long generation = sendPublish(version, responseVersion, (int) Math.round(Math.sqrt(matrix.length)),
        "trainer run " + id + " rollback to v" + toVersion);
    Publish p = Publish.newBuilder().setVersion(version).setStep(info().getStep()).setAtUnixMs(System.currentTimeMillis())
        .setReason("rollback to v" + toVersion).setRAt1(rollbackR1(toVersion)).setResponseVersion(responseVersion)
        .setIndexGeneration(generation).build();
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

  private void confirmPendingPublish() throws Exception {
    if (pendingVersion == 0) {
      return;
    }
    log.info("run {}: completing the publish of version {} (the trainer stopped before it was confirmed)", id,
        pendingVersion);
    long generation = sendPublish(pendingVersion, pendingResponseVersion, adapter.dim(),
        "trainer run " + id + " step " + pendingStep + " (resumed)");
    recordPublish(pendingVersion, pendingStep, info().hasLatest() ? info().getLatest().getRAt1() : 0, "improved",
        pendingResponseVersion, generation);
  }

  private void recordPublish(long version, long step, double r1, String reason, long responseVersion, long generation)
      throws IOException {
    Publish p = Publish.newBuilder().setVersion(version).setStep(step).setRAt1(r1)
        .setAtUnixMs(System.currentTimeMillis()).setReason(reason).setResponseVersion(responseVersion)
        .setIndexGeneration(generation).build();
    synchronized (lock) {
      info.addPublishes(p);
    }
    pendingVersion = 0;
    pendingStep = 0;
    pendingResponseVersion = 0;
    checkpoint();
    emit(RunEvent.newBuilder().setStep(step).setPublish(p));
    if (responseVersion > 0) {
      log.info("run {}: published context adapter v{}, response adapter v{} and index generation {} at step {}"
          + " (held-out {})", id, version, responseVersion, generation, step, r1);
    } else {
      log.info("run {}: published context adapter v{} at step {} (held-out {})", id, version, step, r1);
    }
  }

  private long lastPublishedVersion() {
    RunInfo i = info();
    return i.getPublishesCount() == 0 ? 0 : i.getPublishes(i.getPublishesCount() - 1).getVersion();
  }

  /** The adapter published as {@code version} (suffix "-response": its response adapter), kept for rollbacks. */
  float[] readMatrix(long version, String suffix) throws IOException {
    Path file = dir.resolve("published").resolve("v" + version + suffix + ".bin");
    if (!Files.exists(file)) {
      throw DomainException.notFound("run " + id + " has no published version " + version + " (it published "
          + info().getPublishesList().stream().map(Publish::getVersion).toList() + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    float[] m = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(m);
    return m;
  }

  private void writeMatrix(long version, String suffix, float[] matrix) throws IOException {
    Path published = Files.createDirectories(dir.resolve("published"));
    ByteBuffer b = ByteBuffer.allocate(matrix.length * Float.BYTES);
    b.asFloatBuffer().put(matrix);
    dev.distillmesh.common.Durable.writeAtomically(published.resolve("v" + version + suffix + ".bin"), b.array());
  }

  void checkpoint() throws IOException {
    if (adapter == null) { // failed before the model existed: keep the record only
      RunManager.writeRecord(dir, info());
      return;
    }
    RunInfo snapshot = info();
    Checkpoint.Response response = responseAdapter == null ? null : new Checkpoint.Response(responseAdam.steps(),
        responseAdapter.values(), responseAdam.firstMoment(), responseAdam.secondMoment(), pendingResponseVersion);
    new Checkpoint(snapshot.getStep(), position, adam.steps(), adapter.dim(), adapter.values(), adam.firstMoment(),
        adam.secondMoment(), pendingVersion, pendingStep, snapshot, response).write(dir);
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
