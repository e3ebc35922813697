package dev.distillmesh.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** --max-in-flight-queries: flag, environment, default and range. */
class QueryLimitConfigTest {
  @Test
  void defaultFlagAndEnvironment() {
    assertEquals(StudentServerConfig.DEFAULT_MAX_IN_FLIGHT_QUERIES,
        StudentServerConfig.parse(new String[0], Map.of()).maxInFlightQueries());
    assertEquals(8, StudentServerConfig.parse(new String[] {"--max-in-flight-queries", "8"}, Map.of())
        .maxInFlightQueries());
    assertEquals(12, StudentServerConfig.parse(new String[0],
        Map.of(StudentServerConfig.ENV_MAX_IN_FLIGHT_QUERIES, "12")).maxInFlightQueries());
  }

  @Test
  void zeroIsRefusedNamingTheFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StudentServerConfig.parse(new String[] {"--max-in-flight-queries", "0"}, Map.of()));
    assertTrue(e.getMessage().contains("max-in-flight-queries"), e.getMessage());
  }
}
