package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Traffic;

/**
 * The single-machine default's traffic: taken out of the student's memory with TakeTraffic. A take
 * removes the queries from the student, so the run's journal is their only copy after it.
 */
public final class StudentTrafficFeed implements TrafficFeed {
  private final StudentLink student;
  private final String collection;

  public StudentTrafficFeed(StudentLink student, String collection) {
    this.student = student;
    this.collection = collection;
  }

  @Override
  public Taken take(int max) {
    Traffic t = student.takeTraffic(max, collection);
    return new Taken(t.queries().stream().filter(q -> !q.isBlank()).map(q -> new Query(q, -1, -1)).toList(),
        t.dropped());
  }
}
