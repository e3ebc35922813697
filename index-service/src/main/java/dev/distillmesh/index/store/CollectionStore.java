package dev.distillmesh.index.store;

import dev.distillmesh.common.Durable;
import dev.distillmesh.common.DomainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every collection under one data directory: recovery at start, create, drop, lookup, and the
 * background compactor. Layout: {@code <data>/collections/<name>/} per collection (see {@link
 * Collection}); {@code <data>/trash/} for drops in progress.
 *
 * <p>A collection whose files cannot be recovered (a damaged {@code CURRENT}, snapshot or log) is
 * <em>damaged</em>: it is logged with its path, listed by {@link #damaged()}, refused by {@link
 * #get} with FAILED_PRECONDITION naming the problem, and its files are left as they are; the other
 * collections serve. A create in progress is marked by a {@value #CREATING} file, written first and
 * removed once the create is durable; only a directory with that marker (or an empty staging
 * directory) is removed at start as a create that did not finish.
 *
 * <p>Thread-safe. Creates and drops are serialised by {@code registryLock}; lookups are lock-free.
 */
public final class CollectionStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectionStore.class);
  /** Marker of a create that has not finished yet. */
  static final String CREATING = "CREATING";

  private final Path collectionsDir;
  private final Path trashDir;
  private final StoreOptions options;
  private final Path dataDir;
  private final ConcurrentHashMap<String, Collection> collections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> damaged = new ConcurrentHashMap<>();
  private final Object registryLock = new Object();
  private final ScheduledExecutorService compactor;

  /** Opens (and recovers) every collection under {@code dataDir}, creating it if needed. */
  public CollectionStore(Path dataDir, StoreOptions options) throws IOException {
    this.options = options;
    this.dataDir = dataDir;
    this.collectionsDir = dataDir.resolve("collections");
    this.trashDir = dataDir.resolve("trash");
    Files.createDirectories(collectionsDir);
    Durable.deleteRecursively(trashDir);
    try (var dirs = Files.list(collectionsDir)) {
      for (Path dir : dirs.sorted().toList()) {
        openAtStart(dir);
      }
    }
    if (!damaged.isEmpty()) {
      log.error("serving {} collections; {} damaged and refused until repaired: {}", collections.size(),
          damaged.size(), damaged.keySet());
    }
    this.compactor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "index-compactor");
      t.setDaemon(true);
      return t;
    });
    compactor.scheduleWithFixedDelay(this::compactAll, options.compactionIntervalMillis(),
        options.compactionIntervalMillis(), TimeUnit.MILLISECONDS);
  }

  private void openAtStart(Path dir) throws IOException {
    String name = dir.getFileName().toString();
    if (!Files.isDirectory(dir)) {
      log.warn("ignoring {}: not a collection directory", dir);
      return;
    }
    if (Files.exists(dir.resolve(CREATING))) {
      log.info("removing {} (a create that did not finish: its {} marker is there)", dir, CREATING);
      Durable.deleteRecursively(dir);
      return;
    }
    if (name.startsWith(".")) {
      if (isEmptyDir(dir)) {
        log.info("removing {} (an empty staging directory of a create that did not finish)", dir);
        Files.delete(dir);
      } else {
        log.warn("leaving {} alone: a hidden name is not a collection, and without a {} marker it is not"
            + " known to be an unfinished create", dir, CREATING);
      }
      return;
    }
    try {
      collections.put(name, Collection.open(dir, options));
    } catch (IOException | RuntimeException e) {
      String problem = clientText(e instanceof java.nio.file.NoSuchFileException
          ? e.getMessage() + " is missing" : e.getMessage() == null ? e.toString() : e.getMessage());
      if (e instanceof CorruptLogException) {
        problem += "; to keep every entry that verifies, stop the service and run `scripts/index-cli.sh"
            + " repair --data-dir DATA_DIR --collection " + name + "`";
      } else if (!CurrentFile.exists(dir) || e.getMessage() != null
          && e.getMessage().contains(CollectionFiles.CURRENT)) {
        problem += "; `scripts/index-cli.sh repair` (service stopped) picks the complete generation"
            + " with the latest write";
      }
      damaged.put(name, problem);
      if (e instanceof IOException) {
        log.error("collection {} at {} is damaged and will not be served (its files are left as they are): {}",
            name, dir, e.toString());
      } else {
        log.error("collection {} at {} could not be recovered and will not be served (its files are left as"
            + " they are)", name, dir, e);
      }
    }
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** A problem as a client reads it: paths relative to the data directory. */
  private String clientText(String message) {
    return message.replace(dataDir.toAbsolutePath() + "/", "").replace(dataDir + "/", "");
  }

  /** Creates an empty collection; durable when it returns. */
  public Collection create(CollectionConfig config) throws IOException {
    return create(config, List.of());
  }

  /**
   * Creates an empty collection; an IVF one is trained on {@code trainingSample} when it is not
   * empty (at least nlist vectors of the collection's dimension). Durable when it returns.
   */
  public Collection create(CollectionConfig config, List<float[]> trainingSample) throws IOException {
    float[] sample = Limits.checkTrainingSample(trainingSample, config);
    synchronized (registryLock) {
      if (collections.containsKey(config.name())) {
        throw new DomainException(DomainException.Kind.ALREADY_EXISTS,
            "collection " + config.name() + " already exists");
      }
      if (damaged.containsKey(config.name())) {
        throw new DomainException(DomainException.Kind.ALREADY_EXISTS, "collection " + config.name()
            + " already exists but is damaged: " + damaged.get(config.name()));
      }
      // Build it under a hidden name, marked as unfinished, then rename and remove the marker.
      Path staging = collectionsDir.resolve("." + config.name() + ".creating");
      Durable.deleteRecursively(staging);
      Files.createDirectories(staging);
      Files.writeString(staging.resolve(CREATING), "a create of collection " + config.name()
          + " that has not finished; removed at start while this file is here\n");
      Durable.fsync(staging.resolve(CREATING));
      Durable.fsyncDir(staging);
      Durable.fsyncDir(collectionsDir);
      Collection.create(staging, config, options, sample).close();
      Path dir = collectionsDir.resolve(config.name());
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      Durable.fsyncDir(collectionsDir);
      Files.delete(dir.resolve(CREATING));
      Durable.fsyncDir(dir);
      Collection opened = Collection.open(dir, options);
      collections.put(config.name(), opened);
      return opened;
    }
  }

  /** Drops a collection and deletes its files. */
  public void drop(String name) throws IOException {
    synchronized (registryLock) {
      CollectionConfig.validateName(name);
      if (damaged.remove(name) == null) {
        Collection c = get(name);
        collections.remove(name);
        c.drop();
      } else {
        log.warn("dropping damaged collection {} on request: its files are deleted", name);
      }
      Files.createDirectories(trashDir);
      Path trash = trashDir.resolve(name + "-" + System.nanoTime());
      Files.move(collectionsDir.resolve(name), trash, StandardCopyOption.ATOMIC_MOVE);
      Durable.fsyncDir(collectionsDir);
      Durable.deleteRecursively(trash);
    }
  }

  /** The named collection, or NOT_FOUND. */
  public Collection get(String name) {
    CollectionConfig.validateName(name);
    Collection c = collections.get(name);
    if (c == null) {
      String problem = damaged.get(name);
      if (problem != null) {
        throw DomainException.precondition("collection " + name + " is damaged and not served: " + problem);
      }
      throw DomainException.notFound("collection " + name + " does not exist");
    }
    return c;
  }

  /** Collections found damaged at start, name to problem, in name order. */
  public java.util.SortedMap<String, String> damaged() {
    return new java.util.TreeMap<>(damaged);
  }

  /** All collections in name order. */
  public List<Collection> list() {
    List<Collection> all = new ArrayList<>(collections.values());
    all.sort(Comparator.comparing(Collection::name));
    return all;
  }

  /** True once every collection found at start has been recovered (always, after construction). */
  public boolean isReady() {
    return !compactor.isShutdown();
  }

  private void compactAll() {
    for (Collection c : list()) {
      try {
        c.compactIfNeeded();
      } catch (Exception e) {
        log.error("compaction of {} failed; it will be retried", c.name(), e);
      }
    }
  }

  /** Stops compaction and checkpoints and closes every collection. */
  @Override
  public void close() {
    // shutdown, not shutdownNow: interrupting a compaction would close its file channels.
    compactor.shutdown();
    try {
      compactor.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Collection c : list()) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // One collection that cannot close must not leave the others unclosed.
        log.error("closing collection {} failed; closing the others", c.name(), e);
      }
    }
    collections.clear();
  }
}
