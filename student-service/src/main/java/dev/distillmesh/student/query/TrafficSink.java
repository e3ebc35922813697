package dev.distillmesh.student.query;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the query path hands the queries it answered, for a trainer: kept in memory for TakeTraffic
 * ({@link TrafficRecorder}, the single-machine default) or sent to the mesh's log (scale-out mode).
 * Called once the answer has been produced; an implementation never blocks and never throws.
 */
public interface TrafficSink {
  /** Offers an answered {@code Answer} query. */
  void offerAnswer(String collection, String question);

  /** Offers an answered {@code Respond} query (its turns, oldest first). */
  void offerRespond(String collection, List<String> turns);

  /** Whether to keep one query at {@code rate} (in [0, 1]): a draw per query, no draw at 0 or 1. */
  static boolean sampled(double rate) {
    return rate >= 1 || (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate);
  }

  /** Checks a sample rate from configuration. */
  static double checkRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be in [0, 1], got " + rate);
    }
    return rate;
  }
}
