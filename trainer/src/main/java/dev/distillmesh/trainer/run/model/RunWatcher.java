package dev.distillmesh.trainer.run.model;

/**
 * Someone following a run's events (WatchRun). Called from the run's thread, one call at a time
 * per watcher; a call that throws unsubscribes the watcher (it went away).
 */
public interface RunWatcher {
  void onEvent(RunEvent event);

  /** The run ended: no more events come. */
  void onEnd();
}
