package dev.distillmesh.index.store;

import dev.distillmesh.common.Durable;
import dev.distillmesh.index.faiss.Metric;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.zip.CRC32C;

/**
 * What a generation directory says about its collection: {@code collection.properties} (name,
 * dimension, index spec, metric, keep_base_vectors, projection_version) and, for a projection other
 * than the identity, {@code projection.bin} (magic {@code DMPROJ01}, version, time, description, d,
 * the d x d matrix row-major, CRC32C of all that). Both are written atomically before the
 * generation's {@code CURRENT} flip, so a generation always comes back with the projection its
 * vectors were made with. A properties file without the two newer keys (an older collection)
 * reads as no base vectors and the identity; a {@code projection_version} above 0 with its file
 * missing or damaged is an error (the collection is then damaged, not silently the identity).
 *
 * <p>Stateless.
 */
final class ConfigFiles {
  static final String CONFIG = "collection.properties";
  static final String PROJECTION = "projection.bin";
  private static final byte[] MAGIC = "DMPROJ01".getBytes(StandardCharsets.US_ASCII);

  private ConfigFiles() {}

  static void write(Path genDir, CollectionConfig config) throws IOException {
    Projection projection = config.projection();
    if (!projection.isIdentity()) {
      writeProjection(genDir.resolve(PROJECTION), projection);
    }
    Properties p = new Properties();
    p.setProperty("name", config.name());
    p.setProperty("dimension", Integer.toString(config.dimension()));
    p.setProperty("index_spec", config.spec().factory());
    p.setProperty("metric", config.metric().name());
    p.setProperty("keep_base_vectors", Boolean.toString(config.keepsBaseVectors()));
    p.setProperty("projection_version", Long.toString(projection.version()));
    StringWriter out = new StringWriter();
    p.store(out, "distillmesh collection");
    Durable.writeAtomically(genDir.resolve(CONFIG), out.toString());
  }

  static CollectionConfig read(Path genDir) throws IOException {
    Path file = genDir.resolve(CONFIG);
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + " is missing", e);
    }
    CollectionConfig config;
    long projectionVersion;
    try {
      config = new CollectionConfig(p.getProperty("name"), Integer.parseInt(p.getProperty("dimension")),
          IndexSpec.parse(p.getProperty("index_spec")), Metric.valueOf(p.getProperty("metric")),
          Boolean.parseBoolean(p.getProperty("keep_base_vectors", "false")), Projection.IDENTITY);
      projectionVersion = Long.parseLong(p.getProperty("projection_version", "0"));
      if (projectionVersion < 0 || projectionVersion > 0 && !config.keepsBaseVectors()) {
        throw new IllegalArgumentException("projection_version " + projectionVersion);
      }
    } catch (RuntimeException e) {
      throw new IOException(file + " is damaged (name, dimension, index_spec, metric, keep_base_vectors,"
          + " projection_version: " + p.getProperty("name") + ", " + p.getProperty("dimension") + ", "
          + p.getProperty("index_spec") + ", " + p.getProperty("metric") + ", " + p.getProperty("keep_base_vectors")
          + ", " + p.getProperty("projection_version") + ")", e);
    }
    if (projectionVersion == 0) {
      return config;
    }
    Projection projection = readProjection(genDir.resolve(PROJECTION), config.dimension());
    if (projection.version() != projectionVersion) {
      throw new IOException(genDir.resolve(PROJECTION) + " holds projection version " + projection.version() + " but "
          + file + " says " + projectionVersion);
    }
    return config.withProjection(projection);
  }

  private static void writeProjection(Path file, Projection projection) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 4 * projection.matrix().length);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeLong(projection.version());
      out.writeLong(projection.projectedAtMillis());
      out.writeUTF(projection.description());
      int d = (int) Math.round(Math.sqrt(projection.matrix().length));
      out.writeInt(d);
      for (float v : projection.matrix()) {
        out.writeFloat(v);
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeLong(crc.getValue());
    }
    Durable.writeAtomically(file, bytes.toByteArray());
  }

  private static Projection readProjection(Path file, int dimension) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + " is missing (" + CONFIG + " names a projection other than the identity)", e);
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, Math.max(0, all.length - 8));
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all))) {
      if (!Arrays.equals(in.readNBytes(MAGIC.length), MAGIC)) {
        throw new IOException(file + " is damaged (not a distillmesh projection)");
      }
      long version = in.readLong();
      long at = in.readLong();
      String description = in.readUTF();
      int d = in.readInt();
      if (d != dimension) {
        throw new IOException(file + " is damaged (dimension " + d + ", the collection's is " + dimension + ")");
      }
      float[] matrix = new float[d * d];
      for (int i = 0; i < matrix.length; i++) {
        matrix[i] = in.readFloat();
      }
      if (in.readLong() != crc.getValue() || in.available() != 0) {
        throw new IOException(file + " is damaged (checksum mismatch)");
      }
      return new Projection(matrix, version, description, at);
    } catch (java.io.EOFException e) {
      throw new IOException(file + " is damaged (truncated at " + all.length + " bytes)", e);
    }
  }
}
