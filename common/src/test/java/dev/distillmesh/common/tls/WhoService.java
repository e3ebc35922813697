package dev.distillmesh.common.tls;

import dev.distillmesh.common.StringMarshaller;
import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.ManagedServer;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A handwritten service (no .proto) whose two unary methods, {@code Query} and {@code Admin},
 * answer with the name of the server that ran them: enough to see whether a call got through and
 * which replica took it.
 */
final class WhoService implements BindableService {
  // Before the descriptors: static fields initialise in order.
  private static final MethodDescriptor.Marshaller<String> UTF8 = StringMarshaller.UTF8;
  static final String SERVICE = "distillmesh.test.Who";
  static final MethodDescriptor<String, String> QUERY = method("Query");
  static final MethodDescriptor<String, String> ADMIN = method("Admin");
  static final Set<String> ADMIN_METHODS = Set.of(ADMIN.getFullMethodName());

  private final String name;

  WhoService(String name) {
    this.name = name;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(ServiceDescriptor.newBuilder(SERVICE).addMethod(QUERY).addMethod(ADMIN).build())
        .addMethod(QUERY, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(name);
          reply.onCompleted();
        }))
        .addMethod(ADMIN, ServerCalls.asyncUnaryCall((request, reply) -> {
          reply.onNext(name);
          reply.onCompleted();
        }))
        .build();
  }

  /** Starts a server named {@code name} on a free loopback port. */
  static ManagedServer start(String name, ServerTls tls, AccessPolicy access) throws IOException {
    ManagedServer server = new ManagedServer(Servers.forAddress("127.0.0.1", 0, tls, 0),
        List.of(new WhoService(name)), access.interceptors(ADMIN_METHODS), Set.of(), 1).start();
    server.setServing(true);
    return server;
  }

  /** One call with a 10 s deadline; returns the answering server's name. */
  static String call(Channel channel, MethodDescriptor<String, String> method) {
    return ClientCalls.blockingUnaryCall(channel, method,
        io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "who");
  }

  static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(UTF8)
        .setResponseMarshaller(UTF8)
        .build();
  }
}
