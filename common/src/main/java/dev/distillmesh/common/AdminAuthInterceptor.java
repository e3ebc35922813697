package dev.distillmesh.common;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Requires {@code authorization: Bearer <token>} on admin methods. Query methods pass through.
 * The token is compared in constant time and never logged.
 */
public final class AdminAuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final byte[] expected;
  private final Set<String> adminMethods;

  /**
   * @param token the shared secret clients send
   * @param adminMethods full method names ({@code package.Service/Method}) that need it
   */
  public AdminAuthInterceptor(String token, Set<String> adminMethods) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("admin token must not be blank");
    }
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.adminMethods = Set.copyOf(adminMethods);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (adminMethods.contains(method)) {
      String given = headers.get(AUTHORIZATION);
      if (given == null) {
        call.close(Status.UNAUTHENTICATED.withDescription(
            method + " is an admin method: send 'authorization: Bearer <admin token>'"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      if (!MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        call.close(Status.UNAUTHENTICATED.withDescription(
            "invalid admin credential for " + method), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    }
    return next.startCall(call, headers);
  }
}
