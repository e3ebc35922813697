package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class PairScoreCacheTest {
  @Test
  void pairsAreRememberedWithinTheByteBoundLeastRecentlyUsedFirstOut() {
    PairScoreCache cache = new PairScoreCache(3 * PairScoreCache.BYTES_PER_ENTRY);
    cache.put("q", "a", 0.1f);
    cache.put("q", "b", 0.2f);
    cache.put("r", "a", 0.3f);
    assertEquals(0.1f, cache.get("q", "a"));
    assertEquals(0.3f, cache.get("r", "a"), "the same candidate for another context is another pair");
    cache.put("q", "c", 0.4f); // over the bound: (q, b) was used least recently
    assertEquals(3, cache.size());
    assertNull(cache.get("q", "b"));
    assertEquals(0.4f, cache.get("q", "c"));
    assertNull(cache.get("qa", ""), "the texts are kept apart: (qa, '') is not (q, a)");
  }

  @Test
  void aZeroBoundKeepsNothing() {
    PairScoreCache cache = new PairScoreCache(0);
    cache.put("q", "a", 1f);
    assertNull(cache.get("q", "a"));
  }
}
