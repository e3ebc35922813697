package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
import dev.distillmesh.trainer.clients.Traffic;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * TRAFFIC: the queries the student served on the run's collection, as they arrive (no gold). What
 * is taken is journaled ({@link TrafficJournal}) before it is trained on, because the student no
 * longer has it; a resumed run trains what the journal holds past its checkpointed position.
 */
final class TrafficSource implements BatchSource {
  private static final long WAIT_MILLIS = 200;

  private final StudentLink student;
  private final String collection;
  private final int batchSize;
  private final TrafficJournal journal;
  private final Consumer<String> message;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long position;
  private long taken;
  private long dropped;

  /**
   * @param position queries trained before (0 for a new run); the journal's later ones are queued
   * @param message the run's status message while it waits for traffic
   */
  TrafficSource(StudentLink student, String collection, int batchSize, TrafficJournal journal, long position,
      Consumer<String> message) throws IOException {
    this.student = student;
    this.collection = collection;
    this.batchSize = batchSize;
    this.journal = journal;
    this.position = position;
    this.message = message;
    List<String> journaled = journal.recover(); // empty for a new run
    queue.addAll(journaled.subList((int) Math.min(position, journaled.size()), journaled.size()));
  }

  @Override
  public Batch next() throws Exception {
    if (queue.size() < batchSize) {
      Traffic t = student.takeTraffic(Math.max(256, batchSize * 4), collection);
      List<String> fresh = t.queries().stream().filter(q -> !q.isBlank()).toList();
      journal.append(fresh); // the student no longer has them
      queue.addAll(fresh);
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
      texts.add(queue.poll());
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
  public long taken() {
    return taken;
  }

  @Override
  public long dropped() {
    return dropped;
  }
}
