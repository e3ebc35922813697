package dev.distillmesh.common;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a request that cannot be decoded fail with INVALID_ARGUMENT and a message saying why: its
 * protobuf {@code string} fields are not valid UTF-8, or its bytes are not a protobuf message of
 * the method's request type (truncated, a malformed tag or length, a wrong wire type). Without it,
 * protobuf's parser rejects such a request before any service code runs and grpc-java answers
 * UNKNOWN "Application error processing RPC", which reads like a server bug.
 *
 * <p>How: a parse error thrown from a marshaller always becomes UNKNOWN, so the wrapped marshaller
 * returns a per-method sentinel message instead (one for bad UTF-8, one for other undecodable
 * bytes), and the wrapped call handler closes the call with INVALID_ARGUMENT when it sees one of
 * those exact objects. Failures that are not protobuf parse errors are left as they were.
 */
public final class RequestParseGuard {
  private RequestParseGuard() {}

  /** {@code service} with every protobuf method guarded (others are left as they are). */
  public static ServerServiceDefinition wrap(ServerServiceDefinition service) {
    ServiceDescriptor old = service.getServiceDescriptor();
    // A definition insists its methods are the very descriptors of its service descriptor, so both
    // are rebuilt together (the schema descriptor is kept: reflection still works).
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = wrapMethod(m);
      methods.add(guarded);
      descriptor.addMethod(guarded.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> m : methods) {
      b.addMethod(m);
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> wrapMethod(ServerMethodDefinition<ReqT, RespT> m) {
    MethodDescriptor<ReqT, RespT> d = m.getMethodDescriptor();
    if (!(d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<ReqT> inner)
        || !(inner.getMessagePrototype() instanceof Message prototype)) {
      return ServerMethodDefinition.create(d, m.getServerCallHandler());
    }
    // Distinct objects no parse can return: compared by identity.
    ReqT badUtf8 = sentinel(prototype, 1);
    ReqT undecodable = sentinel(prototype, 2);
    MethodDescriptor.Marshaller<ReqT> guarded = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(ReqT value) {
        return inner.stream(value);
      }

      @Override
      public ReqT parse(InputStream stream) {
        try {
          return inner.parse(stream);
        } catch (StatusRuntimeException e) {
          if (e.getCause() instanceof InvalidProtocolBufferException ipbe) {
            return ipbe.getMessage() != null && ipbe.getMessage().contains("UTF-8") ? badUtf8 : undecodable;
          }
          throw e;
        }
      }
    };
    String method = d.getBareMethodName();
    ServerCallHandler<ReqT, RespT> handler = m.getServerCallHandler();
    ServerCallHandler<ReqT, RespT> checking = (call, headers) -> new ForwardingServerCallListener
        .SimpleForwardingServerCallListener<ReqT>(handler.startCall(call, headers)) {
      private boolean rejected;

      @Override
      public void onMessage(ReqT message) {
        if (rejected) {
          return;
        }
        if (message == badUtf8 || message == undecodable) {
          rejected = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(message == badUtf8
              ? "a text field of the " + method + " request is not valid UTF-8; send strings as UTF-8"
              : "the " + method + " request is not a protobuf message of its type (truncated or malformed bytes);"
                  + " send a " + prototype.getDescriptorForType().getFullName() + " encoded by a protobuf library"),
              new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!rejected) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!rejected) {
          super.onReady();
        }
      }
    };
    return ServerMethodDefinition.create(d.toBuilder(guarded, d.getResponseMarshaller()).build(), checking);
  }

  @SuppressWarnings("unchecked")
  private static <ReqT> ReqT sentinel(Message prototype, long mark) {
    return (ReqT) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(536_870_911, UnknownFieldSet.Field.newBuilder().addVarint(mark).build()).build()).build();
  }
}
