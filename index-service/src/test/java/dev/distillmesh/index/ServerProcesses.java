package dev.distillmesh.index;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The packaged servers a test starts, each closed after it ({@code @RegisterExtension}). */
final class ServerProcesses implements AfterEachCallback {
  private final List<IndexServerProcess> started = new ArrayList<>();

  /** Starts the packaged server on {@code dataDir}, its output in {@code log}. */
  IndexServerProcess start(Path dataDir, Path log) throws Exception {
    IndexServerProcess s = IndexServerProcess.start(dataDir, log);
    started.add(s);
    return s;
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    for (IndexServerProcess s : started) {
      s.close();
    }
    started.clear();
  }
}
