package dev.distillmesh.trainer.grpc;

import dev.distillmesh.common.GrpcErrors;
import dev.distillmesh.proto.trainer.v1.GetRunRequest;
import dev.distillmesh.proto.trainer.v1.ListRunsRequest;
import dev.distillmesh.proto.trainer.v1.ListRunsResponse;
import dev.distillmesh.proto.trainer.v1.RollbackRequest;
import dev.distillmesh.proto.trainer.v1.RunEvent;
import dev.distillmesh.proto.trainer.v1.RunInfo;
import dev.distillmesh.proto.trainer.v1.StartRunRequest;
import dev.distillmesh.proto.trainer.v1.StopRunRequest;
import dev.distillmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.distillmesh.proto.trainer.v1.WatchRunRequest;
import dev.distillmesh.trainer.data.DataRoots;
import dev.distillmesh.trainer.run.RunManager;
import dev.distillmesh.trainer.run.model.RunWatcher;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code TrainerService} on the wire: every call maps its request to domain types ({@link
 * RunMessages}), delegates to the {@link RunManager} and maps the answer back; every failure goes
 * through {@link GrpcErrors#toStatus}.
 */
public final class TrainerGrpcService extends TrainerServiceGrpc.TrainerServiceImplBase {
  /** Calls that change what the student serves or what trains: they need the admin credential. */
  public static final Set<String> ADMIN_METHODS = Set.of(
      TrainerServiceGrpc.getStartRunMethod().getFullMethodName(),
      TrainerServiceGrpc.getStopRunMethod().getFullMethodName(),
      TrainerServiceGrpc.getRollbackMethod().getFullMethodName());

  private final RunManager runs;
  private final DataRoots dataRoots;

  /** @param dataRoots where StartRun may read data files from; every path of a spec is confined to them */
  public TrainerGrpcService(RunManager runs, DataRoots dataRoots) {
    this.runs = runs;
    this.dataRoots = dataRoots;
  }

  @Override
  public void startRun(StartRunRequest request, StreamObserver<RunInfo> responses) {
    unary(responses, () -> RunMessages.toProto(runs.start(dataRoots.confine(RunMessages.spec(request.getSpec())))));
  }

  @Override
  public void stopRun(StopRunRequest request, StreamObserver<RunInfo> responses) {
    unary(responses, () -> RunMessages.toProto(runs.stop(request.getRunId())));
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<RunInfo> responses) {
    unary(responses, () -> RunMessages.toProto(runs.get(request.getRunId())));
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> responses) {
    unary(responses, () -> ListRunsResponse.newBuilder().addAllRuns(runs.list().stream().map(RunMessages::toProto)
        .toList()).build());
  }

  @Override
  public void rollback(RollbackRequest request, StreamObserver<RunInfo> responses) {
    unary(responses, () -> RunMessages.toProto(runs.rollback(request.getRunId(), request.getToVersion())));
  }

  @Override
  public void watchRun(WatchRunRequest request, StreamObserver<RunEvent> responses) {
    ServerCallStreamObserver<RunEvent> out = (ServerCallStreamObserver<RunEvent>) responses;
    // Events come from the run's thread; the observer is not thread-safe, so one lock serialises them.
    RunWatcher serial = new RunWatcher() {
      @Override
      public synchronized void onEvent(dev.distillmesh.trainer.run.model.RunEvent event) {
        if (!out.isCancelled()) {
          out.onNext(RunMessages.toProto(event));
        }
      }

      @Override
      public synchronized void onEnd() {
        if (!out.isCancelled()) {
          out.onCompleted();
        }
      }
    };
    try {
      out.setOnCancelHandler(() -> runs.unwatch(request.getRunId(), serial));
      runs.watch(request.getRunId(), serial);
    } catch (RuntimeException e) {
      responses.onError(GrpcErrors.toStatus(e));
    }
  }

  private static <T> void unary(StreamObserver<T> responses, Callable<T> call) {
    T value;
    try {
      value = call.call();
    } catch (Exception e) {
      responses.onError(GrpcErrors.toStatus(e));
      return;
    }
    responses.onNext(value);
    responses.onCompleted();
  }
}
