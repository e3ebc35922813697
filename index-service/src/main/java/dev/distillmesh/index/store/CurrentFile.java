package dev.distillmesh.index.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code CURRENT} file of a collection, read strictly, and the search for the generation to
 * serve when it is missing. Nothing here deletes or rewrites a file.
 */
final class CurrentFile {
  private static final Logger log = LoggerFactory.getLogger(CurrentFile.class);
  private static final Pattern NAME = Pattern.compile("gen-(\\d{1,18})");
  private static final int MAX_BYTES = 256;

  /** A generation directory that holds a complete generation, and the last write it holds. */
  record Candidate(String name, long number, long lastSeq) {}

  private CurrentFile() {}

  /** True when the collection directory has a CURRENT file (valid or not). */
  static boolean exists(Path dir) {
    return Files.exists(dir.resolve(CollectionFiles.CURRENT));
  }

  /**
   * The generation directory CURRENT names, checked: IOException naming the file and what is wrong
   * with it when it is empty, holds something else than {@code gen-<number>}, or names a
   * directory that does not exist.
   */
  static String read(Path dir) throws IOException {
    Path file = dir.resolve(CollectionFiles.CURRENT);
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, 0, Math.min(bytes.length, MAX_BYTES), StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new IOException(file + " is empty (expected the name of a generation directory, gen-<number>)");
    }
    Matcher m = NAME.matcher(text);
    if (bytes.length > MAX_BYTES || !m.matches()) {
      throw new IOException(file + " is damaged: it holds " + bytes.length + " bytes starting \""
          + printable(text) + "\", not the name of a generation directory (gen-<number>)");
    }
    if (!Files.isDirectory(dir.resolve(text))) {
      throw new IOException(file + " names " + text + ", which does not exist (generation directories"
          + " there: " + generationNames(dir) + ")");
    }
    return text;
  }

  /**
   * The complete generations in {@code dir}, best first: the one holding the latest write (then
   * the highest number). Complete means: its config reads, its log has a valid header, and its
   * snapshot, if it has one, verifies. The others are logged and left alone.
   */
  static List<Candidate> completeGenerations(Path dir) throws IOException {
    List<Candidate> found = new ArrayList<>();
    for (String name : generationNames(dir)) {
      Path genDir = dir.resolve(name);
      try {
        ConfigFiles.read(genDir);
        long seq = Files.exists(genDir.resolve(Snapshots.SNAPSHOT)) ? Snapshots.verify(genDir) : 0;
        WriteAheadLog.Scan wal = WriteAheadLog.inspect(genDir.resolve(CollectionFiles.WAL));
        Matcher m = NAME.matcher(name);
        m.matches();
        found.add(new Candidate(name, Long.parseLong(m.group(1)), Math.max(seq, wal.lastCommittedSeq())));
      } catch (IOException | RuntimeException e) {
        log.warn("{} is not a complete generation: {}", genDir, e instanceof NoSuchFileException
            ? "no " + e.getMessage() : e.getMessage());
      }
    }
    found.sort(Comparator.comparingLong(Candidate::lastSeq).thenComparingLong(Candidate::number).reversed());
    return found;
  }

  /** Names of the {@code gen-<number>} directories in {@code dir}, in order. */
  static List<String> generationNames(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(n -> NAME.matcher(n).matches()).sorted().toList();
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 40; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }
}
