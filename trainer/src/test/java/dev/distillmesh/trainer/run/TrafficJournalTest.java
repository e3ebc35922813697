package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficJournalTest {
  @Test
  void queriesComeBackInOrderWithTheirNewlinesAndQuotes(@TempDir Path dir) throws Exception {
    TrafficJournal journal = new TrafficJournal(dir);
    journal.append(List.of("who won?", "line one\nline two", "a \"quoted\" word", "ünïcode ✓"));
    journal.append(List.of("later"));
    assertEquals(List.of("who won?", "line one\nline two", "a \"quoted\" word", "ünïcode ✓", "later"),
        new TrafficJournal(dir).recover());
  }

  @Test
  void aLineTornByACrashIsCutOffAndLaterAppendsSurvive(@TempDir Path dir) throws Exception {
    TrafficJournal journal = new TrafficJournal(dir);
    journal.append(List.of("first", "second"));
    Files.writeString(dir.resolve(TrafficJournal.FILE), "\"thi", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertEquals(List.of("first", "second"), journal.recover());
    journal.append(List.of("third"));
    assertEquals(List.of("first", "second", "third"), new TrafficJournal(dir).recover());
  }

  @Test
  void noJournalMeansNothingTaken(@TempDir Path dir) throws Exception {
    assertEquals(List.of(), new TrafficJournal(dir).recover());
  }
}
