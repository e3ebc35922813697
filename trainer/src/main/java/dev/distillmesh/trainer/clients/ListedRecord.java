package dev.distillmesh.trainer.clients;

import dev.distillmesh.proto.index.v1.Record;

/**
 * One live record of a collection as the index listed it. It keeps the record whole (id,
 * payload, metadata) so that a rebuild writes it back unchanged but for its vector; the run reads
 * only its text.
 */
public final class ListedRecord {
  private final Record record;

  ListedRecord(Record record) {
    this.record = record;
  }

  /** The text the record's vector is an embedding of. */
  public String text() {
    return record.getPayload().getText();
  }

  /** The record as the index takes it back, with {@code vector} in place of what it held. */
  Record withVector(float[] vector) {
    Record.Builder b = record.toBuilder().clearVector();
    for (float f : vector) {
      b.addVector(f);
    }
    return b.build();
  }
}
