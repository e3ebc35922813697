package dev.distillmesh.trainer.clients;

import dev.distillmesh.common.DomainException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** How a status from the student or the teacher becomes a domain failure of the trainer's run. */
final class RemoteErrors {
  private RemoteErrors() {}

  static DomainException.Kind kindOf(Status.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> DomainException.Kind.INVALID_ARGUMENT;
      case NOT_FOUND -> DomainException.Kind.NOT_FOUND;
      // A refused credential is a configuration problem of the trainer, not a passing outage.
      case FAILED_PRECONDITION, UNAUTHENTICATED, PERMISSION_DENIED -> DomainException.Kind.FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> DomainException.Kind.RESOURCE_EXHAUSTED;
      case DEADLINE_EXCEEDED -> DomainException.Kind.DEADLINE_EXCEEDED;
      default -> DomainException.Kind.UNAVAILABLE;
    };
  }

  /** A failed call to {@code service} at {@code target} as the run's failure, naming both and the status. */
  static DomainException failure(String service, String target, StatusRuntimeException e) {
    return new DomainException(kindOf(e.getStatus().getCode()), service + " (" + target + "): "
        + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
  }
}
