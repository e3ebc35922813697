package dev.distillmesh.teacher.triton;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the Triton server is and how the {@link TritonTeacher} talks to it. Immutable; the compact
 * constructor rejects values that cannot work, naming the field and what is allowed.
 *
 * @param target Triton's gRPC endpoint, {@code host:port} (Triton listens on 8001 by default)
 * @param scorerModel the scorer model (required): gives LOG_LIKELIHOOD and MUTUAL_INFORMATION
 * @param selectorModel the selector model, or "" for none: gives COHERENCE
 * @param generatorModel the generator model, or "" for none: enables {@code generate}
 * @param maxMessageBytes largest gRPC message accepted from Triton, at least 4 MiB
 * @param maxBatchPairs most (context, response) pairs sent in one ModelInfer; must not exceed the
 *     {@code max_batch_size} in the scorer's and selector's {@code config.pbtxt}
 * @param queueCapacity most pairs waiting per model; beyond that {@code score} fails at once with
 *     RESOURCE_EXHAUSTED. At least {@code maxBatchPairs}
 * @param pollInterval how often readiness (ServerReady, ModelReady) is refreshed
 * @param callTimeout the longest any single call to Triton may take, whatever the caller's deadline
 */
public record TritonSettings(
    String target,
    String scorerModel,
    String selectorModel,
    String generatorModel,
    int maxMessageBytes,
    int maxBatchPairs,
    int queueCapacity,
    Duration pollInterval,
    Duration callTimeout) {

  public static final String DEFAULT_SCORER = "scorer";
  public static final String DEFAULT_SELECTOR = "";
  public static final String DEFAULT_GENERATOR = "generator";
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 << 20;
  public static final int DEFAULT_MAX_BATCH_PAIRS = 64;
  public static final int DEFAULT_QUEUE_CAPACITY = 4096;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  public TritonSettings {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(scorerModel, "scorerModel");
    Objects.requireNonNull(selectorModel, "selectorModel");
    Objects.requireNonNull(generatorModel, "generatorModel");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(callTimeout, "callTimeout");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target must be Triton's gRPC host:port, e.g. localhost:8001; got an empty value");
    }
    if (scorerModel.isBlank()) {
      throw new IllegalArgumentException("scorerModel must name the scorer model deployed on Triton, e.g. '"
          + DEFAULT_SCORER + "'; got an empty value");
    }
    if (maxMessageBytes < (4 << 20)) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 4194304 (4 MiB, gRPC's default), got " + maxMessageBytes);
    }
    if (maxBatchPairs < 1) {
      throw new IllegalArgumentException("maxBatchPairs must be >= 1, got " + maxBatchPairs);
    }
    if (queueCapacity < maxBatchPairs) {
      throw new IllegalArgumentException("queueCapacity (" + queueCapacity + ") must be >= maxBatchPairs (" + maxBatchPairs + ")");
    }
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1 ms, got " + pollInterval);
    }
    if (callTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("callTimeout must be at least 1 ms, got " + callTimeout);
    }
  }

  /**
   * Scorer {@value #DEFAULT_SCORER}, no selector, generator {@value #DEFAULT_GENERATOR}, 64 MiB
   * messages, 64 pairs per ModelInfer, 4096 queued pairs per model, readiness every 2 s, 30 s per call.
   */
  public static TritonSettings defaults(String target) {
    return new TritonSettings(target, DEFAULT_SCORER, DEFAULT_SELECTOR, DEFAULT_GENERATOR,
        DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_BATCH_PAIRS, DEFAULT_QUEUE_CAPACITY,
        DEFAULT_POLL_INTERVAL, DEFAULT_CALL_TIMEOUT);
  }

  /** A copy with another selector model ("" for none). */
  public TritonSettings withSelector(String model) {
    return new TritonSettings(target, scorerModel, model, generatorModel, maxMessageBytes, maxBatchPairs,
        queueCapacity, pollInterval, callTimeout);
  }

  /** A copy with another generator model ("" for none). */
  public TritonSettings withGenerator(String model) {
    return new TritonSettings(target, scorerModel, selectorModel, model, maxMessageBytes, maxBatchPairs,
        queueCapacity, pollInterval, callTimeout);
  }

  /** A copy with another batch size and queue bound. */
  public TritonSettings withBatching(int maxBatchPairs, int queueCapacity) {
    return new TritonSettings(target, scorerModel, selectorModel, generatorModel, maxMessageBytes, maxBatchPairs,
        queueCapacity, pollInterval, callTimeout);
  }

  /** A copy with other readiness and call timings. */
  public TritonSettings withTimings(Duration pollInterval, Duration callTimeout) {
    return new TritonSettings(target, scorerModel, selectorModel, generatorModel, maxMessageBytes, maxBatchPairs,
        queueCapacity, pollInterval, callTimeout);
  }

  boolean hasSelector() {
    return !selectorModel.isBlank();
  }

  boolean hasGenerator() {
    return !generatorModel.isBlank();
  }
}
