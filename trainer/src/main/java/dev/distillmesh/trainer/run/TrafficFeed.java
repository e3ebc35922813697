package dev.distillmesh.trainer.run;

import java.util.List;
import java.util.Map;

/**
 * Where a TRAFFIC run's queries come from: the student's TakeTraffic in the single-machine default
 * ({@link StudentTrafficFeed}), the traffic topic in scale-out mode. The run journals what a take
 * returns before it trains on it ({@link TrafficJournal}); a feed on a log says where each query is
 * on it, so that a resumed run reads on from what its journal holds, and commits what its
 * checkpoints cover. Used by the run's thread only.
 */
public interface TrafficFeed extends AutoCloseable {
  /**
   * One query to train on.
   *
   * @param partition its partition on the log, or -1 for a feed without offsets
   * @param offset its offset in that partition (-1 without)
   */
  record Query(String text, int partition, long offset) {
    public boolean onLog() {
      return partition >= 0;
    }
  }

  /**
   * What one take returned.
   *
   * @param dropped queries the source dropped since the previous take because the run fell behind
   */
  record Taken(List<Query> queries, long dropped) {
    public Taken {
      queries = List.copyOf(queries);
    }
  }

  /** Opens a run's feed. */
  interface Factory {
    TrafficFeed open(String runId, String collection);
  }

  /**
   * Called once, before the first take, with the last offset of each partition the run's journal
   * already holds (empty for a new run): reading goes on after them.
   */
  default void resumeAfter(Map<Integer, Long> journaled) {}

  /** The next queries of the run's collection, about {@code max} at most; may be empty after a short wait. */
  Taken take(int max) throws Exception;

  /**
   * A checkpoint now covers every query up to these offsets (per partition, inclusive): a log feed
   * commits them, so a later run of the collection starts after them.
   */
  default void covered(Map<Integer, Long> lastTrained) {}

  @Override
  default void close() {}
}
