package dev.distillmesh.student.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.student.StudentServer;
import dev.distillmesh.student.StudentServerConfig;
import dev.distillmesh.student.adapter.AdapterStore;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's adapter commands against a real student (real model) on a socket, with a real index
 * behind it: load-adapter per collection from each matrix source, and info per collection.
 */
class AdapterCliTest {
  private static final int DIM = 384;
  @TempDir
  static Path dir;
  private static IndexServer index;
  private static ManagedChannel indexChannel;
  private static StudentServer student;

  @BeforeAll
  static void start() throws Exception {
    String indexName = InProcessServerBuilder.generateName();
    index = IndexServer.start(IndexServerConfig.parse(new String[] {"--data-dir", dir.resolve("index").toString()},
        Map.of()), InProcessServerBuilder.forName(indexName));
    indexChannel = InProcessChannelBuilder.forName(indexName).build();
    student = StudentServer.start(StudentServerConfig.parse(new String[] {"--adapter-dir",
        dir.resolve("adapters").toString()}, Map.of()),
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), indexChannel);
    IndexServiceGrpc.newBlockingStub(indexChannel).withDeadlineAfter(30, TimeUnit.SECONDS).createCollection(
        CreateCollectionRequest.newBuilder().setName("indexed").setDimension(DIM).setKeepBaseVectors(true).build());
  }

  @AfterAll
  static void stop() {
    student.close();
    indexChannel.shutdownNow();
    index.close();
  }

  private record Run(int code, String out, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] argv = new String[args.length + 2];
    argv[0] = "--target";
    argv[1] = "127.0.0.1:" + student.port();
    System.arraycopy(args, 0, argv, 2, args.length);
    int code = StudentCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static float[] diagonal(float v) {
    float[] m = new float[DIM * DIM];
    for (int i = 0; i < DIM; i++) {
      m[i * DIM + i] = v;
    }
    return m;
  }

  @Test
  void loadAdapterNeedsACollectionAndInstallsEachKindOfMatrixForItsCollectionOnly() throws Exception {
    Run none = cli("load-adapter", "identity");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("load-adapter needs --collection C"), none.err());
    Run badName = cli("load-adapter", "--collection", "a b", "identity");
    assertEquals(1, badName.code());
    assertTrue(badName.err().contains("INVALID_ARGUMENT"), badName.err());

    Run identity = cli("load-adapter", "--collection", "qa", "identity");
    assertEquals(0, identity.code(), identity.err());
    assertTrue(identity.out().contains("collection qa now serves context adapter v1 (384x384, identity)"),
        identity.out());

    // A trainer's published/v<N>.bin: big-endian float32, row-major. The version follows qa's.
    Path bin = dir.resolve("v5.bin");
    ByteBuffer b = ByteBuffer.allocate(DIM * DIM * Float.BYTES);
    b.asFloatBuffer().put(diagonal(2));
    Files.write(bin, b.array());
    Run fromBin = cli("load-adapter", "--collection", "qa", bin.toString(), "--description", "run 5");
    assertEquals(0, fromBin.code(), fromBin.err());
    assertTrue(fromBin.out().contains("collection qa now serves context adapter v2 (384x384, run 5)"), fromBin.out());

    // A file of the layout before adapters belonged to a collection, published again for one.
    Path old = dir.resolve("old");
    AdapterStore.open(old, DIM).install("x", 7, DIM, DIM, diagonal(1.5f), "trained long ago");
    Path file = old.resolve("context-v7.adapter");
    Files.move(old.resolve("x").resolve("context-v7.adapter"), file);
    Run fromFile = cli("load-adapter", "--collection", "chat", "--version", "9", file.toString());
    assertEquals(0, fromFile.code(), fromFile.err());
    assertTrue(fromFile.out().contains("collection chat now serves context adapter v9 (384x384, loaded from"
        + " context-v7.adapter)"), fromFile.out());

    Run info = cli("info");
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("model all-minilm-l6-v2"), info.out());
    assertTrue(info.out().contains("\nchat: context v9 (loaded from context-v7.adapter, "), info.out());
    assertTrue(info.out().contains("; response none (not in the index)\n"), info.out());
    assertTrue(info.out().contains("\nindexed: context v0 (identity); response v0 (identity)\n"), info.out());
    assertTrue(info.out().contains("\nqa: context v2 (run 5, "), info.out());
    assertTrue(info.out().indexOf("\nchat:") < info.out().indexOf("\nindexed:")
        && info.out().indexOf("\nindexed:") < info.out().indexOf("\nqa:"), "in name order: " + info.out());

    Run one = cli("info", "--collection", "qa");
    assertTrue(one.out().contains("\nqa: context v2"), one.out());
    assertTrue(!one.out().contains("chat:") && !one.out().contains("indexed:"), one.out());
  }
}
