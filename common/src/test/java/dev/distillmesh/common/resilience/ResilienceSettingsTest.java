package dev.distillmesh.common.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResilienceSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    ResilienceSettings settings = ResilienceSettings.defaults("index-service");

    assertEquals(new ResilienceSettings("index-service", 3, Duration.ofMillis(20),
        Duration.ofMillis(200), 50f, 20, 10, Duration.ofSeconds(5), 64), settings);
  }

  @Test
  void rejectsMeaninglessValues() {
    ResilienceSettings ok = ResilienceSettings.defaults("peer");
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings(" ", 3,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 0,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        Duration.ZERO, ok.maxBackoff(), 50f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        Duration.ofMillis(300), Duration.ofMillis(200), 50f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 0f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 101f, 20, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 0, 10, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 20, 0, ok.openStateWait(), 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 20, 10, Duration.ZERO, 64));
    assertThrows(IllegalArgumentException.class, () -> new ResilienceSettings("peer", 3,
        ok.initialBackoff(), ok.maxBackoff(), 50f, 20, 10, ok.openStateWait(), 0));
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class,
      names = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "DATA_LOSS"})
  void peerFailuresCountAgainstTheBreaker(Status.Code code) {
    assertEquals(CallGuard.Outcome.FAILURE, CallGuard.classify(code));
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, mode = EnumSource.Mode.EXCLUDE,
      names = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "UNKNOWN", "DATA_LOSS", "CANCELLED"})
  void answersCountAsSuccesses(Status.Code code) {
    assertEquals(CallGuard.Outcome.SUCCESS, CallGuard.classify(code));
  }

  @Test
  void cancellationIsNotRecorded() {
    assertEquals(CallGuard.Outcome.IGNORED, CallGuard.classify(Status.Code.CANCELLED));
  }
}
