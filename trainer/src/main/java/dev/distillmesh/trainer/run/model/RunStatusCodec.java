package dev.distillmesh.trainer.run.model;

import java.io.IOException;

/**
 * How a run's record is kept on disk ({@code run.pb}, and inside each checkpoint). The format is
 * the contract's {@code RunInfo} message, so the codec lives with the other proto mappings, outside
 * this package. Implementations are stateless and thread-safe.
 */
public interface RunStatusCodec {
  byte[] encode(RunStatus status);

  /** @throws IOException when the bytes are not a run record */
  RunStatus decode(byte[] bytes) throws IOException;
}
