package dev.distillmesh.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.encoder.Pooling;
import dev.distillmesh.teacher.embedded.EnsembleSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherServerConfigTest {

  @Test
  void defaultsAreTheEmbeddedE5TeacherOnLoopback() {
    TeacherServerConfig c = TeacherServerConfig.parse(new String[0], Map.of());
    assertEquals("127.0.0.1", c.bind());
    assertEquals(7403, c.port());
    assertEquals("embedded", c.backend());
    assertEquals("e5-small-v2", c.ensemble());
    assertEquals(32, c.maxBatch());
    assertEquals(4096, c.queueCapacity());
    assertEquals(256L << 20, c.cacheBytes());
    assertEquals(64, c.streamWindow());
    assertEquals(-1, c.metricsPort(), "metrics are off unless asked for");
    assertEquals(9403, TeacherServerConfig.parse(new String[0], Map.of(TeacherServerConfig.ENV_METRICS_PORT, "9403"))
        .metricsPort());
  }

  @Test
  void tritonBatchesPairsWithItsOwnDefaultsAndLimits() {
    TeacherServerConfig c = TeacherServerConfig.parse(new String[] {"--backend", "triton"},
        Map.of(TeacherServerConfig.ENV_TRITON_TARGET, "gpu-host:8001"));
    assertEquals("gpu-host:8001", c.tritonTarget());
    assertEquals(64, c.maxBatch());
    assertEquals(65536, c.queueCapacity());
    assertEquals("scorer", c.tritonScorer());
    assertEquals("", c.tritonSelector());
    assertEquals("generator", c.tritonGenerator());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TeacherServerConfig.parse(new String[] {"--backend", "triton", "--max-batch", "512"}, Map.of()));
    assertTrue(e.getMessage().contains("max-batch"), e.getMessage());
  }

  @Test
  void anUnknownBackendIsRefusedWithTheUsage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TeacherServerConfig.parse(new String[] {"--backend", "openai"}, Map.of()));
    assertTrue(e.getMessage().startsWith("--backend must be embedded or triton, got \"openai\""), e.getMessage());
    assertTrue(e.getMessage().contains("usage: teacher-service"), e.getMessage());
  }

  @Test
  void ensemblesNameBundledModelsOrDirectoriesWithWeights(@TempDir Path dir) {
    EnsembleSpec two = EnsembleSpec.parse("e5-small-v2:0.7, bge-small-en-v1.5:0.3");
    assertEquals(2, two.members().size());
    assertEquals(0.7f, two.members().get(0).weight());
    assertEquals("query: ", two.members().get(0).encoder().queryPrefix());
    assertEquals(Pooling.CLS, two.members().get(1).encoder().pooling());
    assertEquals("e5-small-v2*0.7+bge-small-en-v1.5*0.3", two.label());
    assertEquals(1f, EnsembleSpec.parse("e5-small-v2").members().get(0).weight());

    assertTrue(assertThrows(IllegalArgumentException.class, () -> EnsembleSpec.parse("gpt-9"))
        .getMessage().contains("\"gpt-9\" is neither a bundled model (all-minilm-l6-v2, e5-small-v2, bge-small-en-v1.5)"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EnsembleSpec.parse("e5-small-v2:-1"))
        .getMessage().contains("the weight must be a positive number"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EnsembleSpec.parse("e5-small-v2,,"))
        .getMessage().contains("has an empty entry"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EnsembleSpec.parse(dir.toString() + ":2"))
        .getMessage().contains("has no model.onnx"));
  }
}
