package dev.distillmesh.student.adapter;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapter each tower serves, persisted as versioned files ({@code context-v<N>.adapter},
 * {@code response-v<N>.adapter}) in one directory. At start the highest version of each tower is
 * loaded (identity when there is none). {@link #install} writes the new version durably, then
 * swaps it in with one reference write, so a reader sees either the old adapter or the new one.
 *
 * <p>Thread-safe: {@link #current} is lock-free; installs are serialised on the store. The last
 * {@value #KEEP} versions of each tower are kept on disk, older ones deleted.
 */
public final class AdapterStore {
  private static final Logger log = LoggerFactory.getLogger(AdapterStore.class);
  static final int KEEP = 5;
  private static final Pattern FILE = Pattern.compile("(context|response)-v(\\d{1,18})\\.adapter");

  private final Path dir;
  private final int dimension;
  private final Map<Tower, AtomicReference<Adapter>> current = new EnumMap<>(Tower.class);

  private AdapterStore(Path dir, int dimension) {
    this.dir = dir;
    this.dimension = dimension;
  }

  /**
   * Opens (creating) {@code dir} and loads the newest adapter of each tower.
   *
   * @throws IOException if the newest file of a tower is damaged or built for another dimension:
   *     serving a different model than the one published would be silent corruption
   */
  public static AdapterStore open(Path dir, int dimension) throws IOException {
    Files.createDirectories(dir);
    AdapterStore store = new AdapterStore(dir, dimension);
    for (Tower tower : Tower.values()) {
      List<Long> versions = store.versionsOnDisk(tower);
      Adapter adapter = Adapter.identity(tower, dimension);
      if (!versions.isEmpty()) {
        Path file = store.file(tower, versions.get(versions.size() - 1));
        adapter = AdapterFile.read(file);
        if (adapter.dimension() != dimension || adapter.tower() != tower) {
          throw new IOException(file + " holds a " + adapter + " but the encoder is " + dimension
              + "-dimensional " + tower.label() + " tower; move it away or use the matching model");
        }
      }
      log.info("{} tower serves {}", tower.label(), adapter);
      store.current.put(tower, new AtomicReference<>(adapter));
    }
    return store;
  }

  /** The adapter serving {@code tower} now. */
  public Adapter current(Tower tower) {
    return current.get(tower).get();
  }

  public int dimension() {
    return dimension;
  }

  /**
   * Persists and swaps in a new adapter for {@code tower}.
   *
   * @throws DomainException INVALID_ARGUMENT for a bad matrix, version step or description (see
   *     {@link AdapterRules}), FAILED_PRECONDITION when {@code version} is not above the current one
   * @throws IOException when it cannot be written (the old adapter keeps serving)
   */
  public synchronized Adapter install(Tower tower, long version, int rows, int cols, float[] values,
      String description) throws IOException {
    if (rows != dimension || cols != dimension) {
      throw DomainException.invalid("adapter must be " + dimension + "x" + dimension
          + " (the encoder's dimension), got rows=" + rows + " cols=" + cols);
    }
    long now = current(tower).version();
    if (version <= now) {
      throw DomainException.precondition("adapter version must be greater than the " + tower.label()
          + " tower's current version " + now + ", got " + version);
    }
    AdapterRules.checkVersionStep(now, version);
    String text = description == null ? "" : description;
    AdapterRules.checkDescription(text);
    if ((long) dimension * dimension == values.length) {
      AdapterRules.checkMatrix(values, dimension);
    }
    Adapter adapter;
    try {
      adapter = Adapter.of(tower, version, dimension, values, description, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      throw DomainException.invalid(e.getMessage());
    }
    Durable.writeAtomically(file(tower, version), AdapterFile.encode(adapter));
    current.get(tower).set(adapter);
    log.info("{} tower now serves {} ({})", tower.label(), adapter, adapter.description());
    prune(tower);
    return adapter;
  }

  private void prune(Tower tower) {
    try {
      List<Long> versions = versionsOnDisk(tower);
      for (int i = 0; i < versions.size() - KEEP; i++) {
        Files.deleteIfExists(file(tower, versions.get(i)));
      }
    } catch (IOException e) {
      log.warn("could not prune old {} adapters in {}: {}", tower.label(), dir, e.toString());
    }
  }

  private Path file(Tower tower, long version) {
    return dir.resolve(tower.label() + "-v" + version + ".adapter");
  }

  /** Versions of {@code tower} present on disk, ascending. */
  List<Long> versionsOnDisk(Tower tower) throws IOException {
    List<Long> versions = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Matcher m = FILE.matcher(p.getFileName().toString());
        if (m.matches() && m.group(1).equals(tower.label())) {
          versions.add(Long.parseLong(m.group(2)));
        }
      }
    }
    versions.sort(null);
    return versions;
  }
}
