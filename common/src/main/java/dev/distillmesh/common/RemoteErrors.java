package dev.distillmesh.common;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one mapping from a failed call to another service (a remote status) to a domain failure of
 * the caller; {@link GrpcErrors#toStatus} is its mirror for what this service answers.
 *
 * <p>The rule, per code of the remote status:
 * <ul>
 *   <li>The caller's request was wrong, or the state forbids it: INVALID_ARGUMENT, OUT_OF_RANGE,
 *       NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED and RESOURCE_EXHAUSTED keep their
 *       code, so a client's bad input relayed to a dependency is still the client's fault.
 *   <li>Passing conditions keep their code too: UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED.
 *   <li>UNAUTHENTICATED and PERMISSION_DENIED become FAILED_PRECONDITION: the dependency refused
 *       <em>this service's</em> credential, which is its operator's configuration to fix, not the
 *       client's, and retrying does not help.
 *   <li>UNIMPLEMENTED becomes FAILED_PRECONDITION: the dependency is of a kind or version that does
 *       not offer the call, again a deployment matter.
 *   <li>INTERNAL, UNKNOWN, DATA_LOSS and any failure that is not a status become INTERNAL.
 * </ul>
 * A {@link DomainException} passes through unchanged. Callers that know more (e.g. that NOT_FOUND
 * from the index means "no such collection") check {@link #codeOf} first and word their own
 * failure; everything else goes through {@link #toDomain}.
 */
public final class RemoteErrors {
  private RemoteErrors() {}

  /** The caller's domain kind for a remote status code, by the rule above. */
  public static DomainException.Kind kindOf(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> DomainException.Kind.INVALID_ARGUMENT;
      case OUT_OF_RANGE -> DomainException.Kind.OUT_OF_RANGE;
      case NOT_FOUND -> DomainException.Kind.NOT_FOUND;
      case ALREADY_EXISTS -> DomainException.Kind.ALREADY_EXISTS;
      case FAILED_PRECONDITION, UNAUTHENTICATED, PERMISSION_DENIED, UNIMPLEMENTED ->
          DomainException.Kind.FAILED_PRECONDITION;
      case ABORTED -> DomainException.Kind.ABORTED;
      case RESOURCE_EXHAUSTED -> DomainException.Kind.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> DomainException.Kind.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> DomainException.Kind.DEADLINE_EXCEEDED;
      case CANCELLED -> DomainException.Kind.CANCELLED;
      case OK, UNKNOWN, INTERNAL, DATA_LOSS -> DomainException.Kind.INTERNAL;
    };
  }

  /**
   * The remote status code of a failure, unwrapping {@link CompletionException} and {@link
   * ExecutionException}; {@code null} when the failure is not a status (or is a domain failure).
   */
  public static Status.Code codeOf(Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof StatusRuntimeException sre) {
      return sre.getStatus().getCode();
    }
    if (t instanceof StatusException se) {
      return se.getStatus().getCode();
    }
    return null;
  }

  /**
   * A failed call to {@code peer} (a service name and where it is, e.g. {@code "index-service
   * (127.0.0.1:7401)"}) as a domain failure whose message names the peer, the remote code and the
   * remote description.
   */
  public static DomainException toDomain(String peer, Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof DomainException de) {
      return de;
    }
    Status status = t instanceof StatusRuntimeException sre ? sre.getStatus()
        : t instanceof StatusException se ? se.getStatus() : null;
    if (status == null) {
      return new DomainException(DomainException.Kind.INTERNAL,
          peer + ": call failed: " + t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }
    String detail = status.getDescription() == null ? "" : " " + status.getDescription();
    String message = switch (status.getCode()) {
      case UNAUTHENTICATED, PERMISSION_DENIED -> peer + " refused this service's credential ("
          + status.getCode() + detail + "); check the admin token or client certificate it is configured with";
      case UNIMPLEMENTED -> peer + " does not implement this call (UNIMPLEMENTED" + detail
          + "); check that its kind and version fit";
      default -> peer + ": " + status.getCode() + detail;
    };
    return new DomainException(kindOf(status.getCode()), message, t);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
