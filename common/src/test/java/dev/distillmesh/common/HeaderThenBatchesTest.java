package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upload state machine over a real in-process gRPC call. Messages are strings {@code
 * "name:item"}: the name is the collection, the item is the batch. A session lists what it was
 * given; the answer is {@code "name=items"}. Item "boom" fails with a plain exception, "bad" with
 * a domain failure.
 */
class HeaderThenBatchesTest {
  private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<String, String> AUTO = method("Auto");
  private static final MethodDescriptor<String, String> ONE_AT_A_TIME = method("OneAtATime");
  private static final MethodDescriptor<String, String> HEADER_ONLY = method("HeaderOnly");

  /** Everything the steps were asked to do, in order, e.g. "open a", "add a:1", "abort FAILED". */
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> aborted = new CompletableFuture<>();
  private Server server;
  private ManagedChannel channel;

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
        .setFullMethodName("distillmesh.test.Upload/" + name).setRequestMarshaller(UTF8).setResponseMarshaller(UTF8)
        .build();
  }

  /** A session: the collection its first message named, and the items added. */
  private static final class Session {
    final String name;
    final List<String> items = new CopyOnWriteArrayList<>();

    Session(String name) {
      this.name = name;
    }
  }

  private HeaderThenBatches.Steps<String, String, Session> steps(boolean headerOnly) {
    return new HeaderThenBatches.Steps<>() {
      @Override
      public Session open(String first) {
        log.add("open " + name(first));
        return new Session(name(first));
      }

      @Override
      public void add(Session session, String message) throws Exception {
        log.add("add " + message);
        if (!name(message).equals(session.name)) {
          throw HeaderThenBatches.otherCollection("Upload", session.name, name(message));
        }
        String item = message.substring(message.indexOf(':') + 1);
        if (item.equals("boom")) {
          throw new IOException("disk full");
        }
        if (item.equals("bad")) {
          throw DomainException.invalid("item bad is not allowed");
        }
        session.items.add(item);
      }

      @Override
      public String finish(Session session) {
        log.add("finish");
        return session.name + "=" + String.join(",", session.items);
      }

      @Override
      public DomainException empty() {
        return DomainException.invalid("Upload stream was empty");
      }

      @Override
      public boolean firstIsHeaderOnly() {
        return headerOnly;
      }

      @Override
      public void abort(Session session, HeaderThenBatches.Abort why, Throwable cause) {
        log.add("abort " + why);
        aborted.complete(null);
      }
    };
  }

  private static String name(String message) {
    return message.substring(0, message.indexOf(':'));
  }

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    ServerServiceDefinition service = ServerServiceDefinition.builder("distillmesh.test.Upload")
        .addMethod(AUTO, ServerCalls.asyncClientStreamingCall(r -> HeaderThenBatches.receive(r, steps(false))))
        .addMethod(ONE_AT_A_TIME, ServerCalls.asyncClientStreamingCall(
            r -> HeaderThenBatches.receiveOneAtATime(r, steps(false))))
        .addMethod(HEADER_ONLY, ServerCalls.asyncClientStreamingCall(r -> HeaderThenBatches.receive(r, steps(true))))
        .build();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  /** Sends the messages, completes the stream and returns the answer (or throws its status). */
  private String upload(MethodDescriptor<String, String> method, String... messages) throws InterruptedException {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(
        channel.newCall(method, CallOptions.DEFAULT), observer(answer));
    for (String m : messages) {
      requests.onNext(m);
    }
    requests.onCompleted();
    try {
      return answer.get();
    } catch (ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  private static StreamObserver<String> observer(CompletableFuture<String> answer) {
    return new StreamObserver<>() {
      @Override
      public void onNext(String value) {
        answer.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        answer.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        answer.complete(null);
      }
    };
  }

  @Test
  void theFirstMessageOpensTheSessionAndEveryBatchIsAdded() throws Exception {
    assertEquals("a=1,2,3", upload(AUTO, "a:1", "a:2", "a:3"));
    assertEquals(List.of("open a", "add a:1", "add a:2", "add a:3", "finish"), log);
  }

  @Test
  void oneAtATimeAsksForEachNextMessageAndAnswersTheSame() throws Exception {
    assertEquals("a=1,2,3", upload(ONE_AT_A_TIME, "a:1", "a:2", "a:3"));
    assertEquals(List.of("open a", "add a:1", "add a:2", "add a:3", "finish"), log);
  }

  @Test
  void aHeaderOnlyFirstMessageIsNotAdded() throws Exception {
    assertEquals("a=2", upload(HEADER_ONLY, "a:header", "a:2"));
    assertEquals(List.of("open a", "add a:2", "finish"), log);
  }

  @Test
  void anotherCollectionFailsTheStreamAbortsTheSessionAndTheRestIsIgnored() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upload(AUTO, "a:1", "b:2", "a:3", "a:4"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("every message of one Upload stream must name the same collection: first \"a\", then \"b\"",
        e.getStatus().getDescription());
    assertEquals(List.of("open a", "add a:1", "add b:2", "abort FAILED"), log);
  }

  @Test
  void aDomainFailureKeepsItsKindAndMessage() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> upload(AUTO, "a:1", "a:bad"));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("item bad is not allowed", e.getStatus().getDescription());
  }

  @Test
  void anyOtherFailureIsInternalAndNamesTheException() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> upload(AUTO, "a:boom"));
    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("IOException: disk full"), e.getStatus().getDescription());
    assertEquals(List.of("open a", "add a:boom", "abort FAILED"), log);
  }

  @Test
  void anEmptyStreamGetsTheStepsAnswerAndOpensNothing() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> upload(AUTO));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("Upload stream was empty", e.getStatus().getDescription());
    assertEquals(List.of(), log);
  }

  @Test
  void aClientThatGoesAwayAbortsTheSessionWithoutAFinish() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    var call = channel.newCall(AUTO, CallOptions.DEFAULT);
    StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(call, observer(answer));
    requests.onNext("a:1");
    call.cancel("the client gave up", null);
    aborted.get();
    assertEquals(List.of("open a", "add a:1", "abort CLIENT_WENT_AWAY"), log);
  }
}
