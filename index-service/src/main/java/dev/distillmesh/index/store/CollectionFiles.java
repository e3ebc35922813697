package dev.distillmesh.index.store;

import dev.distillmesh.common.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of one collection, and every multi-file step that must survive a crash:
 *
 * <pre>
 *   &lt;dir&gt;/CURRENT                   name of the serving generation directory
 *   &lt;dir&gt;/gen-00000007/collection.properties   name, dimension, index spec, metric, base vectors
 *   &lt;dir&gt;/gen-00000007/projection.bin (a Reproject's generation) its matrix, see {@link ConfigFiles}
 *   &lt;dir&gt;/gen-00000007/snapshot.bin  (optional) see {@link Snapshots}
 *   &lt;dir&gt;/gen-00000007/index-&lt;seq&gt;.faiss (optional) FAISS's own file for that snapshot
 *   &lt;dir&gt;/gen-00000007/wal.log       writes after the snapshot, see {@link WriteAheadLog}
 * </pre>
 *
 * Recovery never deletes data on a guess: a damaged {@code CURRENT}, snapshot or log makes it
 * throw with every file left as it was (see {@link #recover}).
 *
 * <p>Commit points are atomic renames: of {@code CURRENT} for a new generation, of {@code
 * snapshot.bin} and then {@code wal.log} for a checkpoint (a log replayed over a snapshot that
 * already holds it is harmless: entries at or below the snapshot's sequence are skipped).
 *
 * <p>Not thread-safe: the owning {@link Collection} calls it under its write lock.
 */
final class CollectionFiles {
  static final String CURRENT = "CURRENT";
  static final String CONFIG = ConfigFiles.CONFIG;
  static final String WAL = "wal.log";
  private static final Logger log = LoggerFactory.getLogger(CollectionFiles.class);
  private static final int APPLY_CHUNK = 4096;

  /** The serving state read back from disk, or just written. */
  record Opened(Generation generation, WriteAheadLog wal, long lastSeq, long snapshotBytes) {}

  private final Path dir;

  CollectionFiles(Path dir) {
    this.dir = dir;
  }

  /**
   * Lays out a new collection around an empty generation 1: its config, an empty log and, when
   * {@code trainedUpFront}, a snapshot that carries the trained (empty) index.
   */
  static Opened create(Path dir, Generation first, boolean trainedUpFront) throws IOException {
    Files.createDirectories(dir);
    Path genDir = dir.resolve(genDirName(1));
    Files.createDirectories(genDir);
    ConfigFiles.write(genDir, first.config());
    long snapshotBytes = trainedUpFront ? Snapshots.write(genDir, first, 0) : 0;
    WriteAheadLog wal = WriteAheadLog.create(genDir.resolve(WAL));
    Durable.fsyncDir(genDir);
    Durable.writeAtomically(dir.resolve(CURRENT), genDirName(1));
    return new Opened(first, wal, 0, snapshotBytes);
  }

  /**
   * Recovers the serving generation: its snapshot, then every logged write after it. Leftover
   * temporary files of an interrupted write are removed first. A missing {@code CURRENT} is
   * answered by the complete generation that holds the latest write (logged at WARN; CURRENT is
   * written again); with none, or with a damaged CURRENT, snapshot or log, this throws and leaves
   * every file as it is.
   */
  Opened recover(StoreOptions options) throws IOException {
    removeTemporaryFiles();
    String genName;
    boolean guessed = false;
    if (CurrentFile.exists(dir)) {
      genName = CurrentFile.read(dir);
    } else {
      List<CurrentFile.Candidate> complete = CurrentFile.completeGenerations(dir);
      if (complete.isEmpty()) {
        throw new IOException(dir.resolve(CURRENT) + " is missing and no gen-* directory there holds a"
            + " complete generation (directories: " + CurrentFile.generationNames(dir) + "); nothing was"
            + " deleted");
      }
      CurrentFile.Candidate best = complete.get(0);
      genName = best.name();
      guessed = true;
      log.warn("{} is missing: recovering {}, the complete generation with the latest write (last sequence"
          + " {}; complete generations found: {}); writing CURRENT again; the other generation directories are left"
          + " in place at this start (the next start removes them as replaced)",
          dir.resolve(CURRENT), genName, best.lastSeq(), complete);
    }
    long number = Long.parseLong(genName.substring("gen-".length()));
    Path genDir = dir.resolve(genName);
    CollectionConfig config = ConfigFiles.read(genDir);
    Generation gen;
    long seq = 0;
    long snapshotBytes = 0;
    if (Files.exists(genDir.resolve(Snapshots.SNAPSHOT))) {
      Snapshots.Loaded loaded = Snapshots.read(genDir, number, config, options);
      gen = loaded.generation();
      seq = loaded.seq();
      snapshotBytes = Files.size(genDir.resolve(Snapshots.SNAPSHOT));
    } else {
      gen = Generation.empty(number, config, options);
    }
    try {
      List<LogEntry> replayed = new ArrayList<>();
      long[] last = {seq};
      WriteAheadLog.replay(genDir.resolve(WAL), seq, entry -> {
        replayed.add(entry);
        last[0] = Math.max(last[0], entry.seq());
        if (replayed.size() == APPLY_CHUNK) {
          gen.apply(replayed);
          replayed.clear();
        }
      });
      gen.apply(replayed);
      if (guessed) {
        Durable.writeAtomically(dir.resolve(CURRENT), genName);
      } else {
        removeGenerationsOtherThan(genName);
      }
      log.info("collection {} recovered: generation {}, {} live records, last sequence {}",
          config.name(), number, gen.liveCount(), last[0]);
      return new Opened(gen, WriteAheadLog.openForAppend(genDir.resolve(WAL)), last[0], snapshotBytes);
    } catch (IOException | RuntimeException e) {
      gen.retire();
      throw e;
    }
  }

  /** Removes what an interrupted atomic write leaves: {@code *.tmp} and {@code wal.log.new}. */
  private void removeTemporaryFiles() throws IOException {
    List<Path> dirs = new ArrayList<>();
    dirs.add(dir);
    for (String name : CurrentFile.generationNames(dir)) {
      dirs.add(dir.resolve(name));
    }
    for (Path d : dirs) {
      try (var entries = Files.list(d)) {
        for (Path p : entries.filter(Files::isRegularFile).toList()) {
          String n = p.getFileName().toString();
          if (n.endsWith(".tmp") || n.equals(WAL + ".new")) {
            log.info("removing {} (left by a write that did not finish)", p);
            Files.delete(p);
          }
        }
      }
    }
  }

  /**
   * Writes {@code gen} completely as a new generation directory (snapshot at {@code seq}, empty
   * log), then flips {@code CURRENT} to it. The caller swaps in memory and removes the old one.
   */
  Opened installGeneration(Generation gen, long seq) throws IOException {
    String name = genDirName(gen.number());
    Path genDir = dir.resolve(name);
    Durable.deleteRecursively(genDir);
    long bytes;
    WriteAheadLog wal = null;
    try {
      Files.createDirectories(genDir);
      ConfigFiles.write(genDir, gen.config());
      bytes = Snapshots.write(genDir, gen, seq);
      wal = WriteAheadLog.create(genDir.resolve(WAL));
      Durable.fsyncDir(genDir);
    } catch (IOException | RuntimeException e) {
      // Before the flip of CURRENT the new directory is nobody's: remove what was written of it.
      if (wal != null) {
        wal.close();
      }
      try {
        Durable.deleteRecursively(genDir);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    try {
      Durable.writeAtomically(dir.resolve(CURRENT), name);
    } catch (IOException | RuntimeException e) {
      wal.close();
      throw e;
    }
    return new Opened(gen, wal, seq, bytes);
  }

  /** Folds the log of the serving generation into a new snapshot and starts an empty log. */
  Opened checkpoint(Generation gen, long seq, WriteAheadLog oldWal) throws IOException {
    Path genDir = dir.resolve(genDirName(gen.number()));
    long bytes = Snapshots.write(genDir, gen, seq);
    Path walFile = genDir.resolve(WAL);
    Path fresh = genDir.resolve(WAL + ".new");
    try {
      WriteAheadLog.create(fresh).close();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(fresh);
      throw e;
    }
    Files.move(fresh, walFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Durable.fsyncDir(genDir);
    oldWal.close();
    return new Opened(gen, WriteAheadLog.openForAppend(walFile), seq, bytes);
  }

  void removeGeneration(long number) throws IOException {
    Durable.deleteRecursively(dir.resolve(genDirName(number)));
  }

  static String genDirName(long number) {
    return String.format("gen-%08d", number);
  }

  private void removeGenerationsOtherThan(String keep) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("gen-") && !n.equals(keep)) {
          log.info("removing {} (an unfinished or replaced generation)", p);
          Durable.deleteRecursively(p);
        }
      }
    }
  }
}
