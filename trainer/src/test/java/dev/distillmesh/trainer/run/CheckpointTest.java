package dev.distillmesh.trainer.run;

import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.trainer.grpc.ProtoRunStatusCodec;
import dev.distillmesh.trainer.grpc.RunMessages;
import dev.distillmesh.trainer.run.model.RunState;
import dev.distillmesh.trainer.run.model.RunStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
  private static final ProtoRunStatusCodec CODEC = new ProtoRunStatusCodec();

  private static double[] values(int n, double offset) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = offset + i * 0.25;
    }
    return a;
  }

  @Test
  void bothAdaptersAndTheirOptimizerStateComeBackExactly(@TempDir Path dir) throws Exception {
    RunStatus info = RunMessages.status(RunInfo.newBuilder().setRunId("run-x").setStep(40)
        .setState(dev.distillmesh.proto.trainer.v1.RunState.RUNNING).build());
    Checkpoint.Response response = new Checkpoint.Response(41, values(9, 3), values(9, 4), values(9, 5), 7);
    new Checkpoint(40, 1280, 40, 3, values(9, 0), values(9, 1), values(9, 2), 6, 38, info, response).write(dir, CODEC);
    Checkpoint back = Checkpoint.read(dir, CODEC);
    assertEquals(40, back.step());
    assertEquals(1280, back.position());
    assertArrayEquals(values(9, 0), back.adapter());
    assertArrayEquals(values(9, 2), back.v());
    assertEquals(6, back.pendingVersion());
    assertEquals(info, back.info());
    assertEquals(41, back.response().adamSteps());
    assertArrayEquals(values(9, 3), back.response().adapter());
    assertArrayEquals(values(9, 4), back.response().m());
    assertArrayEquals(values(9, 5), back.response().v());
    assertEquals(7, back.response().pendingVersion());
  }

  @Test
  void aContextOnlyRunHasNoResponseStateAndADamagedFileIsRefused(@TempDir Path dir) throws Exception {
    RunStatus info = RunMessages.status(RunInfo.getDefaultInstance());
    new Checkpoint(1, 32, 1, 2, values(4, 0), values(4, 1), values(4, 2), 0, 0, info, null).write(dir, CODEC);
    assertNull(Checkpoint.read(dir, CODEC).response());
    byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.FILE));
    bytes[20] ^= 1;
    Files.write(dir.resolve(Checkpoint.FILE), bytes);
    IOException e = assertThrows(IOException.class, () -> Checkpoint.read(dir, CODEC));
    assertTrue(e.getMessage().contains("CRC mismatch"), e.getMessage());
  }
}
