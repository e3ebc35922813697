package dev.distillmesh.trainer.run;

/**
 * How a collection's context adapter reaches the student replicas: pushed to the one student
 * (LoadAdapter, the single-machine default), or rolled out through the mesh's log to every replica
 * (scale-out mode). Implementations fail with a {@code DomainException} naming the replica that
 * refused a version or that did not report it in time, never half-silently.
 */
public interface ContextRollout {
  /** The newest context adapter version of {@code collection} published or served (0: the identity). */
  long servedVersion(String collection);

  /**
   * Makes {@code matrix} the context adapter {@code version} of {@code collection} on every
   * replica, and returns once they serve it.
   *
   * @param heldOut the run's held-out metric for it (0: none), carried with the version
   * @return what happened, for the run's events, e.g. "rolled out to 3/3 replicas in 0.8 s"
   */
  String publish(String collection, long version, int dim, float[] matrix, String description, String runId,
      double heldOut);
}
