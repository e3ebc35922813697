package dev.distillmesh.trainer.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.trainer.run.model.RunStatus;
import dev.distillmesh.trainer.run.model.RunStatusCodec;
import java.io.IOException;

/**
 * A run's record on disk as the contract's {@code RunInfo} message: the same bytes GetRun would
 * send, so a record written by an earlier trainer reads back unchanged.
 */
public final class ProtoRunStatusCodec implements RunStatusCodec {
  @Override
  public byte[] encode(RunStatus status) {
    return RunMessages.toProto(status).toByteArray();
  }

  @Override
  public RunStatus decode(byte[] bytes) throws IOException {
    try {
      return RunMessages.status(RunInfo.parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("not a trainer run record: " + e.getMessage(), e);
    }
  }
}
