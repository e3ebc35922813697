package dev.distillmesh.index.store;

import dev.distillmesh.common.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline repair of one collection of a stopped index service ({@code scripts/index-cli.sh
 * repair}). It fixes what recovery refuses to guess at, keeps a backup of every file it changes,
 * and reports every write it dropped:
 *
 * <ul>
 *   <li>a missing or damaged {@code CURRENT}: set to the complete generation holding the latest
 *       write (the old file is kept as {@code CURRENT.before-repair-<time>});
 *   <li>a log damaged in the middle: rewritten with every complete batch of entries that verify
 *       (the original is kept as {@code wal.log.before-repair-<time>}); the sequence numbers the
 *       kept entries skip are the acknowledged writes that are lost.
 * </ul>
 *
 * A damaged snapshot cannot be repaired here (its records are in no other file): the report says
 * so and nothing changes. A damaged FAISS index file needs no repair: the service rebuilds it from
 * the snapshot's vectors at start.
 */
public final class Repair {
  /** What the repair found and did, line by line; {@code repaired} false when it could not. */
  public record Report(boolean repaired, List<String> lines) {}

  private Repair() {}

  /**
   * Repairs {@code <dataDir>/collections/<collection>}. Refuses (IOException) while an index service
   * holds the data directory's lock.
   *
   * @param dryRun report only, change nothing
   */
  public static Report run(Path dataDir, String collection, boolean dryRun) throws IOException {
    CollectionConfig.validateName(collection);
    Path dir = dataDir.resolve("collections").resolve(collection);
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " does not exist: no collection " + collection + " in " + dataDir);
    }
    try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
      List<String> lines = new ArrayList<>();
      String stamp = "before-repair-" + System.currentTimeMillis() / 1000;
      String genName = repairCurrent(dir, stamp, dryRun, lines);
      if (genName == null) {
        return new Report(false, lines);
      }
      Path genDir = dir.resolve(genName);
      long snapshotSeq = 0;
      if (Files.exists(genDir.resolve(Snapshots.SNAPSHOT))) {
        try {
          snapshotSeq = Snapshots.verify(genDir);
          lines.add(genName + "/" + Snapshots.SNAPSHOT + ": verifies (includes writes up to sequence " + snapshotSeq + ")");
        } catch (IOException e) {
          lines.add("cannot repair: " + e.getMessage() + "; its records are in no other file: restore the data"
              + " directory from a backup, or drop the collection and load it again (nothing was changed)");
          return new Report(false, lines);
        }
      }
      repairLog(genDir.resolve(CollectionFiles.WAL), genName, snapshotSeq, stamp, dryRun, lines);
      return new Report(true, lines);
    }
  }

  /** The generation to serve, after fixing CURRENT if needed; null when there is none. */
  private static String repairCurrent(Path dir, String stamp, boolean dryRun, List<String> lines)
      throws IOException {
    String problem;
    try {
      if (CurrentFile.exists(dir)) {
        String name = CurrentFile.read(dir);
        lines.add("CURRENT: names " + name);
        return name;
      }
      problem = dir.resolve(CollectionFiles.CURRENT) + " is missing";
    } catch (IOException e) {
      problem = e.getMessage();
    }
    List<CurrentFile.Candidate> complete = CurrentFile.completeGenerations(dir);
    if (complete.isEmpty()) {
      lines.add("cannot repair: " + problem + ", and no gen-* directory holds a complete generation"
          + " (directories: " + CurrentFile.generationNames(dir) + "); nothing was changed");
      return null;
    }
    CurrentFile.Candidate best = complete.get(0);
    lines.add("CURRENT: " + problem + "; " + (dryRun ? "would set" : "set") + " to " + best.name()
        + ", the complete generation with the latest write (last sequence " + best.lastSeq() + "; complete: "
        + complete + ")");
    if (!dryRun) {
      Path current = dir.resolve(CollectionFiles.CURRENT);
      if (Files.exists(current)) {
        Files.move(current, dir.resolve(CollectionFiles.CURRENT + "." + stamp));
        lines.add("CURRENT: the old file is kept as " + CollectionFiles.CURRENT + "." + stamp);
      }
      Durable.writeAtomically(current, best.name());
    }
    return best.name();
  }

  private static void repairLog(Path wal, String genName, long snapshotSeq, String stamp, boolean dryRun,
      List<String> lines) throws IOException {
    WriteAheadLog.Scan scan = WriteAheadLog.inspect(wal);
    String where = genName + "/" + CollectionFiles.WAL;
    if (scan.committedEnd() == Files.size(wal)) {
      lines.add(where + ": verifies (" + scan.entries() + " entries); nothing to repair");
      return;
    }
    Path backup = wal.resolveSibling(CollectionFiles.WAL + "." + stamp);
    LogRepair.Result r = LogRepair.repair(wal, snapshotSeq, backup, dryRun);
    lines.add(where + ": " + (dryRun ? "would keep " : "kept ") + r.kept() + " entries that verify"
        + (r.kept() > 0 ? " (sequences " + r.firstSeq() + ".." + r.lastSeq() + ")" : ""));
    for (LogRepair.Dropped d : r.dropped()) {
      lines.add(where + ": " + (dryRun ? "would drop " : "dropped ") + d.bytes() + " bytes at byte offset "
          + d.offset() + " (" + d.why() + ")");
    }
    StringBuilder runs = new StringBuilder();
    for (long[] m : r.missing()) {
      runs.append(runs.length() == 0 ? "" : ", ").append(m[0] == m[1] ? m[0] + "" : m[0] + ".." + m[1]);
    }
    lines.add(where + ": acknowledged writes lost: " + r.missingCount()
        + (r.missingCount() > 0 ? " (sequences " + runs + ")" : "")
        + "; the entries that verify are all kept");
    if (!dryRun) {
      lines.add(where + ": the original is kept as " + backup.getFileName());
    }
  }
}
