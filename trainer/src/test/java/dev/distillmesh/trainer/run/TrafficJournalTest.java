package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficJournalTest {
  private static List<TrafficFeed.Query> taken(String... texts) {
    return Arrays.stream(texts).map(t -> new TrafficFeed.Query(t, -1, -1)).toList();
  }

  @Test
  void queriesComeBackInOrderWithTheirNewlinesAndQuotes(@TempDir Path dir) throws Exception {
    TrafficJournal journal = new TrafficJournal(dir);
    journal.append(taken("who won?", "line one\nline two", "a \"quoted\" word", "ünïcode ✓"));
    journal.append(taken("later"));
    assertEquals(taken("who won?", "line one\nline two", "a \"quoted\" word", "ünïcode ✓", "later"),
        new TrafficJournal(dir).recover());
  }

  @Test
  void queriesFromTheLogKeepTheirPartitionAndOffset(@TempDir Path dir) throws Exception {
    TrafficJournal journal = new TrafficJournal(dir);
    List<TrafficFeed.Query> logged = List.of(new TrafficFeed.Query("a", 0, 41), new TrafficFeed.Query("b\n", 2, 7),
        new TrafficFeed.Query("c", 0, 43));
    journal.append(logged);
    assertEquals(logged, new TrafficJournal(dir).recover());
  }

  @Test
  void aLineTornByACrashIsCutOffAndLaterAppendsSurvive(@TempDir Path dir) throws Exception {
    TrafficJournal journal = new TrafficJournal(dir);
    journal.append(taken("first", "second"));
    Files.writeString(dir.resolve(TrafficJournal.FILE), "\"thi", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    assertEquals(taken("first", "second"), journal.recover());
    journal.append(taken("third"));
    Files.writeString(dir.resolve(TrafficJournal.FILE), "{\"q\":\"x\",\"p\":1}\n", StandardCharsets.UTF_8,
        StandardOpenOption.APPEND); // a log entry cut before its offset ends it too
    assertEquals(taken("first", "second", "third"), new TrafficJournal(dir).recover());
  }

  @Test
  void noJournalMeansNothingTaken(@TempDir Path dir) throws Exception {
    assertEquals(List.of(), new TrafficJournal(dir).recover());
  }
}
