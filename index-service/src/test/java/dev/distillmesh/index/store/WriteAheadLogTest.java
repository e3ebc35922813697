package dev.distillmesh.index.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /** A log of {@code entries} entries appended in batches of {@code batchSize}. */
  private Path logWith(int entries, int batchSize) throws IOException {
    Path file = dir.resolve("wal.log");
    try (WriteAheadLog wal = WriteAheadLog.create(file)) {
      List<LogEntry> batch = new ArrayList<>();
      for (int i = 1; i <= entries; i++) {
        batch.add(i % 3 == 0
            ? new LogEntry.Delete(i, "id-" + (i - 1))
            : new LogEntry.Upsert(i, new RecordInput("id-" + i, new float[] {i, -i, 0.5f}, "tëxt " + i, "{\"n\":" + i + "}")));
        if (batch.size() == batchSize || i == entries) {
          wal.append(batch);
          batch.clear();
        }
      }
    }
    return file;
  }

  private Path logWith(int entries) throws IOException {
    return logWith(entries, entries);
  }

  /** Byte offset of entry {@code index} (0-based) of a log written by {@link #logWith}. */
  private static long offsetOf(Path file, int index) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int at = (int) WriteAheadLog.HEADER_BYTES;
    for (int i = 0; i < index; i++) {
      at += 8 + b.getInt(at);
    }
    return at;
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
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
  void aDamagedLastEntryIsATornTailAndIsCut() throws IOException {
    Path file = logWith(5, 1);
    flip(file, Files.size(file) - 3); // inside the last entry: nothing that verifies follows it
    assertEquals(4, replay(file, 0).size());
    assertEquals(offsetOf(file, 4), Files.size(file), "cut where the damaged last entry began");
  }

  @Test
  void aDamagedEntryFollowedByValidOnesIsRefusedAndTheFileIsLeftIntact() throws IOException {
    Path file = logWith(2000, 1);
    long damaged = offsetOf(file, 999) + 20; // a byte inside entry 1000 of 2000
    flip(file, damaged);
    byte[] before = Files.readAllBytes(file);
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> replay(file, 0));
    assertEquals(offsetOf(file, 999), e.offset());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("byte offset " + offsetOf(file, 999))
        && e.getMessage().contains("first at byte offset " + offsetOf(file, 1000)), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file), "the damaged log must not be changed");
  }

  @Test
  void aDamagedLengthFieldIsFoundByScanningForTheNextEntryThatVerifies() throws IOException {
    Path file = logWith(50, 1);
    long entry = offsetOf(file, 20);
    long next = offsetOf(file, 21);
    flip(file, entry + 1); // the length field: where the next entry starts is unknown
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> replay(file, 0));
    assertEquals(entry, e.offset());
    assertTrue(e.getMessage().contains("first at byte offset " + next), e.getMessage());
  }

  @Test
  void aBatchCutShortIsReplayedNotAtAll() throws IOException {
    Path file = logWith(12, 4); // three batches of 4
    long thirdBatchLastEntry = offsetOf(file, 11);
    try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(thirdBatchLastEntry + 10); // entries 9..11 are whole, entry 12 (the batch's last) is not
    }
    List<LogEntry> entries = replay(file, 0);
    assertEquals(8, entries.size(), "a batch is replayed whole or not at all");
    assertEquals(offsetOf(file, 8), Files.size(file), "the torn batch is cut from its first entry on");
  }

  @Test
  void aFormatOneLogIsStillReadAndAppendedTo() throws IOException {
    Path file = dir.resolve("v1.log");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write("DMWAL001".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (int seq = 1; seq <= 3; seq++) {
      byte[] id = ("id-" + seq).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      java.nio.ByteBuffer p = java.nio.ByteBuffer.allocate(1 + 8 + 4 + id.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      p.put((byte) 2).putLong(seq).putInt(id.length).put(id);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(p.array());
      java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      out.write(f.putInt(p.capacity()).putInt((int) crc.getValue()).array());
      out.write(p.array());
    }
    Files.write(file, out.toByteArray());
    assertEquals(3, replay(file, 0).size());
    try (WriteAheadLog wal = WriteAheadLog.openForAppend(file)) {
      wal.append(List.of(new LogEntry.Delete(4, "id-4"), new LogEntry.Delete(5, "id-5")));
    }
    assertEquals(5, replay(file, 0).size());
  }

  @Test
  void aFileThatIsNotALogIsRejected() throws IOException {
    Path file = dir.resolve("other");
    Files.writeString(file, "hello world");
    IOException e = assertThrows(IOException.class, () -> replay(file, 0));
    assertEquals(true, e.getMessage().contains("bad magic"));
  }
}
