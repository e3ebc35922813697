package dev.distillmesh.testsupport;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * Calls a unary gRPC method with request bytes of the test's choosing, as a broken client would:
 * bytes that are not a protobuf message of the method's type, or text fields that are not UTF-8.
 */
public final class RawCalls {
  /** Bytes as they are, both ways. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawCalls() {}

  /**
   * Sends {@code request} as the request of {@code method} (its name and type, not its marshallers)
   * with a 30 s deadline and returns the response's bytes; a status other than OK is thrown as
   * {@link io.grpc.StatusRuntimeException}.
   */
  public static byte[] unary(Channel channel, MethodDescriptor<?, ?> method, byte[] request) {
    MethodDescriptor<byte[], byte[]> raw = method.toBuilder(BYTES, BYTES).build();
    return ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        request);
  }
}
