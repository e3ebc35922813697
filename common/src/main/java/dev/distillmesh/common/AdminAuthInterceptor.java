package dev.distillmesh.common;

import dev.distillmesh.common.tls.PeerIdentity;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Enforces an {@link AccessPolicy} on admin methods (and on every method when the policy says
 * queries need a credential too; otherwise query methods pass through). A call is let in when it
 * carries {@code authorization: Bearer <token>} with the right token, or arrives over mutual TLS
 * with a client certificate that names an allow-listed client. Refusals:
 * <ul>
 *   <li>UNAUTHENTICATED: no credential at all, or a wrong token (a bad credential).</li>
 *   <li>PERMISSION_DENIED: no token, and a verified client certificate whose names are not in the
 *       allow-list (the caller is known, it just may not do this).</li>
 * </ul>
 * The token is compared in constant time and never logged or echoed.
 */
public final class AdminAuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final byte[] expected;
  private final Set<String> adminClients;
  private final Set<String> adminMethods;
  private final boolean allMethods;

  /**
   * Token only.
   *
   * @param token the shared secret clients send
   * @param adminMethods full method names ({@code package.Service/Method}) that need it
   */
  public AdminAuthInterceptor(String token, Set<String> adminMethods) {
    this(AccessPolicy.token(requireToken(token)), adminMethods);
  }

  /**
   * @param policy who may call; must not be {@link AccessPolicy#adminOpen open}
   * @param adminMethods full method names ({@code package.Service/Method}) that need a credential
   */
  public AdminAuthInterceptor(AccessPolicy policy, Set<String> adminMethods) {
    if (policy.adminOpen()) {
      throw new IllegalArgumentException("an admin check needs a token or an allow-list of client certificates");
    }
    this.expected = policy.adminToken() == null ? null
        : ("Bearer " + policy.adminToken()).getBytes(StandardCharsets.UTF_8);
    this.adminClients = policy.adminClients();
    this.adminMethods = Set.copyOf(adminMethods);
    this.allMethods = policy.queriesNeedCredential();
  }

  private static String requireToken(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("admin token must not be blank");
    }
    return token;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean admin = adminMethods.contains(method);
    if (!admin && !allMethods) {
      return next.startCall(call, headers);
    }
    String given = headers.get(AUTHORIZATION);
    if (given != null && expected != null
        && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
      return next.startCall(call, headers);
    }
    // Only present when the handshake verified the certificate against the client CA.
    PeerIdentity peer = PeerIdentity.of(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (peer != null && peer.matchesAny(adminClients)) {
      return next.startCall(call, headers);
    }
    String kind = admin ? "an admin method" : "a method that needs a credential on this server";
    Status refusal;
    if (given != null) {
      refusal = Status.UNAUTHENTICATED.withDescription("invalid admin credential for " + method);
    } else if (peer != null) {
      refusal = Status.PERMISSION_DENIED.withDescription(method + " is " + kind + " and the client certificate ("
          + peer + ") is not in the server's admin client list; present an allowed certificate or send"
          + " 'authorization: Bearer <admin token>'");
    } else {
      refusal = Status.UNAUTHENTICATED.withDescription(method + " is " + kind + ": send"
          + " 'authorization: Bearer <admin token>'" + (adminClients.isEmpty() ? "" : " or connect with an allowed"
          + " client certificate"));
    }
    call.close(refusal, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
