package dev.distillmesh.student;

import java.util.function.Consumer;

/**
 * The student's health from its two conditions: the index serves, and (in scale-out mode) the
 * replica has caught up with the rollout topic, so it serves the newest adapters. SERVING only when
 * both hold; every change is passed on.
 */
final class Readiness {
  private final Consumer<Boolean> setServing;
  private boolean indexUp;
  private boolean rolloutCaughtUp;
  private Boolean last;

  /** @param rolloutCaughtUp true when there is no rollout to wait for (the single-machine default) */
  Readiness(Consumer<Boolean> setServing, boolean rolloutCaughtUp) {
    this.setServing = setServing;
    this.rolloutCaughtUp = rolloutCaughtUp;
  }

  synchronized void index(boolean up) {
    indexUp = up;
    apply();
  }

  synchronized void rollout(boolean caughtUp) {
    rolloutCaughtUp = caughtUp;
    apply();
  }

  private void apply() {
    boolean serving = indexUp && rolloutCaughtUp;
    if (last == null || last != serving) {
      last = serving;
      setServing.accept(serving);
    }
  }
}
