package dev.distillmesh.trainer.run;

import dev.distillmesh.common.Durable;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.RunStatusCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run's directory under the runs directory: {@code run.pb} (its record), {@code
 * checkpoint.bin}, {@code traffic.jsonl} and {@code published/}. Every file is written atomically.
 */
final class RunDirectory {
  static final String RECORD = "run.pb";

  private final Path dir;
  private final RunStatusCodec codec;

  RunDirectory(Path dir, RunStatusCodec codec) {
    this.dir = dir;
    this.codec = codec;
  }

  Path path() {
    return dir;
  }

  /** Whether {@code dir} holds a run (its record). */
  static boolean holdsRun(Path dir) {
    return Files.isDirectory(dir) && Files.exists(dir.resolve(RECORD));
  }

  RunStatus readRecord() throws IOException {
    return codec.decode(Files.readAllBytes(dir.resolve(RECORD)));
  }

  void writeRecord(RunStatus status) throws IOException {
    Durable.writeAtomically(dir.resolve(RECORD), codec.encode(status));
  }

  /** The checkpoint, or null when the run has none yet. */
  Checkpoint readCheckpoint() throws IOException {
    return Checkpoint.read(dir, codec);
  }

  /** Writes the checkpoint, then the record it holds. */
  void writeCheckpoint(Checkpoint checkpoint) throws IOException {
    checkpoint.write(dir, codec);
    writeRecord(checkpoint.info());
  }

  TrafficJournal trafficJournal() {
    return new TrafficJournal(dir);
  }
}
