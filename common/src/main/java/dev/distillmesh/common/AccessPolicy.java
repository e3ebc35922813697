package dev.distillmesh.common;

import io.grpc.ServerInterceptor;
import java.util.List;
import java.util.Set;

/**
 * Who may call a server's admin RPCs (and, if asked, its queries): a caller with the bearer token,
 * or one whose verified client certificate carries an allow-listed name. Enforced by
 * {@link AdminAuthInterceptor}.
 *
 * @param adminToken the shared secret; null = no token is accepted
 * @param adminClients names (subject CN, DNS SAN or URI SAN) of client certificates that count as
 *     admin credentials; only verified certificates are seen, so this needs mutual TLS
 * @param queriesNeedCredential whether query RPCs need the same credential as admin RPCs
 */
public record AccessPolicy(String adminToken, Set<String> adminClients, boolean queriesNeedCredential) {
  /** Everything open: no token, no allow-list. */
  public static final AccessPolicy OPEN = new AccessPolicy(null, Set.of(), false);

  public AccessPolicy {
    if (adminToken != null && adminToken.isBlank()) {
      adminToken = null;
    }
    adminClients = Set.copyOf(adminClients);
    if (queriesNeedCredential && adminToken == null && adminClients.isEmpty()) {
      throw new IllegalArgumentException(MeshOptions.REQUIRE_AUTH_FOR_QUERIES.label() + " needs a credential to"
          + " require: set " + MeshOptions.ENV_ADMIN_TOKEN + " or " + MeshOptions.ADMIN_CLIENTS.label());
    }
  }

  /** Token only, as before client certificates could be credentials. */
  public static AccessPolicy token(String adminToken) {
    return new AccessPolicy(adminToken, Set.of(), false);
  }

  /** Whether admin RPCs are open to anyone who can connect. */
  public boolean adminOpen() {
    return adminToken == null && adminClients.isEmpty();
  }

  /** The interceptor that enforces this policy, or none when everything is open. */
  public List<ServerInterceptor> interceptors(Set<String> adminMethods) {
    return adminOpen() ? List.of() : List.of(new AdminAuthInterceptor(this, adminMethods));
  }

  @Override
  public String toString() {
    return "AccessPolicy[adminToken=" + (adminToken == null ? "none" : "set") + ", adminClients=" + adminClients
        + ", queriesNeedCredential=" + queriesNeedCredential + "]";
  }
}
