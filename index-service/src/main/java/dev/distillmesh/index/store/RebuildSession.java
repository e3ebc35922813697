package dev.distillmesh.index.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A new generation being filled from a stream while the old one serves. Not thread-safe: one
 * stream feeds it. Exactly one of {@link #commit()} or {@link #abort()} must be called; writes to
 * the collection are refused until then.
 */
public final class RebuildSession {
  private final Collection collection;
  private final Generation building;
  private boolean finished;
  private long records;

  RebuildSession(Collection collection, Generation building) {
    this.collection = collection;
    this.building = building;
  }

  /**
   * Adds a batch (validated like an upsert, base vectors projected with the collection's current
   * projection); a later record with the same id replaces an earlier one.
   */
  public void add(List<RecordInput> batch) {
    check();
    Limits.checkBatch(batch, building.config());
    List<LogEntry> entries = new ArrayList<>(batch.size());
    Projection projection = building.config().projection();
    for (int i = 0; i < batch.size(); i++) {
      RecordInput r = batch.get(i);
      if (r.baseVector() != null) { // served as P·base, which must stay in range too
        r = r.served(projection.project(r.baseVector(), Limits.recordName(i, r.id())));
      }
      entries.add(new LogEntry.Upsert(0, r));
    }
    building.apply(entries);
    records += batch.size();
  }

  /** Makes the new generation durable and swaps it in. */
  public CollectionInfo commit() throws IOException {
    check();
    if (building.liveCount() == 0) {
      throw dev.distillmesh.common.DomainException.invalid(
          "rebuild of " + collection.name() + " received no records; a rebuild replaces the whole"
              + " collection, so it needs at least one (use DropCollection to empty it)");
    }
    finished = true;
    collection.finishRebuild(building);
    return collection.info();
  }

  /** Abandons the new generation; the collection is unchanged. Idempotent. */
  public void abort() {
    if (finished) {
      return;
    }
    finished = true;
    building.retire();
    try {
      collection.finishRebuild(null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public long recordsReceived() {
    return records;
  }

  private void check() {
    if (finished) {
      throw new IllegalStateException("rebuild already finished");
    }
  }
}
