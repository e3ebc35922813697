package dev.distillmesh.teacher.triton;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.common.Futures;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.kserve.GRPCInferenceServiceGrpc;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.proto.kserve.ModelMetadataRequest;
import dev.distillmesh.proto.kserve.ModelMetadataResponse;
import dev.distillmesh.proto.kserve.ModelReadyRequest;
import dev.distillmesh.proto.kserve.ModelReadyResponse;
import dev.distillmesh.proto.kserve.ServerReadyRequest;
import dev.distillmesh.proto.kserve.ServerReadyResponse;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A thin client of one Triton server's KServe v2 gRPC API ({@code inference.GRPCInferenceService}).
 *
 * <p>Guarantees: every call carries a deadline, the caller's capped at {@code callTimeout}; every
 * failure is a {@link DomainException} ({@link #translate}) whose message says it came from Triton
 * at the target, for which model, with Triton's own message. It knows the KServe rpcs, not what the
 * tensors mean: requests are built and answers read by {@link KServeCodec}. It neither builds nor
 * closes the channel. Thread-safe.
 */
public final class TritonClient {
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
  private final String target;
  private final Duration callTimeout;

  /**
   * @param channel a channel to Triton (its max inbound message size decides how large a response may be)
   * @param target Triton's address, used in error messages
   * @param callTimeout the longest any call may take
   */
  public TritonClient(Channel channel, String target, Duration callTimeout) {
    this.stub = GRPCInferenceServiceGrpc.newStub(Objects.requireNonNull(channel, "channel"));
    this.target = Objects.requireNonNull(target, "target");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
  }

  public String target() {
    return target;
  }

  /**
   * Runs one ModelInfer. The call's deadline is the earlier of {@code deadline} and now + callTimeout.
   * The future fails with a mapped {@link DomainException}.
   */
  public CompletableFuture<ModelInferResponse> infer(ModelInferRequest request, CallDeadline deadline) {
    Deadline capped = Deadlines.toGrpc(CallDeadline.after(callTimeout).minimum(deadline));
    return call(request.getModelName(), o -> stub.withDeadline(capped).modelInfer(request, o));
  }

  /** ServerReady with a deadline of {@code timeout}. */
  public boolean serverReady(Duration timeout) {
    CompletableFuture<ServerReadyResponse> answer =
        call(null, o -> within(timeout).serverReady(ServerReadyRequest.getDefaultInstance(), o));
    return await(answer).getReady();
  }

  /** ModelReady for the version Triton's policy picks, with a deadline of {@code timeout}. */
  public boolean modelReady(String model, Duration timeout) {
    CompletableFuture<ModelReadyResponse> answer =
        call(model, o -> within(timeout).modelReady(ModelReadyRequest.newBuilder().setName(model).build(), o));
    return await(answer).getReady();
  }

  /** ModelMetadata for the version Triton's policy picks, with a deadline of {@code timeout}. */
  public ModelMetadataResponse modelMetadata(String model, Duration timeout) {
    CompletableFuture<ModelMetadataResponse> answer =
        call(model, o -> within(timeout).modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build(), o));
    return await(answer);
  }

  /**
   * Waits for calls about {@code model} made for one request, then applies {@code finish} to their
   * answers, in order ({@link Futures#allWithin}): the first failure, or DEADLINE_EXCEEDED when
   * {@code deadline} passes first, fails the result, and then the calls not yet done are cancelled
   * (so pairs still queued are dropped before they reach Triton). Cancelling the result does the
   * same. Every failure, {@code finish}'s included, is {@link #translate}d.
   */
  public <T, R> CompletableFuture<R> gather(List<CompletableFuture<T>> calls, CallDeadline deadline, String model,
      Function<List<T>, R> finish) {
    CompletableFuture<List<T>> all = Futures.allWithin(calls, deadline, () -> new DomainException(
        Kind.DEADLINE_EXCEEDED, "the deadline passed before " + where(model) + ", answered"));
    CompletableFuture<R> result = new CompletableFuture<>();
    all.whenComplete((answers, error) -> {
      if (error != null) {
        result.completeExceptionally(translate(error, model));
        return;
      }
      try {
        result.complete(finish.apply(answers));
      } catch (RuntimeException e) {
        result.completeExceptionally(translate(e, model));
      }
    });
    result.whenComplete((r, error) -> {
      if (error != null) {
        all.cancel(false);
      }
    });
    return result;
  }

  /**
   * Maps any failure of a call about {@code model} (null for a server-level call) to a {@link
   * DomainException}, keeping those already mapped. The kind is {@link RemoteErrors}' rule, but for
   * NOT_FOUND: Triton does not serve the model, which only a deployment or configuration change
   * fixes, so FAILED_PRECONDITION. The message names Triton's address and the model, says in
   * Triton's terms what went wrong where that adds meaning, and carries Triton's own message.
   */
  public DomainException translate(Throwable error, String model) {
    String where = where(model);
    DomainException common = RemoteErrors.toDomain(where, error);
    Status.Code code = RemoteErrors.codeOf(error);
    if (code == null) {
      return common; // already a domain failure, or not a remote status at all (INTERNAL)
    }
    String description = Status.fromThrowable(error).getDescription();
    String detail = description == null ? "(no message)" : description;
    String message = switch (code) {
      case NOT_FOUND -> where + ", is not served there (NOT_FOUND: " + detail
          + "); deploy it in Triton's model repository or configure a model Triton serves";
      case INVALID_ARGUMENT -> where + ", rejected the request: " + detail;
      case UNAVAILABLE -> where + ", is unavailable: " + detail;
      case DEADLINE_EXCEEDED -> where + ", did not answer before the deadline: " + detail;
      case RESOURCE_EXHAUSTED -> where + ", is out of capacity or the message is too large: " + detail;
      default -> null;
    };
    if (message == null) {
      return common;
    }
    Kind kind = code == Status.Code.NOT_FOUND ? Kind.FAILED_PRECONDITION : common.kind();
    return new DomainException(kind, message, common.getCause());
  }

  /** "Triton at TARGET, model 'NAME'", or "Triton at TARGET" for server-level calls (model null). */
  private String where(String model) {
    return model == null ? "Triton at " + target : "Triton at " + target + ", model '" + model + "'";
  }

  private GRPCInferenceServiceGrpc.GRPCInferenceServiceStub within(Duration timeout) {
    return stub.withDeadlineAfter(Math.min(timeout.toNanos(), callTimeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  private <T> CompletableFuture<T> call(String model, Consumer<StreamObserver<T>> start) {
    CompletableFuture<T> result = new CompletableFuture<>();
    start.accept(new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(translate(t, model));
      }

      @Override
      public void onCompleted() {
        if (!result.isDone()) {
          result.completeExceptionally(new DomainException(Kind.INTERNAL,
              where(model) + ", ended a unary call without a response"));
        }
      }
    });
    return result;
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw (DomainException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DomainException(Kind.CANCELLED, "interrupted while waiting for Triton", e);
    }
  }
}
