package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.learn.QueryAdapter;
import dev.distillmesh.trainer.run.model.Evaluation;
import dev.distillmesh.trainer.run.model.Publish;
import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a run's adapters as new versions of its collection's (versions only move forward):
 * the context adapter to the student, the response adapter to the index, which re-projects the
 * collection from its stored base vectors (one matrix crosses the network, not the collection);
 * and rolls back to an earlier one. A publish is recorded as pending, with its matrices archived and
 * checkpointed, before it is sent, so a crash between here and the student's answer is settled on
 * resume ({@link #confirmPending}) by asking the student and the index which versions they serve;
 * steps already taken are not repeated. Used by the run's thread, or by a rollback while no thread runs.
 */
final class Publisher {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

  /** A publish recorded but not confirmed; version 0 when none is pending. */
  record Pending(long version, long step, long responseVersion) {
    static final Pending NONE = new Pending(0, 0, 0);
  }

  /** Writes the run's checkpoint (or, before training, its record). */
  @FunctionalInterface
  interface Checkpointer {
    void write() throws IOException;
  }

  private final String runId;
  private final String collection;
  private final RunRecord record;
  private final AdapterArchive archive;
  private final StudentLink student;
  private final ContextRollout rollout;
  private final IndexLink index;
  private final Checkpointer checkpoint;
  private final Consumer<Publish> announce;
  private Pending pending = Pending.NONE;

  /** @param announce told of every publish once it is recorded */
  Publisher(String runId, String collection, RunRecord record, AdapterArchive archive, StudentLink student,
      ContextRollout rollout, IndexLink index, Checkpointer checkpoint, Consumer<Publish> announce) {
    this.rollout = rollout;
    this.runId = runId;
    this.collection = collection;
    this.record = record;
    this.archive = archive;
    this.student = student;
    this.index = index;
    this.checkpoint = checkpoint;
    this.announce = announce;
  }

  Pending pending() {
    return pending;
  }

  /** The pending publish a checkpoint held. */
  void restore(Pending saved) {
    pending = saved;
  }

  /**
   * Publishes the adapters as the collection's next context adapter version (and, for a run that
   * trains it, the response adapter as its next projection).
   */
  void publish(Adapters adapters, long step, double r1, String reason) throws Exception {
    long version = nextVersion();
    archive.write(version, AdapterArchive.Side.CONTEXT, adapters.context().toFloats());
    long responseVersion = 0;
    if (adapters.response() != null) {
      archive.write(version, AdapterArchive.Side.RESPONSE, adapters.response().toFloats());
      responseVersion = nextResponseVersion();
    }
    pending = new Pending(version, step, responseVersion);
    checkpoint.write();
    Sent sent = send(version, responseVersion, adapters.dim(),
        "trainer run " + runId + " step " + step + " (" + reason + ")", r1);
    recordPublish(version, step, r1, reason, responseVersion, sent);
  }

  /** Completes a publish the trainer stopped in the middle of (nothing when none is pending). */
  void confirmPending(int dim) throws Exception {
    if (pending.version() == 0) {
      return;
    }
    log.info("run {}: completing the publish of version {} (the trainer stopped before it was confirmed)", runId,
        pending.version());
    var latest = record.latest();
    double r1 = latest == null ? 0 : latest.rAt1();
    Sent sent = send(pending.version(), pending.responseVersion(), dim,
        "trainer run " + runId + " step " + pending.step() + " (resumed)", r1);
    recordPublish(pending.version(), pending.step(), r1, "improved", pending.responseVersion(), sent);
  }

  /**
   * Publishes the adapter this run published as {@code toVersion} again, as a new version (0: the
   * identity); both towers when the run trains the response adapter. Only for a run that is not
   * training.
   *
   * @return the publish, recorded in the run's record (the caller persists and announces it)
   */
  Publish rollback(long toVersion, boolean withResponse) throws Exception {
    float[] matrix;
    float[] response;
    if (toVersion == 0) {
      matrix = QueryAdapter.identity(student.modelInfo(collection).dimension()).toFloats();
      response = withResponse ? matrix : null;
    } else {
      matrix = archive.read(toVersion, AdapterArchive.Side.CONTEXT);
      response = withResponse ? archive.read(toVersion, AdapterArchive.Side.RESPONSE) : null;
    }
    long version = nextVersion();
    archive.write(version, AdapterArchive.Side.CONTEXT, matrix);
    long responseVersion = 0;
    if (response != null) {
      archive.write(version, AdapterArchive.Side.RESPONSE, response);
      responseVersion = nextResponseVersion();
    }
    double r1 = rollbackR1(toVersion);
    Sent sent = send(version, responseVersion, (int) Math.round(Math.sqrt(matrix.length)),
        "trainer run " + runId + " rollback to v" + toVersion, r1);
    Publish p = new Publish(record.step(), version, r1, System.currentTimeMillis(), "rollback to v" + toVersion,
        responseVersion, sent.generation(), sent.rollout());
    record.addPublish(p);
    return p;
  }

  /**
   * Sends the publish of version {@code version}: first the response adapter, as the index's
   * re-projection of the collection (a new generation, swapped in when durable; everything
   * ingested later is projected with it too), then the context adapter, so queries meet the new
   * responses with the matching context adapter as soon as possible. Steps already taken (after
   * a crash) are not repeated.
   *
   * <p>The re-projection names no expected write sequence: it is computed from the index's own
   * base vectors, so a write made meanwhile is re-projected too, never lost.
   *
   * @return the index generation (0 when the response side is not published) and how the context
   *     adapter reached the students
   */
  private Sent send(long version, long responseVersion, int dim, String description, double r1) throws Exception {
    long generation = 0;
    if (responseVersion > 0) {
      if (index.collection(collection).projectionVersion() < responseVersion) {
        record.setMessage("re-projecting collection " + collection + " with response adapter v" + responseVersion);
        generation = index.reproject(collection, responseVersion, dim,
            archive.read(version, AdapterArchive.Side.RESPONSE), description);
        record.setMessage("");
      } else {
        generation = index.projection(collection).generation();
      }
    }
    String how = "already served";
    if (rollout.servedVersion(collection) < version) {
      how = rollout.publish(collection, version, dim, archive.read(version, AdapterArchive.Side.CONTEXT), description,
          runId, r1);
    }
    return new Sent(generation, how);
  }

  /** What {@link #send} did: the index generation (0: none) and the context adapter's rollout. */
  private record Sent(long generation, String rollout) {}

  private void recordPublish(long version, long step, double r1, String reason, long responseVersion, Sent sent)
      throws IOException {
    long generation = sent.generation();
    Publish p = new Publish(step, version, r1, System.currentTimeMillis(), reason, responseVersion, generation,
        sent.rollout());
    record.addPublish(p);
    pending = Pending.NONE;
    checkpoint.write();
    announce.accept(p);
    if (responseVersion > 0) {
      log.info("run {}: published {}'s context adapter v{}, response adapter v{} (index generation {}) at step {}"
          + " (held-out {})", runId, collection, version, responseVersion, generation, step, r1);
    } else {
      log.info("run {}: published {}'s context adapter v{} at step {} (held-out {}): {}", runId, collection, version,
          step, r1, sent.rollout());
    }
  }

  private long nextVersion() {
    Publish last = record.lastPublish();
    return Math.max(rollout.servedVersion(collection), last == null ? 0 : last.version()) + 1;
  }

  private long nextResponseVersion() {
    Publish last = record.lastPublish();
    return Math.max(index.collection(collection).projectionVersion(), last == null ? 0 : last.responseVersion()) + 1;
  }

  private double rollbackR1(long toVersion) {
    if (toVersion == 0) {
      Evaluation start = record.studentAtStart();
      return start == null ? 0 : start.rAt1();
    }
    return record.publishes().stream().filter(p -> p.version() == toVersion).mapToDouble(Publish::rAt1)
        .findFirst().orElse(0);
  }
}
