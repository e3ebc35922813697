package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
  private static final MethodDescriptor.Marshaller<String> UTF8 = StringMarshaller.UTF8;
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

  /** How a call ended: its status, and the answer when it is OK. */
  private record Outcome(Status status, String answer) {}

  /**
   * Sends every message on a raw call (so nothing stops sending once the server has failed the
   * stream), then half-closes it, or cancels it when {@code cancel}.
   */
  private Outcome call(MethodDescriptor<String, String> method, boolean cancel, String... messages) throws Exception {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    List<String> answers = new CopyOnWriteArrayList<>();
    ClientCall<String, String> call = channel.newCall(method, CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(String message) {
        answers.add(message);
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(1);
    for (String m : messages) {
      call.sendMessage(m);
    }
    if (cancel) {
      call.cancel("the client gave up", null);
    } else {
      call.halfClose();
    }
    return new Outcome(closed.get(), answers.isEmpty() ? null : answers.get(0));
  }

  /** The answer of a call that must succeed. */
  private String upload(MethodDescriptor<String, String> method, String... messages) throws Exception {
    Outcome o = call(method, false, messages);
    assertTrue(o.status().isOk(), o.status().toString());
    return o.answer();
  }

  /** The status of a call that must fail. */
  private Status failed(String... messages) throws Exception {
    Outcome o = call(AUTO, false, messages);
    assertFalse(o.status().isOk(), "expected a failure, got " + o.answer());
    return o.status();
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
  void anotherCollectionFailsTheStreamAbortsTheSessionAndTheRestIsIgnored() throws Exception {
    Status s = failed("a:1", "b:2", "a:3", "a:4");
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("every message of one Upload stream must name the same collection: first \"a\", then \"b\"",
        s.getDescription());
    assertEquals(List.of("open a", "add a:1", "add b:2", "abort FAILED"), log);
  }

  @Test
  void aDomainFailureKeepsItsKindAndMessage() throws Exception {
    Status s = failed("a:1", "a:bad");
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("item bad is not allowed", s.getDescription());
  }

  @Test
  void anyOtherFailureIsInternalAndNamesTheException() throws Exception {
    Status s = failed("a:boom");
    assertEquals(Status.Code.INTERNAL, s.getCode());
    assertTrue(s.getDescription().contains("IOException: disk full"), s.getDescription());
    assertEquals(List.of("open a", "add a:boom", "abort FAILED"), log);
  }

  @Test
  void anEmptyStreamGetsTheStepsAnswerAndOpensNothing() throws Exception {
    Status s = failed();
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertEquals("Upload stream was empty", s.getDescription());
    assertEquals(List.of(), log);
  }

  @Test
  void aClientThatGoesAwayAbortsTheSessionWithoutAFinish() throws Exception {
    assertEquals(Status.Code.CANCELLED, call(AUTO, true, "a:1").status().getCode());
    aborted.get();
    assertEquals(List.of("open a", "add a:1", "abort CLIENT_WENT_AWAY"), log);
  }
}
