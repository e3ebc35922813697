package dev.distillmesh.teacher.embedded;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.batch.DynamicBatcher;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.encoder.Tokenized;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One ensemble member at work: its encoder behind a dynamic batcher, and its candidate cache.
 * Contexts are always encoded; candidates are looked up in the cache (or among the candidates other
 * requests are encoding) and only the misses are encoded, shortest first, {@code maxBatch} at a time, so that a request with thousands of new
 * passages neither pads short ones to the longest nor takes more than one batch of the shared
 * queue at once (other requests' batches interleave with it).
 *
 * <p>Thread-safe. Owns the batcher and the encoder; {@link #close} closes both.
 */
final class MemberEncoder implements AutoCloseable {
  private final OnnxEncoder encoder;
  private final float weight;
  private final DynamicBatcher<Tokenized, float[]> batcher;
  private final EmbeddingCache cache;
  private final int maxBatch;
  /** Candidates being encoded right now, by key: a second request for one waits for the first. */
  private final ConcurrentHashMap<Object, CompletableFuture<float[]>> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong encoded = new AtomicLong();

  MemberEncoder(OnnxEncoder encoder, float weight, int maxBatch, long maxWaitMicros, int queueCapacity,
      long cacheBytes) {
    this.encoder = encoder;
    this.weight = weight;
    this.maxBatch = maxBatch;
    this.batcher = new DynamicBatcher<>(encoder.spec().name(), batch -> Arrays.asList(encoder.embed(batch)),
        maxBatch, maxWaitMicros, queueCapacity);
    this.cache = new EmbeddingCache(cacheBytes);
  }

  OnnxEncoder encoder() {
    return encoder;
  }

  float weight() {
    return weight;
  }

  /** Candidates encoded (cache misses) since start. */
  long encodedCandidates() {
    return encoded.get();
  }

  EmbeddingCache cache() {
    return cache;
  }

  /** The member's model name, which also names its batcher. */
  String name() {
    return batcher.name();
  }

  DynamicBatcher.Stats batchStats() {
    return batcher.stats();
  }

  /** Embeddings of the contexts (query prefix), in order; all queued or none (RESOURCE_EXHAUSTED). */
  CompletableFuture<float[][]> contexts(List<String> contexts) {
    List<Tokenized> tokens = new ArrayList<>(contexts.size());
    for (String c : contexts) {
      tokens.add(encoder.tokenize(c, encoder.spec().queryPrefix()));
    }
    return allOf(batcher.submitAll(tokens));
  }

  /**
   * Embeddings of the candidates (passage prefix), in order, from the cache where possible. A
   * candidate that another request is already encoding is waited for, not encoded again, so
   * concurrent requests over the same new passages cost one encoding each.
   *
   * @param keys {@link EmbeddingCache#keyOf} of each candidate, computed once for all members
   */
  CompletableFuture<float[][]> candidates(List<String> texts, List<Object> keys, CallDeadline deadline) {
    float[][] out = new float[texts.size()][];
    Map<Object, List<Integer>> mine = new HashMap<>();
    Map<Object, CompletableFuture<float[]>> minePending = new HashMap<>();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Object key = keys.get(i);
      float[] hit = cache.get(key);
      if (hit != null) {
        out[i] = hit;
        continue;
      }
      List<Integer> positions = mine.get(key);
      if (positions != null) {
        positions.add(i);
        continue;
      }
      CompletableFuture<float[]> fresh = new CompletableFuture<>();
      CompletableFuture<float[]> theirs = inFlight.putIfAbsent(key, fresh);
      if (theirs != null) {
        int position = i;
        // If that request fails (its own deadline, say), this one encodes the candidate itself below.
        waits.add(theirs.handle((v, error) -> {
          out[position] = v;
          return null;
        }));
      } else {
        positions = new ArrayList<>();
        positions.add(i);
        mine.put(key, positions);
        minePending.put(key, fresh);
      }
    }
    if (!mine.isEmpty()) {
      List<Miss> misses = new ArrayList<>(mine.size());
      for (Map.Entry<Object, List<Integer>> e : mine.entrySet()) {
        String text = texts.get(e.getValue().get(0));
        misses.add(new Miss(e.getKey(), e.getValue(), minePending.get(e.getKey()),
            encoder.tokenize(text, encoder.spec().passagePrefix())));
      }
      misses.sort(Comparator.comparingInt(m -> m.tokens().tokens()));
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int from = 0; from < misses.size(); from += maxBatch) {
        List<Miss> chunk = misses.subList(from, Math.min(misses.size(), from + maxBatch));
        chain = chain.thenCompose(ignored -> encodeChunk(chunk, out, deadline));
      }
      // Whatever happens to this request, nobody may wait forever on a key it promised to encode.
      chain.whenComplete((ignored, error) -> {
        for (Miss m : misses) {
          if (error != null) {
            m.pending().completeExceptionally(error);
          }
          inFlight.remove(m.key(), m.pending());
        }
      });
      waits.add(chain);
    }
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
      List<Integer> left = new ArrayList<>();
      for (int i = 0; i < out.length; i++) {
        if (out[i] == null) {
          left.add(i);
        }
      }
      if (left.isEmpty()) {
        return CompletableFuture.completedFuture(out);
      }
      List<String> leftTexts = new ArrayList<>(left.size());
      List<Object> leftKeys = new ArrayList<>(left.size());
      for (int i : left) {
        leftTexts.add(texts.get(i));
        leftKeys.add(keys.get(i));
      }
      return candidates(leftTexts, leftKeys, deadline).thenApply(vectors -> {
        for (int j = 0; j < left.size(); j++) {
          out[left.get(j)] = vectors[j];
        }
        return out;
      });
    });
  }

  private record Miss(Object key, List<Integer> positions, CompletableFuture<float[]> pending, Tokenized tokens) {}

  private CompletableFuture<Void> encodeChunk(List<Miss> chunk, float[][] out, CallDeadline deadline) {
    if (deadline.isExpired()) {
      return CompletableFuture.failedFuture(new DomainException(DomainException.Kind.DEADLINE_EXCEEDED,
          "the deadline passed while the teacher was encoding candidates (" + encoder.spec().name() + ")"));
    }
    List<Tokenized> tokens = new ArrayList<>(chunk.size());
    for (Miss m : chunk) {
      tokens.add(m.tokens());
    }
    List<CompletableFuture<float[]>> futures;
    try {
      futures = batcher.submitAll(tokens);
    } catch (DomainException e) {
      return CompletableFuture.failedFuture(e);
    }
    return allOf(futures).thenAccept(vectors -> {
      for (int i = 0; i < chunk.size(); i++) {
        Miss m = chunk.get(i);
        cache.put(m.key(), vectors[i]);
        for (int position : m.positions()) {
          out[position] = vectors[i];
        }
        m.pending().complete(vectors[i]);
      }
      encoded.addAndGet(chunk.size());
    });
  }

  private static CompletableFuture<float[][]> allOf(List<CompletableFuture<float[]>> futures) {
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      float[][] out = new float[futures.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = futures.get(i).join();
      }
      return out;
    });
  }

  @Override
  public void close() {
    batcher.close();
    try {
      encoder.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing encoder " + encoder.spec().name(), e);
    }
  }
}
