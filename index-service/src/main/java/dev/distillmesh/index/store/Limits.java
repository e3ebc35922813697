package dev.distillmesh.index.store;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.MetadataJson;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Request limits and the checks that enforce them. Every message says what is allowed. */
public final class Limits {
  public static final int MAX_BATCH_RECORDS = 4096;
  public static final int MAX_ID_BYTES = 256;
  public static final int MAX_TEXT_BYTES = 64 * 1024;
  public static final int MAX_METADATA_BYTES = 16 * 1024;
  public static final int MAX_QUERIES = 1024;
  public static final int MAX_K = 1000;
  public static final int MAX_EF_SEARCH = 4096;
  public static final int MAX_IDS = 4096;
  public static final int MAX_TRAINING_SAMPLE = 100_000;
  public static final int DEFAULT_PAGE_SIZE = 1000;
  public static final int MAX_PAGE_SIZE = 4096;
  /**
   * Where a ListRecords page stops early, in bytes of ids, texts, metadata and vectors: well under
   * a client's default 4 MiB inbound message limit (one record alone is at most about 100 KiB).
   */
  public static final long MAX_PAGE_BYTES = 3L << 20;
  /**
   * The largest magnitude of a vector component, stored or queried. A score sums at most
   * {@link CollectionConfig#MAX_DIMENSION} products (or squared differences) of components; with
   * |x| &le; 1e6 that sum stays below 4096 &middot; (2e6)&sup2; &asymp; 1.6e16, far from float's
   * 3.4e38, so no score is ever infinite. Embeddings are usually unit-length or close to it.
   */
  public static final float MAX_COMPONENT = 1e6f;

  private Limits() {}

  /**
   * Checks a batch of records for a collection: its dimension, and which vector a record carries
   * (base_vector and no vector where the collection keeps base vectors, else vector and no
   * base_vector).
   */
  public static void checkBatch(List<RecordInput> records, CollectionConfig config) {
    int dimension = config.dimension();
    if (records.isEmpty()) {
      throw DomainException.invalid("batch has no records; allowed 1.." + MAX_BATCH_RECORDS);
    }
    if (records.size() > MAX_BATCH_RECORDS) {
      throw DomainException.tooLarge("batch has " + records.size() + " records; allowed at most "
          + MAX_BATCH_RECORDS + " per batch (split it into several messages)");
    }
    Set<String> seen = new HashSet<>(records.size() * 2);
    for (int i = 0; i < records.size(); i++) {
      RecordInput r = records.get(i);
      String where = "records[" + i + "]";
      checkId(r.id(), where + ".id");
      if (!seen.add(r.id())) {
        throw DomainException.invalid(where + ".id \"" + abbreviate(r.id())
            + "\" appears twice in one batch; ids must be unique within a batch");
      }
      checkVectors(r, config, where);
      if (utf8Length(r.text()) > MAX_TEXT_BYTES) {
        throw DomainException.tooLarge(where + ".payload.text is " + utf8Length(r.text())
            + " bytes; allowed at most " + MAX_TEXT_BYTES);
      }
      checkMetadata(r.metadataJson(), where + ".payload.metadata_json");
    }
  }

  private static void checkVectors(RecordInput r, CollectionConfig config, String where) {
    String record = where + " (id \"" + abbreviate(r.id()) + "\")";
    if (config.keepsBaseVectors()) {
      if (r.vector().length != 0) {
        throw DomainException.invalid(record + " carries vector (" + r.vector().length + " values), but collection "
            + config.name() + " keeps base vectors: send base_vector and no vector (the index serves P*base with the"
            + " collection's projection)");
      }
      if (r.baseVector() == null) {
        throw DomainException.invalid(record + " has no base_vector; collection " + config.name()
            + " keeps base vectors, so every record carries base_vector (" + config.dimension() + " values)");
      }
      checkVector(r.baseVector(), config.dimension(), where + ".base_vector");
    } else {
      if (r.baseVector() != null) {
        throw DomainException.invalid(record + " carries base_vector, but collection " + config.name() + " was"
            + " created without keep_base_vectors: send vector and no base_vector");
      }
      checkVector(r.vector(), config.dimension(), where + ".vector");
    }
  }

  public static void checkId(String id, String where) {
    if (id == null || id.isEmpty()) {
      throw DomainException.invalid(where + " is empty; ids are 1.." + MAX_ID_BYTES + " UTF-8 bytes");
    }
    int bytes = utf8Length(id);
    if (bytes > MAX_ID_BYTES) {
      throw DomainException.tooLarge(where + " is " + bytes + " bytes; allowed at most " + MAX_ID_BYTES);
    }
  }

  public static void checkIds(List<String> ids) {
    if (ids.isEmpty()) {
      throw DomainException.invalid("ids is empty; send 1.." + MAX_IDS + " ids");
    }
    if (ids.size() > MAX_IDS) {
      throw DomainException.tooLarge(ids.size() + " ids in one request; allowed at most " + MAX_IDS);
    }
    for (int i = 0; i < ids.size(); i++) {
      checkId(ids.get(i), "ids[" + i + "]");
    }
  }

  /** The records a ListRecords page may hold for a requested page_size (0 = the default). */
  public static int pageSize(int requested) {
    if (requested < 0) {
      throw DomainException.invalid("page_size " + requested + " is negative; allowed 0 (default "
          + DEFAULT_PAGE_SIZE + ") or 1.." + MAX_PAGE_SIZE);
    }
    if (requested > MAX_PAGE_SIZE) {
      throw DomainException.tooLarge("page_size " + requested + " is over the limit; allowed at most "
          + MAX_PAGE_SIZE + " (0 for the default " + DEFAULT_PAGE_SIZE + ")");
    }
    return requested == 0 ? DEFAULT_PAGE_SIZE : requested;
  }

  /**
   * Checks an IVF training sample and returns it flattened, or null when it is empty.
   */
  static float[] checkTrainingSample(List<float[]> sample, CollectionConfig config) {
    if (sample.isEmpty()) {
      return null;
    }
    IndexSpec spec = config.spec();
    if (spec.family() != IndexSpec.Family.IVF) {
      throw DomainException.invalid("training_sample applies to IVF indexes only; this collection is "
          + spec.factory() + " (send none)");
    }
    if (sample.size() < spec.nlist()) {
      throw DomainException.invalid("training_sample has " + sample.size() + " vectors; "
          + spec.factory() + " needs at least nlist = " + spec.nlist() + " (ideally "
          + spec.trainingThreshold() + ")");
    }
    if (sample.size() > MAX_TRAINING_SAMPLE) {
      throw DomainException.tooLarge("training_sample has " + sample.size() + " vectors; allowed at most "
          + MAX_TRAINING_SAMPLE);
    }
    int d = config.dimension();
    float[] flat = new float[sample.size() * d];
    for (int i = 0; i < sample.size(); i++) {
      checkVector(sample.get(i), d, "training_sample[" + i + "]");
      System.arraycopy(sample.get(i), 0, flat, i * d, d);
    }
    return flat;
  }

  /** Checks length, finiteness and magnitude ({@link #MAX_COMPONENT}) of one vector. */
  public static void checkVector(float[] vector, int dimension, String where) {
    if (vector.length != dimension) {
      throw DomainException.invalid(where + " has dimension " + vector.length
          + "; this collection's dimension is " + dimension);
    }
    for (int j = 0; j < vector.length; j++) {
      if (!Float.isFinite(vector[j])) {
        throw DomainException.invalid(where + "[" + j + "] is " + vector[j]
            + "; components must be finite (no NaN or infinity)");
      }
      if (Math.abs(vector[j]) > MAX_COMPONENT) {
        throw DomainException.invalid(where + "[" + j + "] is " + vector[j] + "; components must be within"
            + " -1e6..1e6 (larger ones would overflow scores)");
      }
    }
  }

  static void checkMetadata(String json, String where) {
    if (json.isEmpty()) {
      return;
    }
    int bytes = utf8Length(json);
    if (bytes > MAX_METADATA_BYTES) {
      throw DomainException.tooLarge(where + " is " + bytes + " bytes; allowed at most " + MAX_METADATA_BYTES);
    }
    MetadataJson.check(json, where);
  }

  static int utf8Length(String s) {
    return s.length() > MAX_TEXT_BYTES * 4 ? Integer.MAX_VALUE : s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** How a message names record {@code i} of a batch: {@code records[i] (id "...")}. */
  static String recordName(int i, String id) {
    return "records[" + i + "] (id \"" + abbreviate(id) + "\")";
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
