package dev.distillmesh.trainer.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The teacher's scores of (context, candidate) pairs a run has asked about, bounded in bytes: a
 * labelled run asks about the same questions every epoch, and a traffic run about the same popular
 * questions, and their candidates change little from step to step. A pair is kept under a 128-bit
 * key (a 64-bit hash of each of its two texts), so an entry costs the same whatever the
 * texts' length; least recently used pairs go first. Valid because a teacher scores each pair on
 * its own (the contract's scores do not depend on the other candidates of a request). Used by the
 * run's thread only.
 */
final class PairScoreCache {
  /** What one entry costs: the key, the boxed score and the map's node, rounded up. */
  static final int BYTES_PER_ENTRY = 96;

  private record Key(long context, long candidate) {}

  private final long maxEntries;
  private final Map<Key, Float> scores;

  /** @param maxBytes the most this cache may hold */
  PairScoreCache(long maxBytes) {
    this.maxEntries = Math.max(0, maxBytes / BYTES_PER_ENTRY);
    this.scores = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Float> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The score of the pair, or null when it is not cached. */
  Float get(String context, String candidate) {
    return scores.get(key(context, candidate));
  }

  void put(String context, String candidate, float score) {
    if (maxEntries > 0) {
      scores.put(key(context, candidate), score);
    }
  }

  int size() {
    return scores.size();
  }

  private static Key key(String context, String candidate) {
    return new Key(hash(context), hash(candidate));
  }

  /** A 64-bit hash of the text (FNV-1a over its UTF-16 units, then a finalising mix). */
  private static long hash(String text) {
    long h = 0xcbf29ce484222325L ^ text.length();
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
