package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexServerConfigTest {
  @Test
  void defaultsAreLoopbackAndNoToken() {
    IndexServerConfig c = IndexServerConfig.parse(new String[0], Map.of());
    assertEquals("127.0.0.1", c.bind());
    assertEquals(7401, c.port());
    assertEquals(Path.of("data/index"), c.dataDir());
    assertNull(c.adminToken());
    assertEquals(64 << 20, c.maxMessageBytes());
    assertTrue(c.inlineReads());
    assertEquals(-1, c.metricsPort(), "metrics are off unless asked for");
  }

  @Test
  void metricsPortFromFlagOrEnvironment() {
    assertEquals(9401, IndexServerConfig.parse(new String[0], Map.of(IndexServerConfig.ENV_METRICS_PORT, "9401"))
        .metricsPort());
    assertEquals(0, IndexServerConfig.parse(new String[] {"--metrics-port", "0"}, Map.of()).metricsPort());
    assertThrows(IllegalArgumentException.class,
        () -> IndexServerConfig.parse(new String[] {"--metrics-port", "-2"}, Map.of()));
  }

  @Test
  void flagsWinOverEnvironmentAndTheTokenComesOnlyFromTheEnvironment() {
    IndexServerConfig c = IndexServerConfig.parse(new String[] {"--port", "9000"},
        Map.of(IndexServerConfig.ENV_PORT, "8000", IndexServerConfig.ENV_BIND, "0.0.0.0",
            IndexServerConfig.ENV_ADMIN_TOKEN, "s3cret"));
    assertEquals(9000, c.port());
    assertEquals("0.0.0.0", c.bind());
    assertEquals("s3cret", c.adminToken());
    assertFalse(c.toString().contains("s3cret"), "secrets are never printed");
  }

  @Test
  void badValuesAreRejectedWithTheSettingName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IndexServerConfig.parse(new String[] {"--port", "70000"}, Map.of()));
    assertTrue(e.getMessage().contains("--port") && e.getMessage().contains("0..65535"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> IndexServerConfig.parse(new String[] {"--search-threads", "two"}, Map.of()));
    assertTrue(e.getMessage().contains("must be a number"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> IndexServerConfig.parse(new String[] {"--colour", "blue"}, Map.of()));
    assertTrue(e.getMessage().contains("unknown option --colour"), e.getMessage());
  }

  @Test
  void aRemoteBindWithoutAnAdminCredentialIsRefusedUnlessAllowed() {
    for (String bind : new String[] {"0.0.0.0", "::", "192.0.2.7"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> IndexServerConfig.parse(new String[] {"--bind", bind}, Map.of()), bind);
      assertTrue(e.getMessage().contains("refusing to serve on " + bind)
          && e.getMessage().contains("--allow-insecure-remote"), e.getMessage());
    }
    assertEquals("0.0.0.0", IndexServerConfig.parse(new String[] {"--bind", "0.0.0.0", "--allow-insecure-remote",
        "true"}, Map.of()).bind());
    assertEquals("0.0.0.0", IndexServerConfig.parse(new String[] {"--bind", "0.0.0.0"},
        Map.of(IndexServerConfig.ENV_ALLOW_INSECURE_REMOTE, "true")).bind());
    assertTrue(IndexServerConfig.parse(new String[] {"--bind", "0.0.0.0"},
        Map.of(IndexServerConfig.ENV_ADMIN_TOKEN, "s3cret")).adminToken() != null, "a token makes a remote bind safe");
    for (String loopback : new String[] {"127.0.0.1", "::1", "localhost"}) {
      assertEquals(loopback, IndexServerConfig.parse(new String[] {"--bind", loopback}, Map.of()).bind());
    }
  }
}
