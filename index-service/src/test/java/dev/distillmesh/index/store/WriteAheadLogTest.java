package dev.distillmesh.index.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAheadLogTest {
  @TempDir Path dir;

  private Path logWith(int entries) throws IOException {
    Path file = dir.resolve("wal.log");
    try (WriteAheadLog wal = WriteAheadLog.create(file)) {
      List<LogEntry> batch = new ArrayList<>();
      for (int i = 1; i <= entries; i++) {
        batch.add(i % 3 == 0
            ? new LogEntry.Delete(i, "id-" + (i - 1))
            : new LogEntry.Upsert(i, new RecordInput("id-" + i, new float[] {i, -i, 0.5f}, "tëxt " + i, "{\"n\":" + i + "}")));
      }
      wal.append(batch);
    }
    return file;
  }

  private static List<LogEntry> replay(Path file, long after) throws IOException {
    List<LogEntry> out = new ArrayList<>();
    WriteAheadLog.replay(file, after, out::add);
    return out;
  }

  @Test
  void replaysEveryEntryInOrderWithItsContent() throws IOException {
    List<LogEntry> entries = replay(logWith(10), 0);
    assertEquals(10, entries.size());
    LogEntry.Upsert first = (LogEntry.Upsert) entries.get(0);
    assertEquals("id-1", first.record().id());
    assertEquals("tëxt 1", first.record().text());
    assertEquals("{\"n\":1}", first.record().metadataJson());
    assertArrayEquals(new float[] {1, -1, 0.5f}, first.record().vector());
    assertEquals("id-2", ((LogEntry.Delete) entries.get(2)).id());
    assertEquals(7, replay(dir.resolve("wal.log"), 3).size(), "entries at or below afterSeq are skipped");
  }

  @Test
  void tornTailIsCutAndTheLogStaysAppendable() throws IOException {
    Path file = logWith(5);
    long good = Files.size(file);
    Files.write(file, new byte[] {42, 0, 0, 0, 1, 2}, StandardOpenOption.APPEND); // half an entry
    assertEquals(5, replay(file, 0).size());
    assertEquals(good, Files.size(file));
    try (WriteAheadLog wal = WriteAheadLog.openForAppend(file)) {
      wal.append(List.of(new LogEntry.Delete(6, "id-1")));
    }
    assertEquals(6, replay(file, 0).size());
  }

  @Test
  void aCorruptEntryEndsTheLogThere() throws IOException {
    Path file = logWith(5);
    long size = Files.size(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(size - 3); // flip a byte inside the last entry
      int b = raf.read();
      raf.seek(size - 3);
      raf.write(b ^ 0xff);
    }
    assertEquals(4, replay(file, 0).size());
  }

  @Test
  void aFileThatIsNotALogIsRejected() throws IOException {
    Path file = dir.resolve("other");
    Files.writeString(file, "hello world");
    IOException e = assertThrows(IOException.class, () -> replay(file, 0));
    assertEquals(true, e.getMessage().contains("bad magic"));
  }
}
