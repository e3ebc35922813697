package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.QueryResult;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Calls shared by the ITs that kill, starve or damage a real server and count what it serves afterwards. */
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

  /** One Upsert call with these records (AckedWriteLoad's vectors and payloads); throws its status on failure. */
  static UpsertResponse upsert(IndexServerProcess server, String collection, List<String> ids) throws Exception {
    UpsertRequest.Builder b = UpsertRequest.newBuilder().setCollection(collection);
    ids.forEach(id -> b.addRecords(AckedWriteLoad.record(id)));
    ClientStream<UpsertRequest, UpsertResponse> call = ClientStream.open(server.async()::upsert);
    call.send(b.build());
    return call.finish();
  }

  /** Upserts in calls of {@code batch}; every call must be acknowledged. */
  static void upsertAll(IndexServerProcess server, String collection, List<String> ids, int batch) throws Exception {
    for (int i = 0; i < ids.size(); i += batch) {
      upsert(server, collection, ids.subList(i, Math.min(ids.size(), i + batch)));
    }
  }

  /** The subset of {@code ids} the server holds; each found payload must be exactly what was sent. */
  static Set<String> found(IndexServerProcess server, String collection, java.util.Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    Set<String> found = new HashSet<>();
    for (int from = 0; from < all.size(); from += 1000) {
      for (PayloadEntry e : server.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection(collection)
          .addAllIds(all.subList(from, Math.min(all.size(), from + 1000))).build()).getEntriesList()) {
        if (e.getFound()) {
          assertEquals(AckedWriteLoad.payloadOf(e.getId()), e.getPayload(), "payload of " + e.getId());
          found.add(e.getId());
        }
      }
    }
    return found;
  }

  /** How many of {@code ids} the server holds (each found payload must be exactly what was sent). */
  static int present(IndexServerProcess server, String collection, List<String> ids) {
    return found(server, collection, ids).size();
  }

  /** The first hit of a search for each id's own vector, in the order of {@code ids}. */
  static List<Hit> topHits(IndexServerProcess server, String collection, List<String> ids) {
    List<Hit> top = new ArrayList<>(ids.size());
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
      for (QueryResult r : server.blocking().search(request.build()).getResultsList()) {
        top.add(r.getHits(0));
      }
    }
    return top;
  }

  /** How many of {@code ids} come back first when their own vector is searched. */
  static int selfHits(IndexServerProcess server, String collection, List<String> ids) {
    List<Hit> top = topHits(server, collection, ids);
    int hits = 0;
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).equals(top.get(i).getId())) {
        hits++;
      }
    }
    return hits;
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
