package dev.distillmesh.teacher.triton;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.teacher.Sampling;
import dev.distillmesh.teacher.ScoreItem;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.Teacher;
import dev.distillmesh.teacher.TeacherModel;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
 *       LOG_LIKELIHOOD = loglik_sum / token_count ({@link PairScorer}). MUTUAL_INFORMATION =
 *       (loglik(r|c) − mean over the dummy contexts of loglik(r|d)) / token_count(r|c); the
 *       dummy-context mean is cached per response text ({@link MutualInformation}).
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
 * fails the request with INTERNAL naming the model and the fault. The messages are built and read
 * by {@link KServeCodec}.
 *
 * <p>Guarantees: concurrent {@code score} calls are gathered per model by a {@link DynamicBatcher}
 * into ModelInfer calls of at most {@code maxBatchPairs} pairs; at most {@code queueCapacity} pairs
 * wait per model and a request that does not fit fails at once with RESOURCE_EXHAUSTED. A request
 * whose deadline has passed is never sent: its result fails with DEADLINE_EXCEEDED when the deadline
 * passes and its queued pairs are dropped. Readiness (ServerReady, then ModelReady of every
 * configured model, and once per model a ModelMetadata check against its contract) is refreshed by
 * a background poller ({@link TritonReadiness}), so {@link #ready()} and {@link #models()} are
 * cheap; a request for a model that is not ready fails with UNAVAILABLE saying why.
 *
 * <p>This class is the facade: it checks the kind, the deadline and readiness, then hands the work
 * to the part that does it. Thread-safe. It neither builds nor closes the channel (the server's
 * wiring does both); {@link #close()} stops the poller and fails queued work with UNAVAILABLE.
 */
public final class TritonTeacher implements Teacher {
  private final TritonSettings settings;
  private final TritonClient client;
  private final KServeCodec codec;
  private final TritonReadiness readiness;
  private final PairScorer pairs;
  private final MutualInformation mutualInformation;
  private final Set<ScoreKind> kinds;

  /**
   * A teacher over {@code channel}, which the caller owns and closes after this teacher. Its max
   * inbound message size should be {@code settings.maxMessageBytes()}. Starts polling readiness.
   */
  public TritonTeacher(Channel channel, TritonSettings settings) {
    this.settings = settings;
    this.client = new TritonClient(channel, settings.target(), settings.callTimeout());
    this.codec = new KServeCodec(settings.target());
    this.pairs = new PairScorer(client, codec, settings);
    this.mutualInformation = new MutualInformation(pairs);
    EnumSet<ScoreKind> k = EnumSet.of(ScoreKind.LOG_LIKELIHOOD, ScoreKind.MUTUAL_INFORMATION);
    if (settings.hasSelector()) {
      k.add(ScoreKind.COHERENCE);
    }
    this.kinds = Collections.unmodifiableSet(k);
    this.readiness = new TritonReadiness(client, settings);
  }

  /** The scorer's and the selector's pair batchers, named "triton-" and the model. */
  @Override
  public Map<String, DynamicBatcher.Stats> batchStats() {
    return pairs.batchStats();
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
    return readiness.models();
  }

  /** True when, at the last poll, the server and every configured model were ready. */
  @Override
  public boolean ready() {
    return readiness.ready();
  }

  @Override
  public String modelLabel(ScoreKind kind) {
    requireKind(kind);
    return "triton:" + model(kind);
  }

  @Override
  public String generatorLabel() {
    return "triton:" + settings.generatorModel();
  }

  @Override
  public CompletableFuture<float[][]> score(ScoreKind kind, List<ScoreItem> items, CallDeadline deadline) {
    try {
      requireKind(kind);
      requireTime(deadline);
      readiness.requireReady(model(kind));
      return switch (kind) {
        case LOG_LIKELIHOOD -> pairs.logLikelihood(items, deadline);
        case MUTUAL_INFORMATION -> mutualInformation.score(items, deadline);
        case COHERENCE -> pairs.coherence(items, deadline);
        default -> throw new IllegalStateException("kinds() holds " + kind);
      };
    } catch (DomainException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** One ModelInfer per context, run concurrently. */
  @Override
  public CompletableFuture<List<List<String>>> generate(List<String> contexts, Sampling sampling,
      CallDeadline deadline) {
    try {
      if (!settings.hasGenerator()) {
        throw DomainException.precondition("the Triton backend has no generator model configured; set the "
            + "generator model name (--triton-generator, e.g. '" + TritonSettings.DEFAULT_GENERATOR
            + "') to a model that Triton at " + settings.target() + " serves");
      }
      requireTime(deadline);
      String model = settings.generatorModel();
      readiness.requireReady(model);
      List<CompletableFuture<List<String>>> parts = new ArrayList<>(contexts.size());
      for (String context : contexts) {
        parts.add(client.infer(codec.generate(model, context, sampling), deadline)
            .thenApply(r -> codec.bytesOutput(r, model, "text_output", sampling.n())));
      }
      return client.gather(parts, deadline, model, lists -> lists);
    } catch (DomainException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Asks Triton now for the readiness of the server and of every configured model, checking each
   * model's metadata against its contract until it has passed once. The poller calls this every
   * {@code pollInterval}; a failed check makes the model not ready, with the reason kept for errors.
   */
  public void refreshReadiness() {
    readiness.refresh();
  }

  @Override
  public void close() {
    readiness.close();
    pairs.close();
  }

  /** The model that gives {@code kind}. */
  private String model(ScoreKind kind) {
    return kind == ScoreKind.COHERENCE ? settings.selectorModel() : settings.scorerModel();
  }

  private void requireKind(ScoreKind kind) {
    if (!kinds.contains(kind)) {
      String hint = kind == ScoreKind.COHERENCE
          ? "; deploy a selector model and name it with --triton-selector to get COHERENCE"
          : "; RELEVANCE comes from the embedded backend";
      throw DomainException.precondition("the Triton backend cannot score " + kind + ": it gives " + kinds + hint);
    }
  }

  private void requireTime(CallDeadline deadline) {
    if (deadline.isExpired()) {
      throw new DomainException(Kind.DEADLINE_EXCEEDED, "the deadline passed before the request reached Triton at "
          + settings.target());
    }
  }
}
