package dev.distillmesh.common.kafka;

/**
 * A record on one of the mesh's topics that cannot be read: corrupt, truncated, foreign, or of a
 * schema newer than this process knows. Consumers skip it with its reason logged and counted; they
 * never stop on it.
 */
public final class MalformedRecordException extends Exception {
  private final String reason;

  /** @param reason a short label for the metric, e.g. "crc", "schema", "truncated", "foreign" */
  public MalformedRecordException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
