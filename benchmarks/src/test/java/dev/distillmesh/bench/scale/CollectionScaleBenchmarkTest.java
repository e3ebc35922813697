package dev.distillmesh.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillmesh.bench.data.Squad;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CollectionScaleBenchmarkTest {
  private static final List<Squad.Question> QUESTIONS = List.of(new Squad.Question("q0", "squad-dev-00-000"),
      new Squad.Question("q39", "squad-dev-39-012"), new Squad.Question("q40", "squad-dev-40-000"),
      new Squad.Question("q47", "squad-dev-47-003"), new Squad.Question("q7", "squad-dev-07-100"));

  @Test
  void articleOfAPassageId() {
    assertEquals(7, CollectionScaleBenchmark.article("squad-dev-07-100"));
    assertEquals(47, CollectionScaleBenchmark.article("squad-dev-47-003"));
    assertThrows(IllegalArgumentException.class, () -> CollectionScaleBenchmark.article("dd-000001"));
  }

  @Test
  void theTrafficIsEveryQuestionOrArticles0To39ASeededSample() {
    assertEquals(Set.of("q0", "q39", "q7"),
        Set.copyOf(CollectionScaleBenchmark.trainingQuestions(QUESTIONS, 0, 7, false)));
    assertEquals(Set.of("q0", "q39", "q40", "q47", "q7"),
        Set.copyOf(CollectionScaleBenchmark.trainingQuestions(QUESTIONS, 0, 7, true)));
    List<String> two = CollectionScaleBenchmark.trainingQuestions(QUESTIONS, 2, 7, false);
    assertEquals(2, two.size());
    assertEquals(two, CollectionScaleBenchmark.trainingQuestions(QUESTIONS, 2, 7, false));
    assertEquals(3, CollectionScaleBenchmark.trainingQuestions(QUESTIONS, 10, 7, false).size());
  }
}
