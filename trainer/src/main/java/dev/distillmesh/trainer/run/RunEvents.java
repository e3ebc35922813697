package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.run.model.Progress;
import dev.distillmesh.trainer.run.model.Publish;
import dev.distillmesh.trainer.run.model.RunEvent;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.RunWatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's event history (bounded: the oldest progress events go first) and its watchers. A new
 * watcher gets the history, then every new event; when the run ends, watchers are told. Events are
 * small and rare (a few per second at most), so they are sent as they come. Thread-safe.
 */
final class RunEvents {
  private static final int MAX_EVENTS = 5000;

  private final List<RunEvent> history = new ArrayList<>();
  private final List<RunWatcher> watchers = new ArrayList<>();
  private boolean ended;
  private Progress lastProgress; // kept apart: the history may drop old progress events

  synchronized void add(RunEvent event) {
    if (event.payload() instanceof Progress p) {
      lastProgress = p;
    }
    if (history.size() >= MAX_EVENTS) {
      int victim = 0;
      while (victim < history.size() - 1 && !(history.get(victim).payload() instanceof Progress)) {
        victim++;
      }
      history.remove(victim);
    }
    history.add(event);
    for (RunWatcher w : new ArrayList<>(watchers)) {
      try {
        w.onEvent(event);
      } catch (RuntimeException e) { // the watcher went away
        watchers.remove(w);
      }
    }
  }

  /** Adds, as events, what a run's record already holds: a watcher of a resumed run sees them first. */
  void replay(RunStatus saved) {
    long now = System.currentTimeMillis();
    if (saved.studentAtStart() != null) {
      add(new RunEvent(saved.runId(), 0, now, saved.studentAtStart()));
    }
    if (saved.teacher() != null) {
      add(new RunEvent(saved.runId(), 0, now, saved.teacher()));
    }
    for (Publish p : saved.publishes()) {
      add(new RunEvent(saved.runId(), p.step(), now, p));
    }
  }

  /** The latest progress report, or null before the first. */
  synchronized Progress lastProgress() {
    return lastProgress;
  }

  synchronized void watch(RunWatcher watcher) {
    for (RunEvent e : history) {
      watcher.onEvent(e);
    }
    if (ended) {
      watcher.onEnd();
    } else {
      watchers.add(watcher);
    }
  }

  synchronized void unwatch(RunWatcher watcher) {
    watchers.remove(watcher);
  }

  synchronized void end() {
    ended = true;
    for (RunWatcher w : watchers) {
      try {
        w.onEnd();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    watchers.clear();
  }
}
