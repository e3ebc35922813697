package dev.distillmesh.teacher.triton;

import com.google.protobuf.ByteString;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
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
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A thin client of one Triton server's KServe v2 gRPC API ({@code inference.GRPCInferenceService}).
 *
 * <p>Guarantees: every call carries a deadline, the caller's capped at {@code callTimeout}; every
 * failure is a {@link DomainException} whose message says it came from Triton at the target, for
 * which model, with Triton's own message. Status codes map as: INVALID_ARGUMENT, UNAVAILABLE,
 * DEADLINE_EXCEEDED and RESOURCE_EXHAUSTED to the same kind; NOT_FOUND (Triton does not serve the
 * model) to FAILED_PRECONDITION, since only a deployment or configuration change fixes it; anything
 * else to INTERNAL. The output readers turn a response that breaks the model's contract (missing
 * output, wrong datatype, shape or element count, malformed contents) into INTERNAL naming the model
 * and what was wrong. Thread-safe.
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
  public CompletableFuture<ModelInferResponse> infer(ModelInferRequest request, Deadline deadline) {
    Deadline capped = Deadline.after(callTimeout.toNanos(), TimeUnit.NANOSECONDS).minimum(deadline);
    CompletableFuture<ModelInferResponse> answer =
        call(request.getModelName(), o -> stub.withDeadline(capped).modelInfer(request, o));
    return answer;
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
   * Reads FP32 output {@code name} holding {@code count} elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  public float[] fp32Output(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "FP32", count);
    try {
      return TensorCodec.decodeFp32(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Reads INT32 output {@code name} holding {@code count} elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  public int[] int32Output(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "INT32", count);
    try {
      return TensorCodec.decodeInt32(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Reads BYTES output {@code name} holding {@code count} UTF-8 elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  public List<String> bytesOutput(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "BYTES", count);
    try {
      return TensorCodec.decodeBytes(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /** INTERNAL: the model answered but broke its contract. */
  public DomainException broken(String model, String what) {
    return new DomainException(Kind.INTERNAL, "Triton at " + target + ", model '" + model
        + "', broke the model contract: " + what);
  }

  /**
   * Maps any failure of a call about {@code model} (null for a server-level call) to a
   * {@link DomainException}, keeping those already mapped.
   */
  public DomainException translate(Throwable error, String model) {
    Throwable cause = unwrap(error);
    if (cause instanceof DomainException d) {
      return d;
    }
    Status status = cause instanceof StatusRuntimeException s ? s.getStatus()
        : cause instanceof StatusException s ? s.getStatus() : null;
    String where = where(model);
    if (status == null) {
      return new DomainException(Kind.INTERNAL, where + ": call failed: " + cause, cause);
    }
    String detail = status.getDescription() == null ? "(no message)" : status.getDescription();
    return switch (status.getCode()) {
      case INVALID_ARGUMENT -> new DomainException(Kind.INVALID_ARGUMENT,
          where + ", rejected the request: " + detail, cause);
      case NOT_FOUND -> new DomainException(Kind.FAILED_PRECONDITION, where + ", is not served there (NOT_FOUND: "
          + detail + "); deploy it in Triton's model repository or configure a model Triton serves", cause);
      case UNAVAILABLE -> new DomainException(Kind.UNAVAILABLE, where + ", is unavailable: " + detail, cause);
      case DEADLINE_EXCEEDED -> new DomainException(Kind.DEADLINE_EXCEEDED,
          where + ", did not answer before the deadline: " + detail, cause);
      case RESOURCE_EXHAUSTED -> new DomainException(Kind.RESOURCE_EXHAUSTED,
          where + ", is out of capacity or the message is too large: " + detail, cause);
      default -> new DomainException(Kind.INTERNAL, where + ", failed with " + status.getCode() + ": " + detail, cause);
    };
  }

  private ByteString rawOutput(ModelInferResponse response, String model, String name, String datatype, int count) {
    for (int i = 0; i < response.getOutputsCount(); i++) {
      ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
      if (!output.getName().equals(name)) {
        continue;
      }
      if (!output.getDatatype().equals(datatype)) {
        throw broken(model, "output '" + name + "' has datatype " + output.getDatatype() + ", expected " + datatype);
      }
      List<Long> shape = output.getShapeList();
      boolean shapeOk;
      try {
        shapeOk = (shape.size() == 1 || shape.size() == 2) && shape.get(0) == count
            && TensorCodec.elementCount(shape) == count;
      } catch (IllegalArgumentException e) {
        shapeOk = false;
      }
      if (!shapeOk) {
        throw broken(model, "output '" + name + "' has shape " + shape + ", expected [" + count + "] or ["
            + count + ", 1]");
      }
      if (i >= response.getRawOutputContentsCount()) {
        throw broken(model, "output '" + name + "' has no raw_output_contents entry (" + response.getRawOutputContentsCount()
            + " entries for " + response.getOutputsCount() + " outputs)");
      }
      return response.getRawOutputContents(i);
    }
    throw broken(model, "output '" + name + "' is missing (outputs: "
        + response.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList() + ")");
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

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
