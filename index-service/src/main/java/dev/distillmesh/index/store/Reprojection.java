package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of a Reproject: fills a new, empty generation (made with the new projection B) from the
 * live records of the serving one, each served as B·base from its stored base vector. Runs outside
 * the collection's write lock while the old generation serves; the records were captured under it
 * (references only: payloads and base vectors are immutable), and writes are refused until the
 * swap, so the new generation holds exactly the captured records. Nothing here touches the disk:
 * the swap ({@link GenerationSwap#finishRebuild}) makes the generation durable before it serves.
 *
 * <p>Stateless.
 */
final class Reprojection {
  private static final Logger log = LoggerFactory.getLogger(Collection.class);
  private static final int CHUNK = 4096;

  /** A reprojection under way: the captured live records and the empty generation they go to. */
  record Started(List<SlotTable.Entry> records, Generation building) {}

  private Reprojection() {}

  /**
   * A whole Reproject of {@code collection}: checks it (a collection that keeps base vectors, then
   * the matrix rules of {@link Projection#checked}; under the write lock, in {@link
   * Collection#beginReprojection}, the version, the sequence and that nothing else rebuilds), fills
   * the new generation outside the lock while the old one serves and writes are refused, then makes
   * it durable and swaps it in. A failure before the swap changes nothing.
   */
  static CollectionInfo run(Collection collection, int rows, int cols, float[] values, long version,
      String description, long expectedLastSequence) throws IOException {
    CollectionConfig config = collection.config();
    if (!config.keepsBaseVectors()) {
      throw DomainException.precondition("collection " + config.name() + " was created without"
          + " keep_base_vectors: it holds no base vectors to project (create a collection with"
          + " keep_base_vectors and write base_vector to it)");
    }
    Projection next = Projection.checked(config.dimension(), config.projection(), rows, cols, values, version,
        description, System.currentTimeMillis());
    long t0 = System.nanoTime();
    Started started = collection.beginReprojection(expectedLastSequence, next);
    try {
      fill(started.building(), started.records());
    } catch (RuntimeException e) {
      started.building().retire();
      collection.finishRebuild(null);
      throw e;
    }
    long filled = System.nanoTime();
    collection.finishRebuild(started.building());
    CollectionInfo info = collection.info();
    log.info("collection {} reprojected: projection version {} -> {}, generation {}, {} records ({} ms to project"
        + " and index, {} ms to write and swap)", config.name(), config.projection().version(), version,
        info.generation(), started.records().size(), (filled - t0) / 1_000_000,
        (System.nanoTime() - filled) / 1_000_000);
    return info;
  }

  /**
   * Adds every record to {@code building}, projected with its config's projection.
   *
   * @throws dev.distillmesh.common.DomainException INVALID_ARGUMENT naming the first record whose
   *     projected vector leaves -1e6..1e6; the caller abandons {@code building}
   */
  static void fill(Generation building, List<SlotTable.Entry> records) {
    Projection projection = building.config().projection();
    for (int start = 0; start < records.size(); start += CHUNK) {
      int end = Math.min(records.size(), start + CHUNK);
      List<LogEntry> batch = new ArrayList<>(end - start);
      for (SlotTable.Entry e : records.subList(start, end)) {
        float[] served = projection.project(e.base(), "record \"" + Limits.abbreviate(e.id()) + "\"");
        batch.add(new LogEntry.Upsert(0, new RecordInput(e.id(), served, e.payload().text(),
            e.payload().metadataJson(), e.base())));
      }
      building.apply(batch);
    }
  }
}
