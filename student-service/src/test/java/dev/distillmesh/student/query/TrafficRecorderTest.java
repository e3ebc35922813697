package dev.distillmesh.student.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The recorder alone: bound, drop counting, sampling, filtering, ordering, concurrency. */
class TrafficRecorderTest {
  private static List<String> questions(TrafficRecorder.Taken taken) {
    List<String> out = new ArrayList<>();
    for (TrafficRecorder.Item item : taken.items()) {
      out.add(item.question());
    }
    return out;
  }

  @Test
  void keepsAtMostCapacityDropsTheNewestAndCountsDropsUntilTheNextTake() {
    TrafficRecorder r = new TrafficRecorder(3, 1.0);
    for (int i = 0; i < 5; i++) {
      r.offerAnswer("faq", "q" + i);
    }
    TrafficRecorder.Taken first = r.take(0, "");
    assertEquals(List.of("q0", "q1", "q2"), questions(first), "the oldest are kept, the newest dropped");
    assertEquals(2, first.dropped());
    assertEquals(0, first.remaining());

    r.offerAnswer("faq", "q5");
    TrafficRecorder.Taken second = r.take(0, "");
    assertEquals(List.of("q5"), questions(second), "a take frees room");
    assertEquals(0, second.dropped(), "the drop count restarts at every take");
  }

  @Test
  void takeReturnsTheOldestFirstUpToMaxItemsAndRemovesThem() {
    TrafficRecorder r = new TrafficRecorder(100, 1.0);
    for (int i = 0; i < 10; i++) {
      r.offerAnswer("faq", "q" + i);
    }
    TrafficRecorder.Taken first = r.take(4, "");
    assertEquals(List.of("q0", "q1", "q2", "q3"), questions(first));
    assertEquals(6, first.remaining());
    TrafficRecorder.Taken rest = r.take(0, "");
    assertEquals(List.of("q4", "q5", "q6", "q7", "q8", "q9"), questions(rest));
    assertEquals(0, rest.remaining());
    assertEquals(List.of(), r.take(0, "").items(), "what was taken is gone");
  }

  @Test
  void itemsCarryKindCollectionTextAndTime() {
    TrafficRecorder r = new TrafficRecorder(10, 1.0);
    long before = System.currentTimeMillis();
    r.offerAnswer("faq", "why?");
    r.offerRespond("chat", List.of("hi", "how are you?"));
    List<TrafficRecorder.Item> items = r.take(0, "").items();
    assertEquals(new TrafficRecorder.Item(TrafficRecorder.Kind.ANSWER, "faq", "why?", List.of(),
        items.get(0).servedAtUnixMs()), items.get(0));
    assertEquals(new TrafficRecorder.Item(TrafficRecorder.Kind.RESPOND, "chat", "", List.of("hi", "how are you?"),
        items.get(1).servedAtUnixMs()), items.get(1));
    assertTrue(items.get(0).servedAtUnixMs() >= before && items.get(1).servedAtUnixMs() <= System.currentTimeMillis());
  }

  @Test
  void aCollectionFilterTakesOnlyThatCollectionAndLeavesTheRestInOrder() {
    TrafficRecorder r = new TrafficRecorder(100, 1.0);
    for (int i = 0; i < 6; i++) {
      r.offerAnswer(i % 2 == 0 ? "even" : "odd", "q" + i);
    }
    TrafficRecorder.Taken even = r.take(2, "even");
    assertEquals(List.of("q0", "q2"), questions(even));
    assertEquals(4, even.remaining());
    assertEquals(List.of(), r.take(0, "unknown").items());
    assertEquals(List.of("q1", "q3", "q4", "q5"), questions(r.take(0, "")));
  }

  @Test
  void sampleRateZeroKeepsNothingAndOneKeepsAll() {
    TrafficRecorder none = new TrafficRecorder(10_000, 0.0);
    TrafficRecorder all = new TrafficRecorder(10_000, 1.0);
    for (int i = 0; i < 5000; i++) {
      none.offerAnswer("faq", "q");
      all.offerAnswer("faq", "q");
    }
    TrafficRecorder.Taken nothing = none.take(0, "");
    assertEquals(0, nothing.items().size());
    assertEquals(0, nothing.dropped(), "unsampled queries are not drops");
    assertEquals(5000, all.take(10_000, "").items().size());
  }

  @Test
  void aSampleRateKeepsAboutThatFraction() {
    TrafficRecorder r = new TrafficRecorder(100_000, 0.25);
    int offers = 20_000;
    for (int i = 0; i < offers; i++) {
      r.offerAnswer("faq", "q");
    }
    int kept = r.take(10_000, "").items().size();
    // Binomial(20000, 0.25): mean 5000, standard deviation about 61; the band is over 8 deviations wide each way.
    assertTrue(kept > 4500 && kept < 5500, "kept " + kept + " of " + offers + " at rate 0.25");
  }

  @Test
  void capacityZeroRecordsNothingAndCountsNoDrops() {
    TrafficRecorder r = new TrafficRecorder(0, 1.0);
    r.offerAnswer("faq", "q");
    r.offerRespond("chat", List.of("hi"));
    TrafficRecorder.Taken taken = r.take(0, "");
    assertEquals(List.of(), taken.items());
    assertEquals(0, taken.dropped());
    assertEquals(0, taken.remaining());
  }

  @Test
  void maxItemsOutOfRangeIsInvalidArgumentNamingTheRange() {
    TrafficRecorder r = new TrafficRecorder(10, 1.0);
    for (int bad : new int[] {-1, 10_001}) {
      DomainException e = assertThrows(DomainException.class, () -> r.take(bad, ""));
      assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind());
      assertEquals("max_items must be in 1..10000 (0 means 1000), got " + bad, e.getMessage());
    }
    assertEquals(0, r.take(10_000, "").items().size());
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TrafficRecorder(-1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new TrafficRecorder(10, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new TrafficRecorder(10, Double.NaN));
  }

  @Test
  void concurrentOffersBelowCapacityLoseNothingAndAtCapacityKeepExactlyCapacity() throws Exception {
    int threads = 4;
    int perThread = 5000;
    TrafficRecorder roomy = new TrafficRecorder(threads * perThread, 1.0);
    TrafficRecorder tight = new TrafficRecorder(threads * perThread / 2, 1.0);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            roomy.offerAnswer("faq", thread + ":" + i);
            tight.offerAnswer("faq", thread + ":" + i);
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    TrafficRecorder.Taken taken;
    long dropped = 0;
    do {
      taken = roomy.take(10_000, "");
      order.addAll(questions(taken));
      dropped += taken.dropped();
    } while (!taken.items().isEmpty());
    seen.addAll(order);
    assertEquals(threads * perThread, order.size());
    assertEquals(threads * perThread, seen.size(), "no duplicates");
    assertEquals(0, dropped);
    // Each thread's own queries come out in the order it offered them.
    int[] next = new int[threads];
    for (String q : order) {
      String[] parts = q.split(":");
      int thread = Integer.parseInt(parts[0]);
      assertEquals(next[thread]++, Integer.parseInt(parts[1]), "order within thread " + thread);
    }

    TrafficRecorder.Taken full = tight.take(10_000, "");
    assertEquals(threads * perThread / 2, full.items().size());
    assertEquals(threads * perThread / 2, full.dropped());
  }
}
