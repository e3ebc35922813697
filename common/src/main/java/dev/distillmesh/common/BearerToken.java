package dev.distillmesh.common;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/** Client side of {@link AdminAuthInterceptor}: attaches {@code authorization: Bearer <token>}. */
public final class BearerToken extends CallCredentials {
  private final String header;

  public BearerToken(String token) {
    this.header = "Bearer " + token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    try {
      Metadata headers = new Metadata();
      headers.put(AdminAuthInterceptor.AUTHORIZATION, header);
      applier.apply(headers);
    } catch (RuntimeException e) {
      applier.fail(Status.UNAUTHENTICATED.withCause(e));
    }
  }

  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }
}
