package dev.distillmesh.common.resilience;

import dev.distillmesh.common.StringMarshaller;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handwritten gRPC service (no .proto) that speaks plain UTF-8 strings. {@code Unary} answers
 * {@code "echo:" + request}; {@code Stream} answers it twice. Tests script failures: the next
 * calls fail with the statuses in {@link #script}, then every call with {@link #failAlways} if
 * set. With {@link #gate} set, handlers wait for it (or for the client to cancel) before answering.
 * Thread-safe: handlers run on the server's executor while the test thread reads the records.
 */
final class EchoBackend {
  static final String SERVICE = "distillmesh.test.Echo";
  static final MethodDescriptor.Marshaller<String> UTF8 = StringMarshaller.UTF8;
  static final MethodDescriptor<String, String> UNARY = method("Unary", MethodType.UNARY);
  static final MethodDescriptor<String, String> STREAM =
      method("Stream", MethodType.SERVER_STREAMING);

  /**
   * Statuses for the next calls, in order (OK: answer normally); a call that finds it empty
   * consults failAlways.
   */
  final Queue<Status> script = new ConcurrentLinkedQueue<>();
  volatile Status failAlways;
  /** When set, every call waits on it before answering. */
  volatile CountDownLatch gate;
  /** Counted down as each call arrives. */
  volatile CountDownLatch arrived = new CountDownLatch(0);
  /** Counted down when a call waiting at the gate sees the client cancel. */
  final CountDownLatch sawCancel = new CountDownLatch(1);
  final AtomicInteger calls = new AtomicInteger();
  /** Request headers of every call, in arrival order. */
  final List<Metadata> headers = new CopyOnWriteArrayList<>();

  ServerServiceDefinition service() {
    ServerServiceDefinition definition = ServerServiceDefinition.builder(SERVICE)
        .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
          if (admit(response)) {
            response.onNext("echo:" + request);
            response.onCompleted();
          }
        }))
        .addMethod(STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
          if (admit(response)) {
            response.onNext("echo:" + request);
            response.onNext("echo:" + request);
            response.onCompleted();
          }
        }))
        .build();
    return ServerInterceptors.intercept(definition, new HeaderRecorder());
  }

  /** Runs the script for one call; false when the call was already answered with an error. */
  private boolean admit(StreamObserver<String> response) {
    calls.incrementAndGet();
    arrived.countDown();
    CountDownLatch waitFor = gate;
    if (waitFor != null && !awaitGate(waitFor)) {
      sawCancel.countDown();
      return false; // the client is gone; nobody would read an answer
    }
    Status status = script.poll();
    if (status == null) {
      status = failAlways;
    }
    if (status != null && !status.isOk()) {
      response.onError(status.asRuntimeException());
      return false;
    }
    return true;
  }

  private static boolean awaitGate(CountDownLatch gate) {
    try {
      while (!gate.await(10, TimeUnit.MILLISECONDS)) {
        if (Context.current().isCancelled()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static MethodDescriptor<String, String> method(String name, MethodType type) {
    return MethodDescriptor.newBuilder(UTF8, UTF8)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setType(type)
        .build();
  }

  private final class HeaderRecorder implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
        Metadata requestHeaders, ServerCallHandler<ReqT, RespT> next) {
      headers.add(requestHeaders);
      return next.startCall(call, requestHeaders);
    }
  }
}
