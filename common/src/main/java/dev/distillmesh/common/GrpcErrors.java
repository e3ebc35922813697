package dev.distillmesh.common;

import dev.distillmesh.common.telemetry.RequestIds;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where exceptions become gRPC statuses. */
public final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /**
   * Maps a failure to the status a client sees. Domain errors keep their message; anything else is
   * a bug or an environment failure: it is logged with its stack trace and reported as INTERNAL
   * with the exception's class and message (never a stack trace).
   */
  public static StatusRuntimeException toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (error instanceof StatusException se) {
      return se.getStatus().asRuntimeException(se.getTrailers());
    }
    if (error instanceof DomainException de) {
      Status status = switch (de.kind()) {
        case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
        case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
        case NOT_FOUND -> Status.NOT_FOUND;
        case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
        case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
        case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
        case ABORTED -> Status.ABORTED;
        case UNAVAILABLE -> Status.UNAVAILABLE;
        case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
        case CANCELLED -> Status.CANCELLED;
        case INTERNAL -> Status.INTERNAL;
      };
      if (de.kind() == DomainException.Kind.INTERNAL) {
        log.error("internal error: {} request_id={}", de.getMessage(), RequestIds.forLog(), de);
      }
      return status.withDescription(de.getMessage()).withCause(de).asRuntimeException();
    }
    if (error instanceof java.util.concurrent.CompletionException && error.getCause() != null) {
      return toStatus(error.getCause());
    }
    log.error("unexpected error request_id={}", RequestIds.forLog(), error);
    return Status.INTERNAL
        .withDescription(error.getClass().getSimpleName() + ": " + error.getMessage())
        .withCause(error)
        .asRuntimeException();
  }
}
