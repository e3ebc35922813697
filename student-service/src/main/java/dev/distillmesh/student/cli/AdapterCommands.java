package dev.distillmesh.student.cli;

import dev.distillmesh.proto.student.v1.AdapterInfo;
import dev.distillmesh.proto.student.v1.CollectionModel;
import dev.distillmesh.proto.student.v1.GetModelInfoRequest;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.ModelInfo;
import dev.distillmesh.proto.student.v1.StudentAdminGrpc;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.student.adapter.AdapterFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The CLI's adapter commands: {@code info} (the model and, per collection, the adapters it is
 * served with) and {@code load-adapter} (install a context adapter for one collection).
 */
final class AdapterCommands {
  private final StudentAdminGrpc.StudentAdminBlockingStub admin;
  private final PrintStream out;

  AdapterCommands(StudentAdminGrpc.StudentAdminBlockingStub admin, PrintStream out) {
    this.admin = admin;
    this.out = out;
  }

  int info(List<String> args, Map<String, String> options) {
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("info takes only --collection C, got " + args);
    }
    ModelInfo m = admin.getModelInfo(GetModelInfoRequest.newBuilder()
        .setCollection(options.getOrDefault("collection", "")).build());
    out.printf("model %s (%s): dimension %d, %s pooling, %snormalised, max %d tokens%n", m.getModel(),
        m.getSource(), m.getDimension(), m.getPooling(), m.getNormalize() ? "" : "not ", m.getMaxTokens());
    out.printf("prefixes: query \"%s\", passage \"%s\"%n", m.getQueryPrefix(), m.getPassagePrefix());
    out.printf("batching: up to %d texts, wait up to %d µs, queue %d; %d ONNX Runtime threads%n",
        m.getMaxBatch(), m.getMaxWaitMicros(), m.getQueueCapacity(), m.getOnnxThreads());
    if (!m.getIndexError().isEmpty()) {
      out.println("index not asked, response adapters unknown: " + m.getIndexError());
    }
    if (m.getCollectionsCount() == 0) {
      out.println("no collections");
    }
    for (CollectionModel c : m.getCollectionsList()) {
      String response = c.hasResponseAdapter() ? describe(c.getResponseAdapter())
          + (c.getKeepsBaseVectors() ? "" : " (no base vectors kept: fixed)")
          : m.getIndexError().isEmpty() ? "none (not in the index)" : "unknown";
      out.printf("%s: context %s; response %s%n", c.getCollection(), describe(c.getContextAdapter()), response);
    }
    return 0;
  }

  private static String describe(AdapterInfo a) {
    if (a.getVersion() == 0) {
      return "v0 (identity)";
    }
    return "v" + a.getVersion() + " (" + a.getDescription() + ", " + Instant.ofEpochMilli(a.getLoadedAtUnixMs()) + ")";
  }

  /**
   * {@code load-adapter --collection C [--version N] [--description D] FILE|identity}: FILE is a
   * student adapter file ({@code *.adapter}, checked by its CRC) or dimension² big-endian float32,
   * row-major (a trainer's {@code published/v<N>.bin}); the version defaults to C's current + 1.
   */
  int loadAdapter(List<String> args, Map<String, String> options) throws IOException {
    String collection = options.get("collection");
    if (collection == null) {
      throw new IllegalArgumentException("load-adapter needs --collection C: adapters belong to a collection");
    }
    if (args.size() != 1) {
      throw new IllegalArgumentException("load-adapter needs one matrix: a file, or identity");
    }
    ModelInfo m = admin.getModelInfo(GetModelInfoRequest.newBuilder().setCollection(collection).build());
    int d = m.getDimension();
    String description = options.get("description");
    float[] matrix;
    if (args.get(0).equals("identity")) {
      matrix = new float[d * d];
      for (int i = 0; i < d; i++) {
        matrix[i * d + i] = 1;
      }
      description = description == null ? "identity" : description;
    } else {
      Path file = Path.of(args.get(0));
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read " + file);
      }
      matrix = file.getFileName().toString().endsWith(".adapter") ? AdapterFile.read(file).matrix() : floats(file);
      description = description == null ? "loaded from " + file.getFileName() : description;
    }
    long version = options.containsKey("version") ? parseVersion(options.get("version"))
        : m.getCollections(0).getContextAdapter().getVersion() + 1;
    LoadAdapterRequest.Builder request = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT)
        .setCollection(collection).setVersion(version).setRows(d).setCols(d).setDescription(description);
    for (float v : matrix) {
      request.addValues(v);
    }
    AdapterInfo a = admin.loadAdapter(request.build());
    out.printf("collection %s now serves context adapter v%d (%dx%d, %s)%n", a.getCollection(), a.getVersion(),
        a.getRows(), a.getCols(), a.getDescription());
    return 0;
  }

  private static float[] floats(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(file + " is " + bytes.length + " bytes, not a whole number of float32s");
    }
    float[] m = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).asFloatBuffer().get(m);
    return m;
  }

  private static long parseVersion(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--version must be a number, got " + v);
    }
  }
}
