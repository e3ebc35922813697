package dev.distillmesh.trainer.clients;

import dev.distillmesh.trainer.run.ContextRollout;

/** The single-machine rollout: LoadAdapter on the student-service the trainer is configured with. */
public final class StudentPush implements ContextRollout {
  private final StudentLink student;

  public StudentPush(StudentLink student) {
    this.student = student;
  }

  @Override
  public long servedVersion(String collection) {
    return student.modelInfo(collection).contextVersion();
  }

  @Override
  public String publish(String collection, long version, int dim, float[] matrix, String description, String runId,
      double heldOut) {
    student.publishContextAdapter(collection, version, dim, matrix, description);
    return "loaded into the student";
  }
}
