package dev.distillmesh.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.bench.scale.ScaleConfig.Part;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScaleConfigTest {
  @Test
  void defaultsRunEveryPart() {
    ScaleConfig c = ScaleConfig.parse(new String[0]);
    assertEquals(EnumSet.allOf(Part.class), c.parts());
    assertEquals(3, c.passes());
    assertEquals(50, c.candidates());
    assertEquals(0, c.trainQuestions());
    assertTrue(c.heldOutInTraffic());
    assertEquals(10_000, c.memoryDocuments());
    assertEquals("2g", c.trainerHeap());
    assertNull(c.indexDir());
  }

  @Test
  void onlyIsRepeatableAndKnobsParse() {
    ScaleConfig c = ScaleConfig.parse(new String[] {"--only", "memory", "--only", "reproject", "--train-questions",
        "500", "--passes", "1", "--index-dir", "/tmp/x", "--traffic", "train"});
    assertFalse(c.heldOutInTraffic());
    assertEquals(Set.of(Part.MEMORY, Part.REPROJECT), c.parts());
    assertTrue(c.runs(Part.MEMORY) && !c.runs(Part.TRAFFIC));
    assertEquals(500, c.trainQuestions());
    assertEquals(1, c.passes());
    assertEquals(Path.of("/tmp/x"), c.indexDir());
    assertTrue(c.trainingFlags("scale-85k", 500).contains("--train-questions 500 --traffic train --passes 1 --candidates 50"));
  }

  @Test
  void badOptionsAreRefusedWithTheirName() {
    assertEquals("--only takes ingest|traffic|small|memory|reproject, got all",
        assertThrows(IllegalArgumentException.class, () -> ScaleConfig.parse(new String[] {"--only", "all"}))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> ScaleConfig.parse(new String[] {"--candidates", "1"}));
    assertThrows(IllegalArgumentException.class, () -> ScaleConfig.parse(new String[] {"--passes"}));
    assertThrows(IllegalArgumentException.class, () -> ScaleConfig.parse(new String[] {"--traffic", "some"}));
    assertThrows(IllegalArgumentException.class, () -> ScaleConfig.parse(new String[] {"--frobnicate", "1"}));
  }
}
