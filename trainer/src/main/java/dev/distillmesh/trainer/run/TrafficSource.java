package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * TRAFFIC: the queries the student served on the run's collection, as they arrive from the run's
 * {@link TrafficFeed} (no gold). What is taken is journaled ({@link TrafficJournal}) before it is
 * trained on; a resumed run trains what the journal holds past its checkpointed position, and its
 * feed reads on after the last journaled offset. So every query is trained once into what the run
 * publishes, whatever was killed when.
 */
final class TrafficSource implements BatchSource {
  private static final long WAIT_MILLIS = 200;

  private final TrafficFeed feed;
  private final StudentLink student;
  private final String collection;
  private final int batchSize;
  private final TrafficJournal journal;
  private final Consumer<String> message;
  private final ArrayDeque<TrafficFeed.Query> queue = new ArrayDeque<>();
  /** Per partition of the log, the offset of the last query trained (what a checkpoint covers). */
  private final Map<Integer, Long> lastTrained = new HashMap<>();
  private long position;
  private long taken;
  private long dropped;

  /**
   * @param position queries trained before (0 for a new run); the journal's later ones are queued
   * @param message the run's status message while it waits for traffic
   */
  TrafficSource(TrafficFeed feed, StudentLink student, String collection, int batchSize, TrafficJournal journal,
      long position, Consumer<String> message) throws IOException {
    this.feed = feed;
    this.student = student;
    this.collection = collection;
    this.batchSize = batchSize;
    this.journal = journal;
    this.position = position;
    this.message = message;
    List<TrafficFeed.Query> journaled = journal.recover(); // empty for a new run
    int trained = (int) Math.min(position, journaled.size());
    Map<Integer, Long> lastJournaled = new HashMap<>();
    for (int i = 0; i < journaled.size(); i++) {
      TrafficFeed.Query q = journaled.get(i);
      if (q.onLog()) {
        lastJournaled.merge(q.partition(), q.offset(), Math::max);
        if (i < trained) {
          lastTrained.merge(q.partition(), q.offset(), Math::max);
        }
      }
    }
    queue.addAll(journaled.subList(trained, journaled.size()));
    feed.resumeAfter(lastJournaled);
  }

  @Override
  public Batch next() throws Exception {
    if (queue.size() < batchSize) {
      TrafficFeed.Taken t = feed.take(Math.max(256, batchSize * 4));
      journal.append(t.queries()); // before training: a crash after this point loses none of them
      queue.addAll(t.queries());
      taken += t.queries().size();
      dropped += t.dropped();
    }
    if (queue.isEmpty()) {
      message.accept("waiting for traffic on collection " + collection);
      Thread.sleep(WAIT_MILLIS);
      return null;
    }
    List<String> texts = new ArrayList<>(batchSize);
    while (!queue.isEmpty() && texts.size() < batchSize) {
      TrafficFeed.Query q = queue.poll();
      texts.add(q.text());
      if (q.onLog()) {
        lastTrained.merge(q.partition(), q.offset(), Math::max);
      }
    }
    position += texts.size();
    List<float[]> queries = new ArrayList<>(texts.size());
    Collections.addAll(queries, student.encode(texts, Tower.CONTEXT));
    message.accept("");
    return new Batch(texts, queries, Collections.nCopies(texts.size(), -1));
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void checkpointed() {
    feed.covered(Map.copyOf(lastTrained));
  }

  @Override
  public long taken() {
    return taken;
  }

  @Override
  public long dropped() {
    return dropped;
  }

  @Override
  public void close() {
    feed.close();
  }
}
