package dev.distillmesh.index.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI a user runs, against a real server on a loopback socket. */
class IndexCliTest {
  @TempDir Path dir;
  private IndexServer server;
  private String target;

  @BeforeEach
  void start() throws Exception {
    IndexServerConfig config = IndexServerConfig.parse(
        new String[] {"--port", "0", "--data-dir", dir.resolve("data").toString()}, Map.of());
    server = IndexServer.start(config, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
    target = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private record Result(int code, String out, String err) {}

  private Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 2];
    full[0] = "--target";
    full[1] = target;
    System.arraycopy(args, 0, full, 2, args.length);
    int code = IndexCli.run(full, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void quickstartFlowWorksFromTheCommandLine() throws Exception {
    Path file = dir.resolve("docs.jsonl");
    Files.writeString(file, """
        {"id":"a","vector":[1,0,0],"text":"alpha","metadata":{"k":1}}
        {"id":"b","vector":[0,1,0],"text":"beta"}

        {"id":"c","vector":[0,0,1],"text":"gamma"}
        """);
    assertEquals(0, cli("create", "docs", "--dim", "3", "--spec", "HNSW32,Flat").code());
    Result up = cli("upsert", "docs", file.toString(), "--batch", "2");
    assertEquals(0, up.code(), up.err());
    assertTrue(up.out().contains("upserted 3 records"), up.out());
    Result search = cli("search", "docs", "--vector", "0.1,0.9,0", "--k", "2");
    assertEquals(0, search.code(), search.err());
    String[] lines = search.out().strip().split("\n");
    assertTrue(lines[1].contains(" b ") && lines[1].contains("beta"), search.out());
    Result get = cli("get", "docs", "a", "zzz");
    assertTrue(get.out().contains("a\talpha\t{\"k\":1}"), get.out());
    assertTrue(get.out().contains("zzz\t(not found)"), get.out());
    assertEquals(0, cli("delete", "docs", "a").code());
    assertTrue(cli("stats", "docs").out().contains("live=2 tombstones=1"));
    Result dump = cli("dump", "docs", "--page", "1");
    assertEquals(0, dump.code(), dump.err());
    assertEquals("""
        {"id":"b","vector":[0.0,1.0,0.0],"text":"beta"}
        {"id":"c","vector":[0.0,0.0,1.0],"text":"gamma"}
        """, dump.out(), "live records, in upsert format");
    Path dumped = dir.resolve("dump.jsonl");
    Files.writeString(dumped, dump.out());
    assertEquals(0, cli("create", "copy", "--dim", "3").code());
    assertEquals(0, cli("upsert", "copy", dumped.toString()).code(), "a dump loads back");
    assertEquals(dump.out(), cli("dump", "copy").out());
    assertEquals(0, cli("drop", "copy").code());
    assertTrue(cli("list").out().startsWith("docs "));
    assertEquals(0, cli("drop", "docs").code());
  }

  @Test
  void aCollectionThatKeepsBaseVectorsIsCreatedLoadedDumpedAndShown() throws Exception {
    Result created = cli("create", "kept", "--dim", "3", "--keep-base-vectors");
    assertEquals(0, created.code(), created.err());
    assertTrue(created.out().contains("keeps_base=true projection_version=0"), created.out());
    Path file = dir.resolve("kept.jsonl");
    Files.writeString(file, """
        {"id":"a","base_vector":[1.0,0.0,0.0],"text":"alpha"}
        {"id":"b","base_vector":[0.0,1.0,0.0],"text":"beta"}
        """);
    Result up = cli("upsert", "kept", file.toString());
    assertEquals(0, up.code(), up.err());
    Result dump = cli("dump", "kept");
    assertEquals(Files.readString(file), dump.out(), "a base-vector collection dumps its base vectors");
    assertTrue(cli("list").out().contains("kept  dim=3") && cli("stats", "kept").out().contains("keeps_base=true"));
    assertEquals(0, cli("create", "plain", "--dim", "3").code());
    assertTrue(!cli("stats", "plain").out().contains("keeps_base"), "a plain collection says nothing of it");
    Files.writeString(dir.resolve("plain.jsonl"), "{\"id\":\"c\",\"vector\":[0,0,1]}\n");
    Result refused = cli("upsert", "kept", dir.resolve("plain.jsonl").toString());
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("INVALID_ARGUMENT") && refused.err().contains("send base_vector"), refused.err());
    assertEquals(2, cli("stats", "kept", "--keep-base-vectors").code(), "the flag belongs to create");
  }

  @Test
  void errorsAreReportedWithTheirStatusAndExitCode() throws Exception {
    Result missing = cli("stats", "nope");
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("NOT_FOUND: collection nope does not exist"), missing.err());
    cli("create", "docs", "--dim", "3");
    Result wrongDim = cli("search", "docs", "--vector", "1,2");
    assertEquals(1, wrongDim.code());
    assertTrue(wrongDim.err().contains("INVALID_ARGUMENT") && wrongDim.err().contains("dimension"), wrongDim.err());
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"id\":\"x\"}\n");
    Result badFile = cli("upsert", "docs", bad.toString());
    assertEquals(2, badFile.code());
    assertTrue(badFile.err().contains("line 1") && badFile.err().contains("\"vector\""), badFile.err());
    assertEquals(2, cli("frobnicate").code());
  }

  @Test
  void repairRefusesARunningServicesFilesAndWorksOnceItIsStopped() {
    assertEquals(0, cli("create", "docs", "--dim", "3").code());
    String data = dir.resolve("data").toString();
    Result usage = cli("repair", "--data-dir", data);
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("repair needs --data-dir DIR --collection COLLECTION"), usage.err());
    Result running = cli("repair", "--data-dir", data, "--collection", "docs");
    assertEquals(1, running.code());
    assertTrue(running.err().contains("is locked") && running.err().contains("stop it first"), running.err());
    server.close();
    Result stopped = cli("repair", "--data-dir", data, "--collection", "docs", "--dry-run");
    assertEquals(0, stopped.code(), stopped.err());
    assertTrue(stopped.out().contains("CURRENT: names gen-00000001") && stopped.out().contains("nothing to repair"),
        stopped.out());
  }
}
