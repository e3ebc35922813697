package dev.distillmesh.common;

/**
 * A failure a domain class reports to its caller, with a kind that says whose fault it is. Domain
 * classes know nothing of gRPC; {@link GrpcErrors#toStatus(Throwable)} maps the kind to a status
 * code in one place. Messages are shown to clients: say what was wrong and what is allowed.
 */
public final class DomainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whose fault a failure is, and so which status code a client sees. */
  public enum Kind {
    /** The request is malformed (INVALID_ARGUMENT). */
    INVALID_ARGUMENT,
    /** A value is outside a range that depends on state, e.g. nprobe > nlist (OUT_OF_RANGE). */
    OUT_OF_RANGE,
    /** A named thing does not exist (NOT_FOUND). */
    NOT_FOUND,
    /** A named thing already exists (ALREADY_EXISTS). */
    ALREADY_EXISTS,
    /** A request is over a size limit, or a queue is full (RESOURCE_EXHAUSTED). */
    RESOURCE_EXHAUSTED,
    /** The current state forbids the request; retrying later may work (FAILED_PRECONDITION). */
    FAILED_PRECONDITION,
    /**
     * The request lost a race with another change, e.g. it was based on a state that has changed
     * since it was read; read again, then retry (ABORTED).
     */
    ABORTED,
    /** A dependency is down (UNAVAILABLE). */
    UNAVAILABLE,
    /** The deadline passed before the work, or a dependency's answer, was done (DEADLINE_EXCEEDED). */
    DEADLINE_EXCEEDED,
    /** The caller went away (CANCELLED). */
    CANCELLED,
    /** A bug or an I/O failure on our side (INTERNAL). */
    INTERNAL
  }

  private final Kind kind;

  public DomainException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public DomainException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public static DomainException invalid(String message) {
    return new DomainException(Kind.INVALID_ARGUMENT, message);
  }

  public static DomainException notFound(String message) {
    return new DomainException(Kind.NOT_FOUND, message);
  }

  public static DomainException tooLarge(String message) {
    return new DomainException(Kind.RESOURCE_EXHAUSTED, message);
  }

  public static DomainException precondition(String message) {
    return new DomainException(Kind.FAILED_PRECONDITION, message);
  }

  public static DomainException aborted(String message) {
    return new DomainException(Kind.ABORTED, message);
  }
}
