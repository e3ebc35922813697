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
 * <p>Thread-safe. Creates and drops are serialised by {@code registryLock}; lookups are lock-free.
 */
public final class CollectionStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectionStore.class);

  private final Path collectionsDir;
  private final Path trashDir;
  private final StoreOptions options;
  private final ConcurrentHashMap<String, Collection> collections = new ConcurrentHashMap<>();
  private final Object registryLock = new Object();
  private final ScheduledExecutorService compactor;

  /** Opens (and recovers) every collection under {@code dataDir}, creating it if needed. */
  public CollectionStore(Path dataDir, StoreOptions options) throws IOException {
    this.options = options;
    this.collectionsDir = dataDir.resolve("collections");
    this.trashDir = dataDir.resolve("trash");
    Files.createDirectories(collectionsDir);
    Durable.deleteRecursively(trashDir);
    try (var dirs = Files.list(collectionsDir)) {
      for (Path dir : dirs.sorted().toList()) {
        String name = dir.getFileName().toString();
        if (name.startsWith(".") || !Files.exists(dir.resolve(CollectionFiles.CURRENT))) {
          log.info("removing {} (a create that did not finish)", dir);
          Durable.deleteRecursively(dir);
          continue;
        }
        collections.put(name, Collection.open(dir, options));
      }
    }
    this.compactor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "index-compactor");
      t.setDaemon(true);
      return t;
    });
    compactor.scheduleWithFixedDelay(this::compactAll, options.compactionIntervalMillis(),
        options.compactionIntervalMillis(), TimeUnit.MILLISECONDS);
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
      // Build it under a hidden name, then rename: a crash never leaves half a collection.
      Path staging = collectionsDir.resolve("." + config.name() + ".creating");
      Durable.deleteRecursively(staging);
      Collection.create(staging, config, options, sample).close();
      Path dir = collectionsDir.resolve(config.name());
      Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      Durable.fsyncDir(collectionsDir);
      Collection opened = Collection.open(dir, options);
      collections.put(config.name(), opened);
      return opened;
    }
  }

  /** Drops a collection and deletes its files. */
  public void drop(String name) throws IOException {
    synchronized (registryLock) {
      Collection c = get(name);
      collections.remove(name);
      c.drop();
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
      throw DomainException.notFound("collection " + name + " does not exist");
    }
    return c;
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
      c.close();
    }
    collections.clear();
  }
}
