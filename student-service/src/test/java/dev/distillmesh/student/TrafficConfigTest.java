package dev.distillmesh.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The traffic settings: defaults, flags over the environment, and precise refusals. */
class TrafficConfigTest {
  @Test
  void defaultsAreTenThousandQueriesAllOfThem() {
    StudentServerConfig c = StudentServerConfig.parse(new String[0], Map.of());
    assertEquals(10_000, c.trafficBuffer());
    assertEquals(1.0, c.trafficSampleRate());
    assertTrue(StudentServerConfig.USAGE.contains("--traffic-buffer"));
    assertTrue(StudentServerConfig.USAGE.contains(StudentServerConfig.ENV_TRAFFIC_SAMPLE_RATE));
  }

  @Test
  void flagsAndEnvironmentAreRead() {
    StudentServerConfig env = StudentServerConfig.parse(new String[0], Map.of(
        StudentServerConfig.ENV_TRAFFIC_BUFFER, "0", StudentServerConfig.ENV_TRAFFIC_SAMPLE_RATE, "0.25"));
    assertEquals(0, env.trafficBuffer());
    assertEquals(0.25, env.trafficSampleRate());
    StudentServerConfig flags = StudentServerConfig.parse(
        new String[] {"--traffic-buffer", "1000000", "--traffic-sample-rate", "0"},
        Map.of(StudentServerConfig.ENV_TRAFFIC_SAMPLE_RATE, "0.5"));
    assertEquals(1_000_000, flags.trafficBuffer());
    assertEquals(0.0, flags.trafficSampleRate());
  }

  @Test
  void outOfRangeOrMalformedValuesAreRefusedByName() {
    for (String bad : new String[] {"1.5", "-0.1", "NaN", "half"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> StudentServerConfig.parse(new String[] {"--traffic-sample-rate", bad}, Map.of()));
      assertEquals("--traffic-sample-rate (DISTILLMESH_STUDENT_TRAFFIC_SAMPLE_RATE) must be a number in 0..1"
          + " (e.g. 0.25 for one query in four), got \"" + bad + "\"", e.getMessage());
    }
    IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
        () -> StudentServerConfig.parse(new String[] {"--traffic-buffer", "1000001"}, Map.of()));
    assertEquals("--traffic-buffer (DISTILLMESH_STUDENT_TRAFFIC_BUFFER) must be in 0..1000000, got 1000001",
        big.getMessage());
  }
}
