package dev.distillmesh.common.telemetry;

import dev.distillmesh.common.StringMarshaller;
import dev.distillmesh.common.AdminAuthInterceptor;
import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A handwritten string service (no .proto) served by a real {@link ManagedServer} on a loopback
 * port. {@code WhoAmI} answers the request id its handler sees; {@code Relay} asks the next
 * server's {@code WhoAmI} and answers "mine|theirs"; {@code Admin} needs the admin token.
 */
final class TestServices {
  static final String SERVICE = "distillmesh.test.Telemetry";
  static final String TOKEN = "s3cret-token";
  static final MethodDescriptor.Marshaller<String> UTF8 = StringMarshaller.UTF8;
  static final MethodDescriptor<String, String> WHO_AM_I = method("WhoAmI");
  static final MethodDescriptor<String, String> RELAY = method("Relay");
  static final MethodDescriptor<String, String> ADMIN = method("Admin");

  private TestServices() {}

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder().setType(MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
  }

  /** @param next where Relay goes (through a channel with {@link ClientTelemetry}); null: Relay fails */
  static BindableService service(Channel next) {
    ServerServiceDefinition definition = ServerServiceDefinition.builder(SERVICE)
        .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(String.valueOf(RequestIds.current()));
          response.onCompleted();
        }))
        .addMethod(RELAY, ServerCalls.asyncUnaryCall((request, response) -> {
          String theirs = ClientCalls.blockingUnaryCall(next, WHO_AM_I,
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
          response.onNext(RequestIds.current() + "|" + theirs);
          response.onCompleted();
        }))
        .addMethod(ADMIN, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext("done");
          response.onCompleted();
        }))
        .build();
    return () -> definition;
  }

  /** A ManagedServer with {@link #service} on 127.0.0.1 (any free port), started. */
  static ManagedServer start(Channel next, MetricsRegistry metrics) throws IOException {
    return new ManagedServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
        List.of(service(next)), List.of(new AdminAuthInterceptor(TOKEN, Set.of(ADMIN.getFullMethodName()))),
        Set.of(), 5, metrics).start();
  }

  static ManagedChannel channel(ManagedServer server) {
    return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }
}
