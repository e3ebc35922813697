package dev.distillmesh.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import dev.distillmesh.testsupport.RawCalls;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bytes that are not a message of the method's type, sent over a real socket: each is
 * answered INVALID_ARGUMENT with a message saying so (never UNKNOWN), and the server keeps serving.
 */
class RequestParseGuardTest {
  private static final MethodDescriptor.Marshaller<StringValue> PROTO = ProtoUtils.marshaller(StringValue.getDefaultInstance());
  private static final MethodDescriptor<StringValue, StringValue> ECHO = MethodDescriptor.<StringValue, StringValue>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Echo")
      .setRequestMarshaller(PROTO).setResponseMarshaller(PROTO).build();

  private ManagedServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    BindableService echo = () -> ServerServiceDefinition.builder("test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, responses) -> {
          responses.onNext(request);
          responses.onCompleted();
        })).build();
    server = new ManagedServer(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()), List.of(echo),
        List.of(), Set.of(), 5).start();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  private Status send(byte[] request) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> RawCalls.unary(channel, ECHO, request));
    return e.getStatus();
  }

  @Test
  void undecodableBytesAreInvalidArgument() {
    byte[][] undecodable = {
        {0x0A, 0x05, 'a'},                        // a length of 5, then one byte: truncated
        {0x0B},                                   // a group that never ends
        {0x08, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01}, // a varint longer than 10 bytes
        {0x0F},                                   // wire type 7 does not exist
        {0x00, 0x01},                             // field number 0
        {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, // a negative length
    };
    for (byte[] request : undecodable) {
      Status s = send(request);
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
      assertTrue(s.getDescription().contains("the Echo request is not a protobuf message of its type")
          && s.getDescription().contains("google.protobuf.StringValue"), s.getDescription());
    }
    Status utf8 = send(new byte[] {0x0A, 0x02, (byte) 0xC3, 0x28});
    assertEquals(Status.Code.INVALID_ARGUMENT, utf8.getCode(), utf8.toString());
    assertTrue(utf8.getDescription().contains("not valid UTF-8"), utf8.getDescription());
    StringValue ok = ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(30,
        TimeUnit.SECONDS), StringValue.of("still serving"));
    assertEquals("still serving", ok.getValue());
  }
}
