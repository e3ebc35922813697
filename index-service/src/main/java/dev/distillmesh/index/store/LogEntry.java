package dev.distillmesh.index.store;

/** One acknowledged write, as recorded in the log. Sequence numbers increase by one per entry. */
sealed interface LogEntry permits LogEntry.Upsert, LogEntry.Delete {
  long seq();

  /** Inserts or replaces a record. */
  record Upsert(long seq, RecordInput record) implements LogEntry {}

  /** Deletes a record (a no-op if it does not exist). */
  record Delete(long seq, String id) implements LogEntry {}
}
