package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.Durable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every adapter a run published, by version, kept for rollbacks and for completing a publish after
 * a crash: {@code published/v<N>.bin} (the context adapter) and {@code published/v<N>-response.bin}
 * (the response adapter), row-major floats, written atomically.
 */
final class AdapterArchive {
  enum Side {
    CONTEXT(""),
    RESPONSE("-response");

    private final String suffix;

    Side(String suffix) {
      this.suffix = suffix;
    }
  }

  private final String runId;
  private final Path dir;
  private final Supplier<List<Long>> published;

  /** @param published the versions the run published, for the message when one is missing */
  AdapterArchive(String runId, Path runDir, Supplier<List<Long>> published) {
    this.runId = runId;
    this.dir = runDir.resolve("published");
    this.published = published;
  }

  /** The adapter kept as {@code version}; NOT_FOUND when there is none. */
  float[] read(long version, Side side) throws IOException {
    Path file = dir.resolve("v" + version + side.suffix + ".bin");
    if (!Files.exists(file)) {
      throw DomainException.notFound("run " + runId + " has no published version " + version + " (it published "
          + published.get() + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    float[] m = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(m);
    return m;
  }

  void write(long version, Side side, float[] matrix) throws IOException {
    Files.createDirectories(dir);
    ByteBuffer b = ByteBuffer.allocate(matrix.length * Float.BYTES);
    b.asFloatBuffer().put(matrix);
    Durable.writeAtomically(dir.resolve("v" + version + side.suffix + ".bin"), b.array());
  }
}
