package dev.distillmesh.index.store;

import dev.distillmesh.index.faiss.Metric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stores a test opens, closed after it ({@code @RegisterExtension}), and the settings the store
 * tests share: the dimension {@link #D}, {@link #OPTIONS} and {@link #config}.
 */
final class TestStores implements AfterEachCallback {
  static final int D = 16;
  /** Background compaction off (interval of an hour) so tests decide when it runs. */
  static final StoreOptions OPTIONS = StoreOptions.defaults().withCompaction(1, 0.0, 3_600_000);

  private final List<CollectionStore> open = new ArrayList<>();

  /** A collection of dimension {@link #D} with inner-product scores. */
  static CollectionConfig config(String name, String spec) {
    return new CollectionConfig(name, D, IndexSpec.parse(spec), Metric.INNER_PRODUCT);
  }

  /** Opens a store on {@code dir}; it is closed after the test unless the test closes it first. */
  CollectionStore open(Path dir, StoreOptions options) throws IOException {
    CollectionStore s = new CollectionStore(dir, options);
    open.add(s);
    return s;
  }

  /** Closes {@code store} now (a clean shutdown: it checkpoints) and forgets it. */
  void close(CollectionStore store) {
    store.close();
    open.remove(store);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    open.forEach(CollectionStore::close);
    open.clear();
  }
}
