package dev.distillmesh.trainer.run;

import dev.distillmesh.proto.trainer.v1.Progress;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's event history (bounded: the oldest progress events go first) and its watchers. A new
 * watcher gets the history, then every new event; when the run ends, watchers complete. Events are
 * small and rare (a few per second at most), so they are sent as they come. Thread-safe.
 */
final class RunEvents {
  private static final int MAX_EVENTS = 5000;

  private final List<RunEvent> history = new ArrayList<>();
  private final List<StreamObserver<RunEvent>> watchers = new ArrayList<>();
  private boolean ended;
  private Progress lastProgress; // kept apart: the history may drop old progress events

  synchronized void add(RunEvent event) {
    if (event.hasProgress()) {
      lastProgress = event.getProgress();
    }
    if (history.size() >= MAX_EVENTS) {
      int victim = 0;
      while (victim < history.size() - 1 && !history.get(victim).hasProgress()) {
        victim++;
      }
      history.remove(victim);
    }
    history.add(event);
    for (StreamObserver<RunEvent> w : new ArrayList<>(watchers)) {
      try {
        w.onNext(event);
      } catch (RuntimeException e) { // the watcher went away
        watchers.remove(w);
      }
    }
  }

  /** The latest progress report, or null before the first. */
  synchronized Progress lastProgress() {
    return lastProgress;
  }

  synchronized void watch(StreamObserver<RunEvent> watcher) {
    for (RunEvent e : history) {
      watcher.onNext(e);
    }
    if (ended) {
      watcher.onCompleted();
    } else {
      watchers.add(watcher);
    }
  }

  synchronized void unwatch(StreamObserver<RunEvent> watcher) {
    watchers.remove(watcher);
  }

  synchronized void end() {
    ended = true;
    for (StreamObserver<RunEvent> w : watchers) {
      try {
        w.onCompleted();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    watchers.clear();
  }
}
