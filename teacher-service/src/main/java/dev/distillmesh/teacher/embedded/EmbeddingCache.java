package dev.distillmesh.teacher.embedded;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Candidate embeddings of one encoder, bounded by memory and evicted least-recently-used, keyed by
 * the SHA-256 of the text (its first 128 bits) so a key costs 16 bytes however long the passage.
 * A collision would need a second preimage of SHA-256, so one client cannot make another's text
 * score as a different one. Thread-safe.
 */
final class EmbeddingCache {
  private record Key(long high, long low) {}

  private static final int ENTRY_OVERHEAD_BYTES = 96;

  private final Cache<Key, float[]> cache;

  /** @param maxBytes memory for vectors and bookkeeping; 0 disables the cache */
  EmbeddingCache(long maxBytes) {
    this.cache = CacheBuilder.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Key k, float[] v) -> v.length * Float.BYTES + ENTRY_OVERHEAD_BYTES)
        .recordStats()
        .build();
  }

  static Object keyOf(String text) {
    ByteBuffer hash = ByteBuffer.wrap(Hashing.sha256().hashString(text, StandardCharsets.UTF_8).asBytes());
    return new Key(hash.getLong(), hash.getLong());
  }

  /** The cached vector for a key from {@link #keyOf}, or null. */
  float[] get(Object key) {
    return cache.getIfPresent((Key) key);
  }

  void put(Object key, float[] vector) {
    cache.put((Key) key, vector);
  }

  long size() {
    return cache.size();
  }

  long hits() {
    return cache.stats().hitCount();
  }

  long lookups() {
    return cache.stats().requestCount();
  }
}
