package dev.distillmesh.trainer.run;

import dev.distillmesh.trainer.grpc.ProtoRunStatusCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What a run keeps on disk, for tests outside this package: its traffic journal and checkpointed position. */
public final class RunFiles {
  private RunFiles() {}

  /** The queries the run's journal holds, in the order taken. */
  public static List<TrafficFeed.Query> journal(Path runDir) throws IOException {
    return new TrafficJournal(runDir).recover();
  }

  /** Queries trained as of the run's last checkpoint (-1 when it has none). */
  public static long checkpointedPosition(Path runDir) throws IOException {
    Checkpoint c = new RunDirectory(runDir, new ProtoRunStatusCodec()).readCheckpoint();
    return c == null ? -1 : c.position();
  }
}
