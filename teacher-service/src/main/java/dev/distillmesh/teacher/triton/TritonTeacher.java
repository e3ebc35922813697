package dev.distillmesh.teacher.triton;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.common.resilience.ResilienceInterceptor;
import dev.distillmesh.common.resilience.ResilienceSettings;
import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.proto.kserve.InferParameter;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.proto.kserve.ModelMetadataResponse;
import dev.distillmesh.teacher.Sampling;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.Teacher;
import dev.distillmesh.teacher.TeacherModel;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Triton teacher backend: a client of language models served by NVIDIA Triton Inference Server
 * over the KServe v2 gRPC protocol ({@link TritonClient}). The models it calls, all tensors sent and
 * received as raw contents ({@link TensorCodec}):
 *
 * <ul>
 *   <li><b>scorer</b> (required, default {@code scorer}): inputs {@code context} and {@code response},
 *       BYTES, shape [N, 1]; outputs {@code loglik_sum} FP32 [N, 1], the sum over the response's
 *       tokens of log P(token | context, earlier response tokens), and {@code token_count} INT32
 *       [N, 1], the response's token count (never 0). N is at most
 *       {@link TritonSettings#maxBatchPairs}, which must not exceed the model's {@code max_batch_size}.
 *       LOG_LIKELIHOOD = loglik_sum / token_count. MUTUAL_INFORMATION = (loglik(r|c) − mean over the
 *       dummy contexts {@link #DUMMY_CONTEXTS} of loglik(r|d)) / token_count(r|c); the dummy-context
 *       mean is cached per response text (bounded, least recently used evicted first).
 *   <li><b>selector</b> (optional, default none): inputs as the scorer's; output {@code probability}
 *       FP32 [N, 1] in [0, 1], the COHERENCE score. COHERENCE is in {@link #kinds()} only when a
 *       selector is configured.
 *   <li><b>generator</b> (optional, default {@code generator}): input {@code text_input} BYTES [1]
 *       (the context); sampling as request parameters, read by a Python-backend model through
 *       {@code request.parameters()}: {@code n}, {@code top_k}, {@code min_length}, {@code max_tokens},
 *       {@code seed} as int64 (Triton rejects uint64 custom parameters; seed 0 means random),
 *       {@code top_p} and {@code temperature} as double; output {@code text_output} BYTES [n]. One
 *       ModelInfer per context, run concurrently.
 * </ul>
 *
 * <p>Outputs of shape [N] are accepted as well as [N, 1]. A response that breaks these contracts
 * fails the request with INTERNAL naming the model and the fault.
 *
 * <p>Guarantees: concurrent {@code score} calls are gathered per model by a {@link DynamicBatcher}
 * into ModelInfer calls of at most {@code maxBatchPairs} pairs; at most {@code queueCapacity} pairs
 * wait per model and a request that does not fit fails at once with RESOURCE_EXHAUSTED. A request
 * whose deadline has passed is never sent: its result fails with DEADLINE_EXCEEDED when the deadline
 * passes and its queued pairs are dropped. Readiness (ServerReady, then ModelReady of every
 * configured model, and once per model a ModelMetadata check against its contract) is refreshed by
 * a background poller, so {@link #ready()} and {@link #models()} are cheap; a request for a model
 * that is not ready fails with UNAVAILABLE saying why. Thread-safe; {@link #close()} stops the
 * poller, fails queued work with UNAVAILABLE and, when this object built the channel, shuts it down.
 */
public final class TritonTeacher implements Teacher {
  /** The contexts whose mean log-likelihood of a response stands in for log P(r). */
  public static final List<String> DUMMY_CONTEXTS = List.of(".", "<PAD>", "<UNK>");

  /** Responses whose dummy-context log-likelihood is remembered. */
  public static final int DUMMY_CACHE_ENTRIES = 100_000;

  private static final Logger log = LoggerFactory.getLogger(TritonTeacher.class);
  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  /** One (context, response) pair, with the deadline of the request it belongs to. */
  private record Pair(String context, String response, Deadline deadline) {}

  /** The scorer's answer for one pair. */
  private record LogLik(float sum, int tokens) {}

  /** A configured model's readiness at the last poll, and why it is not ready. */
  private record ModelState(boolean ready, String reason) {}

  private final TritonSettings settings;
  private final TritonClient client;
  private final ManagedChannel ownedChannel;
  private final Map<String, String> modelsByRole = new LinkedHashMap<>();
  private final Map<String, ModelContract> contractsByRole = new HashMap<>();
  private final Set<ScoreKind> kinds;
  private final DynamicBatcher<Pair, LogLik> scorer;
  private final DynamicBatcher<Pair, Float> selector;
  private final Cache<String, Float> dummyLogLik =
      CacheBuilder.newBuilder().maximumSize(DUMMY_CACHE_ENTRIES).build();
  private final Map<String, List<String>> contractProblems = new HashMap<>(); // guarded by this
  private final ScheduledExecutorService poller;
  private final ScheduledExecutorService timers;
  private volatile Map<String, ModelState> states;
  private volatile boolean lastReady;

  /** {@link #connect(TritonSettings, ClientTls)} over plaintext. */
  public static TritonTeacher connect(TritonSettings settings) {
    return connect(settings, ClientTls.PLAINTEXT);
  }

  /**
   * Connects to Triton at {@code settings.target()}: a channel built by {@link Channels} (so with
   * {@code tls} and round-robin over the target's addresses) accepting messages up to
   * {@code maxMessageBytes}, wrapped in a {@link ResilienceInterceptor} with
   * {@code ResilienceSettings.defaults("triton")}. The returned teacher owns the channel.
   *
   * @throws IllegalArgumentException when a TLS file is missing or invalid
   */
  public static TritonTeacher connect(TritonSettings settings, ClientTls tls) {
    ManagedChannel channel = Channels.forTarget(settings.target(), tls)
        .maxInboundMessageSize(settings.maxMessageBytes())
        .build();
    Channel guarded = ClientInterceptors.intercept(channel,
        new ResilienceInterceptor(ResilienceSettings.defaults("triton")));
    return new TritonTeacher(guarded, channel, settings);
  }

  /**
   * A teacher over a channel the caller owns and closes (its max inbound message size should be
   * {@code settings.maxMessageBytes()}).
   */
  public TritonTeacher(Channel channel, TritonSettings settings) {
    this(channel, null, settings);
  }

  private TritonTeacher(Channel channel, ManagedChannel ownedChannel, TritonSettings settings) {
    this.settings = settings;
    this.ownedChannel = ownedChannel;
    this.client = new TritonClient(channel, settings.target(), settings.callTimeout());
    modelsByRole.put("scorer", settings.scorerModel());
    contractsByRole.put("scorer", ModelContract.SCORER);
    EnumSet<ScoreKind> k = EnumSet.of(ScoreKind.LOG_LIKELIHOOD, ScoreKind.MUTUAL_INFORMATION);
    if (settings.hasSelector()) {
      modelsByRole.put("selector", settings.selectorModel());
      contractsByRole.put("selector", ModelContract.SELECTOR);
      k.add(ScoreKind.COHERENCE);
    }
    if (settings.hasGenerator()) {
      modelsByRole.put("generator", settings.generatorModel());
      contractsByRole.put("generator", ModelContract.GENERATOR);
    }
    this.kinds = Collections.unmodifiableSet(k);
    Map<String, ModelState> initial = new HashMap<>();
    modelsByRole.values().forEach(m -> initial.put(m, new ModelState(false,
        "readiness of model '" + m + "' on Triton at " + settings.target() + " has not been checked yet")));
    this.states = initial;
    this.scorer = new DynamicBatcher<>("triton-" + settings.scorerModel(), this::runScorer,
        settings.maxBatchPairs(), 0, settings.queueCapacity());
    this.selector = settings.hasSelector()
        ? new DynamicBatcher<>("triton-" + settings.selectorModel(), this::runSelector,
            settings.maxBatchPairs(), 0, settings.queueCapacity())
        : null;
    this.timers = Executors.newSingleThreadScheduledExecutor(daemon("triton-deadlines"));
    this.poller = Executors.newSingleThreadScheduledExecutor(daemon("triton-readiness"));
    poller.scheduleWithFixedDelay(this::pollQuietly, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The scorer's and the selector's pair batchers, named "triton-" and the model. */
  @Override
  public Map<String, DynamicBatcher.Stats> batchStats() {
    Map<String, DynamicBatcher.Stats> stats = new LinkedHashMap<>();
    stats.put(scorer.name(), scorer.stats());
    if (selector != null) {
      stats.put(selector.name(), selector.stats());
    }
    return stats;
  }

  @Override
  public String backend() {
    return "triton";
  }

  @Override
  public Set<ScoreKind> kinds() {
    return kinds;
  }

  @Override
  public boolean canGenerate() {
    return settings.hasGenerator();
  }

  @Override
  public List<TeacherModel> models() {
    Map<String, ModelState> now = states;
    List<TeacherModel> models = new ArrayList<>();
    modelsByRole.forEach((role, model) -> models.add(new TeacherModel(model, role, 0f,
        "triton:" + model + "@" + settings.target(), now.get(model).ready())));
    return models;
  }

  /** True when, at the last poll, the server and every configured model were ready. */
  @Override
  public boolean ready() {
    return states.values().stream().allMatch(ModelState::ready);
  }

  @Override
  public String modelLabel(ScoreKind kind) {
    requireKind(kind);
    return "triton:" + (kind == ScoreKind.COHERENCE ? settings.selectorModel() : settings.scorerModel());
  }

  @Override
  public String generatorLabel() {
    return "triton:" + settings.generatorModel();
  }

  @Override
  public CompletableFuture<float[][]> score(ScoreKind kind, List<ScoreItem> items, CallDeadline callDeadline) {
    Deadline deadline = Deadlines.toGrpc(callDeadline);
    try {
      requireKind(kind);
      requireTime(deadline);
      return switch (kind) {
        case LOG_LIKELIHOOD -> likelihood(items, deadline, false);
        case MUTUAL_INFORMATION -> likelihood(items, deadline, true);
        case COHERENCE -> coherence(items, deadline);
        default -> throw new IllegalStateException("kinds() holds " + kind);
      };
    } catch (DomainException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<List<List<String>>> generate(List<String> contexts, Sampling sampling,
      CallDeadline callDeadline) {
    Deadline deadline = Deadlines.toGrpc(callDeadline);
    try {
      if (!settings.hasGenerator()) {
        throw DomainException.precondition("the Triton backend has no generator model configured; set the "
            + "generator model name (--triton-generator, e.g. '" + TritonSettings.DEFAULT_GENERATOR
            + "') to a model that Triton at " + settings.target() + " serves");
      }
      requireTime(deadline);
      String model = settings.generatorModel();
      requireReady(model);
      List<CompletableFuture<List<String>>> parts = new ArrayList<>(contexts.size());
      for (String context : contexts) {
        parts.add(client.infer(generateRequest(model, context, sampling), deadline)
            .thenApply(r -> client.bytesOutput(r, model, "text_output", sampling.n())));
      }
      return gather(parts, deadline, model, lists -> lists);
    } catch (DomainException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Asks Triton now for the readiness of the server and of every configured model, checking each
   * model's metadata against its contract until it has passed once. The poller calls this every
   * {@code pollInterval}; a failed check makes the model not ready, with the reason kept for errors.
   */
  public synchronized void refreshReadiness() {
    Duration timeout = HEALTH_TIMEOUT.compareTo(settings.callTimeout()) < 0 ? HEALTH_TIMEOUT : settings.callTimeout();
    String serverProblem = null;
    try {
      if (!client.serverReady(timeout)) {
        serverProblem = "Triton at " + settings.target() + " reports that it is not ready";
      }
    } catch (DomainException e) {
      serverProblem = e.getMessage();
    }
    Map<String, ModelState> next = new HashMap<>();
    for (Map.Entry<String, String> entry : modelsByRole.entrySet()) {
      String model = entry.getValue();
      next.put(model, serverProblem != null ? new ModelState(false, serverProblem)
          : checkModel(entry.getKey(), model, timeout));
    }
    states = next;
    boolean ready = ready();
    if (ready != lastReady) {
      lastReady = ready;
      if (ready) {
        log.info("Triton at {} is ready: {}", settings.target(), modelsByRole.values());
      } else {
        next.values().stream().filter(s -> !s.ready()).findFirst()
            .ifPresent(s -> log.warn("Triton backend not ready: {}", s.reason()));
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    scorer.close();
    if (selector != null) {
      selector.close();
    }
    timers.shutdownNow();
    if (ownedChannel != null) {
      ownedChannel.shutdown();
      try {
        if (!ownedChannel.awaitTermination(5, TimeUnit.SECONDS)) {
          ownedChannel.shutdownNow();
        }
      } catch (InterruptedException e) {
        ownedChannel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private ModelState checkModel(String role, String model, Duration timeout) {
    try {
      if (!client.modelReady(model, timeout)) {
        return new ModelState(false, "model '" + model + "' is not ready on Triton at " + settings.target());
      }
      List<String> problems = contractProblems.get(model);
      if (problems == null || !problems.isEmpty()) {
        ModelMetadataResponse metadata = client.modelMetadata(model, timeout);
        List<String> found = contractsByRole.get(role).problems(metadata);
        if (!found.isEmpty() && !found.equals(problems)) {
          log.warn("Triton at {}: model '{}' does not match the {} contract, so it is treated as not ready: {}",
              settings.target(), model, role, found);
        }
        contractProblems.put(model, found);
        problems = found;
      }
      if (!problems.isEmpty()) {
        return new ModelState(false, "model '" + model + "' on Triton at " + settings.target()
            + " does not match the " + role + " contract: " + String.join("; ", problems));
      }
      return new ModelState(true, "");
    } catch (DomainException e) {
      return new ModelState(false, e.getMessage());
    }
  }

  private void pollQuietly() {
    try {
      refreshReadiness();
    } catch (RuntimeException e) { // keep polling
      log.warn("Triton readiness check failed", e);
    }
  }

  private CompletableFuture<float[][]> likelihood(List<ScoreItem> items, Deadline deadline, boolean mutualInformation) {
    String model = settings.scorerModel();
    requireReady(model);
    List<Pair> pairs = pairs(items, deadline);
    Map<String, Float> dummyMeans = new HashMap<>();
    List<String> uncached = new ArrayList<>();
    if (mutualInformation) {
      for (String response : new LinkedHashSet<>(pairs.stream().map(Pair::response).toList())) {
        Float cached = dummyLogLik.getIfPresent(response);
        if (cached != null) {
          dummyMeans.put(response, cached);
        } else {
          uncached.add(response);
        }
      }
    }
    List<Pair> all = new ArrayList<>(pairs);
    for (String response : uncached) {
      for (String dummy : DUMMY_CONTEXTS) {
        all.add(new Pair(dummy, response, deadline));
      }
    }
    List<CompletableFuture<LogLik>> parts = scorer.submitAll(all);
    return gather(parts, deadline, model, results -> {
      for (int j = 0; j < uncached.size(); j++) {
        double sum = 0;
        for (int d = 0; d < DUMMY_CONTEXTS.size(); d++) {
          sum += results.get(pairs.size() + j * DUMMY_CONTEXTS.size() + d).sum();
        }
        float mean = (float) (sum / DUMMY_CONTEXTS.size());
        dummyMeans.put(uncached.get(j), mean);
        dummyLogLik.put(uncached.get(j), mean);
      }
      return shape(items, i -> {
        LogLik ll = results.get(i);
        if (ll.tokens() <= 0) {
          throw client.broken(model, "token_count is " + ll.tokens() + " for a response of "
              + pairs.get(i).response().length() + " characters; every response must have at least one token");
        }
        double logLik = mutualInformation ? ll.sum() - dummyMeans.get(pairs.get(i).response()) : ll.sum();
        return (float) (logLik / ll.tokens());
      });
    });
  }

  private CompletableFuture<float[][]> coherence(List<ScoreItem> items, Deadline deadline) {
    String model = settings.selectorModel();
    requireReady(model);
    List<CompletableFuture<Float>> parts = selector.submitAll(pairs(items, deadline));
    return gather(parts, deadline, model, results -> shape(items, i -> {
      float p = results.get(i);
      if (!(p >= 0f && p <= 1f)) {
        throw client.broken(model, "probability " + p + " is outside [0, 1]");
      }
      return p;
    }));
  }

  /** The scorer's batch function: one ModelInfer for all pairs (run on the batcher's thread). */
  private List<LogLik> runScorer(List<Pair> pairs) throws InterruptedException {
    String model = settings.scorerModel();
    ModelInferResponse response = inferPairs(model, pairs, "loglik_sum", "token_count");
    float[] sums = client.fp32Output(response, model, "loglik_sum", pairs.size());
    int[] counts = client.int32Output(response, model, "token_count", pairs.size());
    List<LogLik> out = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      out.add(new LogLik(sums[i], counts[i]));
    }
    return out;
  }

  /** The selector's batch function: one ModelInfer for all pairs (run on the batcher's thread). */
  private List<Float> runSelector(List<Pair> pairs) throws InterruptedException {
    String model = settings.selectorModel();
    ModelInferResponse response = inferPairs(model, pairs, "probability");
    float[] p = client.fp32Output(response, model, "probability", pairs.size());
    List<Float> out = new ArrayList<>(pairs.size());
    for (float v : p) {
      out.add(v);
    }
    return out;
  }

  /**
   * Sends the pairs as context/response BYTES [N, 1] and waits for the answer, under the latest
   * deadline among the pairs that still have time; fails without calling Triton if none has.
   */
  private ModelInferResponse inferPairs(String model, List<Pair> pairs, String... outputs) throws InterruptedException {
    Deadline latest = null;
    for (Pair p : pairs) {
      if (!p.deadline().isExpired() && (latest == null || p.deadline().compareTo(latest) > 0)) {
        latest = p.deadline();
      }
    }
    if (latest == null) {
      throw new DomainException(Kind.DEADLINE_EXCEEDED, "the deadline of every request in a batch for model '"
          + model + "' passed before it could be sent to Triton at " + settings.target());
    }
    List<Long> shape = List.of((long) pairs.size(), 1L);
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(bytesInput("context", shape))
        .addInputs(bytesInput("response", shape))
        .addRawInputContents(TensorCodec.encodeBytes(pairs.stream().map(Pair::context).toList()))
        .addRawInputContents(TensorCodec.encodeBytes(pairs.stream().map(Pair::response).toList()));
    for (String output : outputs) {
      request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(output));
    }
    try {
      return client.infer(request.build(), latest).get();
    } catch (ExecutionException e) {
      throw client.translate(e, model);
    }
  }

  private static ModelInferRequest generateRequest(String model, String context, Sampling s) {
    return ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(bytesInput("text_input", List.of(1L)))
        .addRawInputContents(TensorCodec.encodeBytes(List.of(context)))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("text_output"))
        .putParameters("n", int64(s.n()))
        .putParameters("top_k", int64(s.topK()))
        .putParameters("top_p", InferParameter.newBuilder().setDoubleParam(s.topP()).build())
        .putParameters("temperature", InferParameter.newBuilder().setDoubleParam(s.temperature()).build())
        .putParameters("min_length", int64(s.minLength()))
        .putParameters("max_tokens", int64(s.maxTokens()))
        .putParameters("seed", int64(s.seed()))
        .build();
  }

  private static InferParameter int64(long value) {
    return InferParameter.newBuilder().setInt64Param(value).build();
  }

  private static ModelInferRequest.InferInputTensor bytesInput(String name, List<Long> shape) {
    return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("BYTES").addAllShape(shape).build();
  }

  /**
   * Completes with {@code finish} of all parts' results, or fails with the first part's failure, or
   * with DEADLINE_EXCEEDED when the deadline passes first. Once it fails, unfinished parts are
   * cancelled, so queued pairs are dropped before they reach Triton.
   */
  private <T, R> CompletableFuture<R> gather(List<CompletableFuture<T>> parts, Deadline deadline, String model,
      Function<List<T>, R> finish) {
    CompletableFuture<R> result = new CompletableFuture<>();
    ScheduledFuture<?> timer = deadline.runOnExpiration(() -> result.completeExceptionally(
        new DomainException(Kind.DEADLINE_EXCEEDED, "the deadline passed before Triton at " + settings.target()
            + ", model '" + model + "', answered")), timers);
    for (CompletableFuture<T> part : parts) {
      part.whenComplete((v, error) -> {
        if (error != null) {
          result.completeExceptionally(client.translate(error, model));
        }
      });
    }
    CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenRun(() -> {
      try {
        result.complete(finish.apply(parts.stream().map(CompletableFuture::join).toList()));
      } catch (RuntimeException e) {
        result.completeExceptionally(client.translate(e, model));
      }
    });
    result.whenComplete((v, error) -> {
      timer.cancel(false);
      if (error != null) {
        parts.forEach(p -> p.cancel(false));
      }
    });
    return result;
  }

  private static List<Pair> pairs(List<ScoreItem> items, Deadline deadline) {
    List<Pair> pairs = new ArrayList<>();
    for (ScoreItem item : items) {
      for (String candidate : item.candidates()) {
        pairs.add(new Pair(item.context(), candidate, deadline));
      }
    }
    return pairs;
  }

  /** One row per item, one score per candidate, from the flat pair index. */
  private static float[][] shape(List<ScoreItem> items, IntFunction<Float> score) {
    float[][] out = new float[items.size()][];
    int k = 0;
    for (int i = 0; i < items.size(); i++) {
      out[i] = new float[items.get(i).candidates().size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = score.apply(k++);
      }
    }
    return out;
  }

  private void requireKind(ScoreKind kind) {
    if (!kinds.contains(kind)) {
      String hint = kind == ScoreKind.COHERENCE
          ? "; deploy a selector model and name it with --triton-selector to get COHERENCE"
          : "; RELEVANCE comes from the embedded backend";
      throw DomainException.precondition("the Triton backend cannot score " + kind + ": it gives " + kinds + hint);
    }
  }

  private void requireTime(Deadline deadline) {
    if (deadline.isExpired()) {
      throw new DomainException(Kind.DEADLINE_EXCEEDED, "the deadline passed before the request reached Triton at "
          + settings.target());
    }
  }

  private void requireReady(String model) {
    ModelState state = states.get(model);
    if (!state.ready()) {
      throw new DomainException(Kind.UNAVAILABLE, "Triton at " + settings.target() + ", model '" + model
          + "', is not ready: " + state.reason());
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
