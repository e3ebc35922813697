package dev.distillmesh.student.query;

import dev.distillmesh.student.adapter.Tower;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.encoder.Tokenized;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The two towers of the student up to their adapters: one shared backbone ({@link OnnxEncoder})
 * behind a dynamic batcher, with each tower's prefix. Which adapter a base embedding then gets
 * depends on the collection (the context adapters are in {@code adapter.AdapterStore}; a response
 * adapter is the index's projection). Tokenizing happens on the caller's thread, so the batcher's
 * single worker only pads, runs the model and pools.
 *
 * <p>Thread-safe. Owns the batcher (closed by {@link #close}); the encoder belongs to whoever
 * passed it in.
 */
public final class TowerEncoder implements AutoCloseable {
  private final OnnxEncoder encoder;
  private final DynamicBatcher<Tokenized, float[]> batcher;

  /** A text ready for the model, and what tokenizing did to it. */
  public record Prepared(Tokenized tokens, InputReport report) {}

  /**
   * @param maxBatch largest ONNX Runtime batch
   * @param maxWaitMicros longest wait for a batch to fill (0: run as soon as the worker is free)
   * @param queueCapacity texts that may wait before RESOURCE_EXHAUSTED
   */
  public TowerEncoder(OnnxEncoder encoder, int maxBatch, long maxWaitMicros, int queueCapacity) {
    this.encoder = encoder;
    this.batcher = new DynamicBatcher<>("encoder", batch -> Arrays.asList(encoder.embed(batch)),
        maxBatch, maxWaitMicros, queueCapacity);
  }

  /** Tokenizes one text with the tower's prefix (the query prefix for CONTEXT, passage for RESPONSE). */
  public Prepared prepare(String text, Tower tower) {
    EncoderSpec spec = encoder.spec();
    Tokenized t = encoder.tokenize(text, tower == Tower.CONTEXT ? spec.queryPrefix() : spec.passagePrefix());
    return new Prepared(t, new InputReport(t.tokens(), t.truncated(), 0));
  }

  /**
   * Joins dialogue turns (oldest first) into one context that fits the model: the oldest turns
   * are dropped until the rest fit; only when the newest turn alone is too long is it truncated.
   * Empty turns are skipped.
   */
  public Prepared prepareDialogue(List<String> turns) {
    int budget = encoder.spec().maxTokens() - encoder.specialTokens();
    String prefix = encoder.spec().queryPrefix();
    int used = encoder.countTokens(prefix);
    int first = turns.size();
    for (int i = turns.size() - 1; i >= 0; i--) {
      if (turns.get(i).isBlank()) {
        continue;
      }
      int cost = encoder.countTokens(turns.get(i));
      if (first < turns.size() && used + cost > budget) {
        break; // keep at least the newest turn, truncated if need be
      }
      used += cost;
      first = i;
    }
    List<String> kept = new ArrayList<>();
    int dropped = 0;
    for (int i = 0; i < turns.size(); i++) {
      if (turns.get(i).isBlank()) {
        continue;
      }
      if (i < first) {
        dropped++;
      } else {
        kept.add(turns.get(i).strip());
      }
    }
    Tokenized t = encoder.tokenize(String.join(" ", kept), prefix);
    return new Prepared(t, new InputReport(t.tokens(), t.truncated(), dropped));
  }

  /**
   * The backbone embedding of one prepared text, computed in a shared batch; not computed (fails
   * with DEADLINE_EXCEEDED) if it is still queued at {@code deadlineNanos}, a {@link
   * System#nanoTime()} value.
   */
  public CompletableFuture<float[]> embedBase(Prepared text, long deadlineNanos) {
    return batcher.submit(text.tokens(), deadlineNanos);
  }

  /**
   * Backbone embeddings of several texts: all queued or none (RESOURCE_EXHAUSTED); those still
   * queued at {@code deadlineNanos} are not computed (DEADLINE_EXCEEDED).
   */
  public List<CompletableFuture<float[]>> embedBase(List<Prepared> texts, long deadlineNanos) {
    List<Tokenized> tokens = new ArrayList<>(texts.size());
    for (Prepared p : texts) {
      tokens.add(p.tokens());
    }
    return batcher.submitAll(tokens, deadlineNanos);
  }

  /**
   * Backbone embeddings computed now on the caller's thread, bypassing the query queue: for bulk
   * ingestion, whose long passages would otherwise hold up short interactive queries.
   */
  public float[][] embedBaseNow(List<Prepared> texts) throws Exception {
    List<Tokenized> tokens = new ArrayList<>(texts.size());
    for (Prepared p : texts) {
      tokens.add(p.tokens());
    }
    return encoder.embed(tokens);
  }

  public int dimension() {
    return encoder.dimension();
  }

  public DynamicBatcher.Stats batchStats() {
    return batcher.stats();
  }

  public DynamicBatcher<Tokenized, float[]> batcher() {
    return batcher;
  }

  @Override
  public void close() {
    batcher.close();
  }
}
