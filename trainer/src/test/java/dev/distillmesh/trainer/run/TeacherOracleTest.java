package dev.distillmesh.trainer.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a run waits for its teacher: a passing failure is tried again until answered; any other ends the run. */
class TeacherOracleTest {
  @Test
  void aTeacherThatIsDownIsWaitedForAndTheRunSaysSo() throws Exception {
    List<String> messages = new ArrayList<>();
    int[] calls = {0};
    String answer = TeacherOracle.untilAnswered("run-1", attempt -> {
      calls[0]++;
      if (attempt < 3) {
        throw new DomainException(DomainException.Kind.UNAVAILABLE, "teacher-service (t): UNAVAILABLE io exception");
      }
      return "info";
    }, () -> false, messages::add);
    assertEquals("info", answer);
    assertEquals(3, calls[0]);
    assertTrue(messages.get(0).startsWith("waiting for the teacher: "), messages.toString());
    assertEquals("", messages.get(messages.size() - 1), "the message is cleared once the teacher answers");
  }

  @Test
  void aRequestTheTeacherRefusesEndsTheWaitAtOnce() {
    int[] calls = {0};
    DomainException e = assertThrows(DomainException.class, () -> TeacherOracle.untilAnswered("run-1", attempt -> {
      calls[0]++;
      throw DomainException.invalid("items[0].candidates must hold 1..4096 texts");
    }, () -> false, m -> { }));
    assertEquals(DomainException.Kind.INVALID_ARGUMENT, e.kind());
    assertEquals(1, calls[0]);
  }

  @Test
  void aStoppedRunStopsWaiting() {
    int[] calls = {0};
    assertThrows(DomainException.class, () -> TeacherOracle.untilAnswered("run-1", attempt -> {
      calls[0]++;
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "down");
    }, () -> calls[0] >= 2, m -> { }));
    assertEquals(2, calls[0]);
  }
}
