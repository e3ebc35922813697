package dev.distillmesh.index;

import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Calls and file damage shared by the ITs that damage a stopped server's files and count what it serves. */
final class DamageCalls {
  private DamageCalls() {}

  static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + "-" + i);
    }
    return out;
  }

  static void create(IndexServerProcess server, String name, String spec) {
    server.blocking().createCollection(CreateCollectionRequest.newBuilder().setName(name)
        .setDimension(AckedWriteLoad.DIM).setIndexSpec(spec).build());
  }

  /** One Upsert call with these records (AckedWriteLoad's vectors and payloads); throws on failure. */
  static UpsertResponse upsert(IndexServerProcess server, String collection, List<String> ids) throws Exception {
    CompletableFuture<UpsertResponse> done = new CompletableFuture<>();
    StreamObserver<UpsertRequest> requests = server.async().upsert(new StreamObserver<>() {
      @Override
      public void onNext(UpsertResponse value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    UpsertRequest.Builder b = UpsertRequest.newBuilder().setCollection(collection);
    ids.forEach(id -> b.addRecords(AckedWriteLoad.record(id)));
    requests.onNext(b.build());
    requests.onCompleted();
    try {
      return done.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** Upserts in calls of {@code batch}; every call must be acknowledged. */
  static void upsertAll(IndexServerProcess server, String collection, List<String> ids, int batch) throws Exception {
    for (int i = 0; i < ids.size(); i += batch) {
      upsert(server, collection, ids.subList(i, Math.min(ids.size(), i + batch)));
    }
  }

  /** How many of {@code ids} the server holds (each found payload must be exactly what was sent). */
  static int present(IndexServerProcess server, String collection, List<String> ids) {
    int found = 0;
    for (int from = 0; from < ids.size(); from += 1000) {
      for (PayloadEntry e : server.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection(collection)
          .addAllIds(ids.subList(from, Math.min(ids.size(), from + 1000)))
          .build()).getEntriesList()) {
        if (e.getFound()) {
          if (!AckedWriteLoad.payloadOf(e.getId()).equals(e.getPayload())) {
            throw new AssertionError("payload of " + e.getId() + " is not what was written");
          }
          found++;
        }
      }
    }
    return found;
  }

  /** How many of {@code ids} come back first when their own vector is searched. */
  static int selfHits(IndexServerProcess server, String collection, List<String> ids) {
    int hits = 0;
    for (int from = 0; from < ids.size(); from += 256) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 256));
      SearchRequest.Builder request = SearchRequest.newBuilder().setCollection(collection).setK(1);
      for (String id : chunk) {
        QueryVector.Builder q = QueryVector.newBuilder();
        for (float x : AckedWriteLoad.vectorOf(id)) {
          q.addValues(x);
        }
        request.addQueries(q);
      }
      SearchResponse r = server.blocking().search(request.build());
      for (int i = 0; i < chunk.size(); i++) {
        if (chunk.get(i).equals(r.getResults(i).getHits(0).getId())) {
          hits++;
        }
      }
    }
    return hits;
  }

  /** Byte offset of entry {@code index} (0-based) of a log (8-byte magic, then length-prefixed frames). */
  static long logEntryOffset(Path wal, int index) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wal)).order(ByteOrder.LITTLE_ENDIAN);
    int at = 8;
    for (int i = 0; i < index; i++) {
      at += 8 + b.getInt(at);
    }
    return at;
  }

  /** Inverts {@code bytes} bytes of {@code file} from {@code offset} on. */
  static void flip(Path file, long offset, int bytes) throws IOException {
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      byte[] b = new byte[bytes];
      raf.seek(offset);
      raf.readFully(b);
      for (int i = 0; i < bytes; i++) {
        b[i] ^= (byte) 0xff;
      }
      raf.seek(offset);
      raf.write(b);
    }
  }

  /** Runs {@code index-cli} from the packaged jar as its own process; returns exit code and output. */
  static String[] cli(Path log, String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty(IndexServerProcess.JAR_PROPERTY),
        "dev.distillmesh.index.cli.IndexCli"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("index-cli " + String.join(" ", args) + " did not finish");
    }
    return new String[] {Integer.toString(p.exitValue()), Files.readString(log, StandardCharsets.UTF_8)};
  }
}
