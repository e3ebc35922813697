package dev.distillmesh.student.adapter;

import dev.distillmesh.common.AdapterRules;
import dev.distillmesh.common.CollectionNames;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context adapter of each collection, persisted as versioned files, one directory per
 * collection: {@code <dir>/<collection>/context-v<N>.adapter}. A collection's queries are encoded
 * with its own adapter, so one collection's training never moves another's answers; a collection
 * without one is served the identity. (A collection's response adapter is not here: the index
 * projects its base vectors, see index.proto's Reproject.)
 *
 * <p>At start the highest version of each collection is loaded. {@link #install} writes the new
 * version durably, then swaps it in with one map write, so a reader sees either the old adapter or
 * the new one. Files of the layout before adapters belonged to a collection ({@code
 * <dir>/context-v<N>.adapter}, {@code <dir>/response-v<N>.adapter}) are named in a warning and
 * ignored: which collection they were trained for cannot be told from them.
 *
 * <p>Thread-safe: {@link #current} is lock-free; installs are serialised on the store. The last
 * {@value #KEEP} versions of each collection are kept on disk, older ones deleted.
 */
public final class AdapterStore {
  private static final Logger log = LoggerFactory.getLogger(AdapterStore.class);
  static final int KEEP = 5;
  private static final Pattern FILE = Pattern.compile("context-v(\\d{1,18})\\.adapter");
  private static final Pattern GLOBAL_LAYOUT = Pattern.compile("(context|response)-v\\d{1,18}\\.adapter");

  private final Path dir;
  private final int dimension;
  private final Adapter identity;
  /** Collections with an installed adapter; a put is the atomic swap. */
  private final ConcurrentMap<String, Adapter> current = new ConcurrentHashMap<>();
  /** Why {@link #install} is refused (this replica follows the rollout topic instead); null: allowed. */
  private volatile String pushRefusal;

  private AdapterStore(Path dir, int dimension) {
    this.dir = dir;
    this.dimension = dimension;
    this.identity = Adapter.identity(Tower.CONTEXT, dimension);
  }

  /**
   * Opens (creating) {@code dir} and loads the newest adapter of each collection in it.
   *
   * @throws IOException if the newest file of a collection is damaged or built for another
   *     dimension: serving a different model than the one published would be silent corruption
   */
  public static AdapterStore open(Path dir, int dimension) throws IOException {
    Files.createDirectories(dir);
    AdapterStore store = new AdapterStore(dir, dimension);
    List<String> globalLayout = new ArrayList<>();
    for (Path entry : sorted(dir)) {
      String name = entry.getFileName().toString();
      if (Files.isDirectory(entry)) {
        store.load(entry, name);
      } else if (GLOBAL_LAYOUT.matcher(name).matches()) {
        globalLayout.add(name);
      }
    }
    if (!globalLayout.isEmpty()) {
      log.warn("ignoring {} in {}: adapters from before they belonged to a collection, for no collection in"
          + " particular; publish them again for the collection they were trained on (LoadAdapter with its"
          + " collection), then delete these files", globalLayout, dir);
    }
    log.info("context adapters in {}: {} collection(s) with one, the identity for every other", dir,
        store.current.size());
    return store;
  }

  private void load(Path collectionDir, String collection) throws IOException {
    try {
      CollectionNames.check(collection, "directory name");
    } catch (DomainException e) {
      log.warn("ignoring {}: not a collection's adapter directory ({})", collectionDir, e.getMessage());
      return;
    }
    List<Long> versions = versionsOnDisk(collectionDir);
    if (versions.isEmpty()) {
      return;
    }
    Path file = file(collection, versions.get(versions.size() - 1));
    Adapter adapter = AdapterFile.read(file);
    if (adapter.dimension() != dimension || adapter.tower() != Tower.CONTEXT) {
      throw new IOException(file + " holds a " + adapter + " but the encoder is " + dimension
          + "-dimensional and this store holds context adapters; move it away or use the matching model");
    }
    log.info("collection {} serves {}", collection, adapter);
    current.put(collection, adapter);
  }

  /**
   * Returns {@code collection} if it can own an adapter: not empty, and a name the index allows.
   *
   * @throws DomainException INVALID_ARGUMENT naming what is wrong
   */
  public static String checkCollection(String collection) {
    if (collection.isEmpty()) {
      throw DomainException.invalid("collection is empty; name the collection whose queries this adapter encodes");
    }
    return CollectionNames.check(collection, "collection");
  }

  /** The context adapter serving {@code collection} now: the identity when it has none. */
  public Adapter current(String collection) {
    return current.getOrDefault(collection, identity);
  }

  /** The collections that have an adapter installed, in name order. */
  public List<String> collections() {
    List<String> names = new ArrayList<>(current.keySet());
    names.sort(null);
    return names;
  }

  public int dimension() {
    return dimension;
  }

  /**
   * Refuses {@link #install} from now on with FAILED_PRECONDITION and {@code reason}: in scale-out
   * mode adapters arrive only through the rollout topic ({@link #installFromRollout}), so a push to
   * one replica cannot split the fleet.
   */
  public void refusePushes(String reason) {
    pushRefusal = reason;
  }

  /**
   * Persists and swaps in a new context adapter for {@code collection} (LoadAdapter).
   *
   * @throws DomainException FAILED_PRECONDITION after {@link #refusePushes}, else as {@link
   *     #installFromRollout}
   */
  public Adapter install(String collection, long version, int rows, int cols, float[] values, String description)
      throws IOException {
    String refusal = pushRefusal;
    if (refusal != null) {
      throw DomainException.precondition(refusal);
    }
    return installFromRollout(collection, version, rows, cols, values, description);
  }

  /**
   * Persists and swaps in a new context adapter for {@code collection}, whoever sent it.
   *
   * @throws DomainException INVALID_ARGUMENT for a bad collection name, matrix, version step or
   *     description (see {@link AdapterRules}), FAILED_PRECONDITION when {@code version} is not
   *     above the collection's current one
   * @throws IOException when it cannot be written (the old adapter keeps serving)
   */
  public synchronized Adapter installFromRollout(String collection, long version, int rows, int cols,
      float[] values, String description) throws IOException {
    checkCollection(collection);
    if (rows != dimension || cols != dimension) {
      throw DomainException.invalid("adapter must be " + dimension + "x" + dimension
          + " (the encoder's dimension), got rows=" + rows + " cols=" + cols);
    }
    long now = current(collection).version();
    if (version <= now) {
      throw DomainException.precondition("adapter version must be greater than collection " + collection
          + "'s current context version " + now + ", got " + version);
    }
    AdapterRules.checkVersionStep(now, version);
    String text = description == null ? "" : description;
    AdapterRules.checkDescription(text);
    if ((long) dimension * dimension == values.length) {
      AdapterRules.checkMatrix(values, dimension);
    }
    Adapter adapter;
    try {
      adapter = Adapter.of(Tower.CONTEXT, version, dimension, values, text, System.currentTimeMillis());
    } catch (IllegalArgumentException e) {
      throw DomainException.invalid(e.getMessage());
    }
    Path collectionDir = dir.resolve(collection);
    if (!Files.isDirectory(collectionDir)) {
      Files.createDirectories(collectionDir);
      Durable.fsyncDir(dir); // the new directory's entry, before the file in it counts as written
    }
    Durable.writeAtomically(file(collection, version), AdapterFile.encode(adapter));
    current.put(collection, adapter);
    log.info("collection {} now serves {} ({})", collection, adapter, adapter.description());
    prune(collection);
    return adapter;
  }

  private void prune(String collection) {
    try {
      List<Long> versions = versionsOnDisk(dir.resolve(collection));
      for (int i = 0; i < versions.size() - KEEP; i++) {
        Files.deleteIfExists(file(collection, versions.get(i)));
      }
    } catch (IOException e) {
      log.warn("could not prune old adapters of collection {} in {}: {}", collection, dir, e.toString());
    }
  }

  private Path file(String collection, long version) {
    return dir.resolve(collection).resolve("context-v" + version + ".adapter");
  }

  /** Versions of {@code collection} present on disk, ascending. */
  List<Long> versionsOnDisk(String collection) throws IOException {
    Path collectionDir = dir.resolve(collection);
    return Files.isDirectory(collectionDir) ? versionsOnDisk(collectionDir) : List.of();
  }

  private static List<Long> versionsOnDisk(Path collectionDir) throws IOException {
    List<Long> versions = new ArrayList<>();
    for (Path p : sorted(collectionDir)) {
      Matcher m = FILE.matcher(p.getFileName().toString());
      if (m.matches()) {
        versions.add(Long.parseLong(m.group(1)));
      }
    }
    versions.sort(null);
    return versions;
  }

  private static List<Path> sorted(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }
}
