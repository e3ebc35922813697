package dev.distillmesh.index.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.distillmesh.common.CliSession;
import dev.distillmesh.index.store.Repair;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.Hit;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Metric;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.QueryVector;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Entry point of {@code scripts/index-cli.sh}. Exit codes: 0 ok, 1 RPC failed, 2 usage error. */
public final class IndexCli {
  static final String USAGE = IndexCliSpec.SPEC.usage();

  private IndexCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    // repair works offline, on a stopped service's files: the session's channel is never used.
    return CliSession.run(argv, IndexCliSpec.SPEC, IndexCliSpec.DEFAULT_TARGET,
        channel -> channel.maxInboundMessageSize(64 << 20), err, session -> {
          Map<String, String> options = session.options();
          if (session.args().get(0).equals("repair")) {
            return repair(session.args(), options, options.containsKey("dry-run"), out, err);
          }
          return new Commands(session.withAdminToken(IndexServiceGrpc.newBlockingStub(session.channel())),
              session.longOption("deadline-ms", 30000), out, options.containsKey("keep-base-vectors"))
              .run(session.args(), options);
        });
  }

  /** The commands, one method each. */
  private record Commands(IndexServiceGrpc.IndexServiceBlockingStub stub, long deadlineMs, PrintStream out,
      boolean keepBase) {
    IndexServiceGrpc.IndexServiceBlockingStub call() {
      return stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    }

    int run(List<String> args, Map<String, String> options) throws IllegalArgumentException {
      String command = args.get(0);
      List<String> rest = args.subList(1, args.size());
      switch (command) {
        case "list" -> {
          var all = call().listCollections(ListCollectionsRequest.getDefaultInstance());
          all.getCollectionsList().forEach(c -> out.println(describe(c)));
          all.getDamagedList().forEach(d -> out.println(d.getName() + "  DAMAGED (not served): " + d.getProblem()));
        }
        case "stats" -> out.println(describe(call().getCollection(
            GetCollectionRequest.newBuilder().setName(one(rest)).build())));
        case "create" -> out.println("created " + describe(call().createCollection(
            CreateCollectionRequest.newBuilder().setName(one(rest))
                .setDimension(Integer.parseInt(required(options, "dim")))
                .setIndexSpec(options.getOrDefault("spec", "Flat"))
                .setMetric("l2".equals(options.get("metric")) ? Metric.METRIC_L2 : Metric.METRIC_INNER_PRODUCT)
                .setKeepBaseVectors(keepBase).build())));
        case "upsert" -> {
          if (rest.size() != 2) {
            throw new IllegalArgumentException("upsert needs COLLECTION FILE.jsonl");
          }
          int batch = Integer.parseInt(options.getOrDefault("batch", "256"));
          new JsonlUpserter(stub, deadlineMs, out).upsert(rest.get(0), java.nio.file.Path.of(rest.get(1)), batch);
        }
        case "search" -> printHits(call().search(SearchRequest.newBuilder().setCollection(one(rest))
            .addQueries(QueryVector.newBuilder().addAllValues(parseVector(required(options, "vector"))))
            .setK(Integer.parseInt(options.getOrDefault("k", "5")))
            .setEfSearch(Integer.parseInt(options.getOrDefault("ef", "0")))
            .setNprobe(Integer.parseInt(options.getOrDefault("nprobe", "0")))
            .setIncludePayloads(true).build()));
        case "get" -> {
          for (PayloadEntry e : call().getPayloads(GetPayloadsRequest.newBuilder()
              .setCollection(first(rest)).addAllIds(rest.subList(1, rest.size())).build()).getEntriesList()) {
            out.println(e.getFound() ? e.getId() + "\t" + e.getPayload().getText() + "\t"
                + e.getPayload().getMetadataJson() : e.getId() + "\t(not found)");
          }
        }
        case "dump" -> dump(one(rest), Integer.parseInt(options.getOrDefault("page", "0")));
        case "delete" -> out.println(call().delete(DeleteRequest.newBuilder().setCollection(first(rest))
            .addAllIds(rest.subList(1, rest.size())).build()));
        case "drop" -> {
          call().dropCollection(DropCollectionRequest.newBuilder().setName(one(rest)).build());
          out.println("dropped " + rest.get(0));
        }
        default -> throw new IllegalArgumentException("unknown command " + command);
      }
      return 0;
    }

    /**
     * Prints every live record, vector included, in the format {@code upsert} reads, so a dump can
     * be loaded back. Fails (ABORTED) if the collection is rebuilt or compacted while it runs.
     */
    private void dump(String collection, int pageSize) {
      String token = "";
      do {
        ListRecordsResponse page = call().listRecords(ListRecordsRequest.newBuilder().setCollection(collection)
            .setPageSize(pageSize).setPageToken(token).setIncludeVectors(true).build());
        for (Record r : page.getRecordsList()) {
          JsonObject line = new JsonObject();
          line.addProperty("id", r.getId());
          // A collection that keeps base vectors loads back from them (the served ones are P*base).
          boolean base = r.getBaseVectorCount() > 0;
          JsonArray vector = new JsonArray();
          (base ? r.getBaseVectorList() : r.getVectorList()).forEach(vector::add);
          line.add(base ? "base_vector" : "vector", vector);
          line.addProperty("text", r.getPayload().getText());
          if (!r.getPayload().getMetadataJson().isEmpty()) {
            line.add("metadata", JsonParser.parseString(r.getPayload().getMetadataJson()));
          }
          out.println(line);
        }
        token = page.getNextPageToken();
      } while (!token.isEmpty());
    }

    private void printHits(SearchResponse response) {
      out.println("generation " + response.getGeneration());
      int rank = 1;
      for (Hit h : response.getResults(0).getHitsList()) {
        out.printf("%2d. %-20s %.4f  %s%n", rank++, h.getId(), h.getScore(), h.getPayload().getText());
      }
    }
  }

  /** {@code repair}: works on the files of a stopped service, no RPC. Exit 0 repaired, 1 not. */
  private static int repair(List<String> args, Map<String, String> options, boolean dryRun, PrintStream out,
      PrintStream err) {
    String dataDir = options.get("data-dir");
    String collection = options.get("collection");
    if (args.size() != 1 || dataDir == null || collection == null) {
      err.println("error: repair needs --data-dir DIR --collection COLLECTION (and no other arguments)");
      err.print(USAGE);
      return 2;
    }
    try {
      Repair.Report report = Repair.run(java.nio.file.Path.of(dataDir), collection, dryRun);
      report.lines().forEach(out::println);
      return report.repaired() ? 0 : 1;
    } catch (java.io.IOException | RuntimeException e) {
      err.println("error: repair of " + collection + " failed: " + e.getMessage());
      return 1;
    }
  }

  static String describe(CollectionInfo c) {
    return String.format("%s  dim=%d spec=%s metric=%s live=%d tombstones=%d generation=%d%s last_seq=%d%s",
        c.getName(), c.getDimension(), c.getIndexSpec(), c.getMetric(), c.getLiveCount(),
        c.getTombstoneCount(), c.getGeneration(), c.getRebuilding() ? " (rebuilding)" : "", c.getLastSequence(),
        c.getKeepsBaseVectors() ? " keeps_base=true projection_version=" + c.getProjectionVersion()
            + (c.getProjectionDescription().isEmpty() ? "" : " (" + c.getProjectionDescription() + ")") : "");
  }

  static List<Float> parseVector(String csv) {
    List<Float> v = new ArrayList<>();
    for (String part : csv.split(",")) {
      v.add(Float.parseFloat(part.strip()));
    }
    return v;
  }

  static List<Float> parseVector(JsonArray array) {
    List<Float> v = new ArrayList<>(array.size());
    array.forEach(e -> v.add(e.getAsFloat()));
    return v;
  }

  static JsonObject parseLine(String line) {
    return JsonParser.parseString(line).getAsJsonObject();
  }

  private static String one(List<String> rest) {
    if (rest.size() != 1) {
      throw new IllegalArgumentException("expected exactly one COLLECTION argument, got " + rest);
    }
    return rest.get(0);
  }

  private static String first(List<String> rest) {
    if (rest.size() < 2) {
      throw new IllegalArgumentException("expected COLLECTION ID...");
    }
    return rest.get(0);
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }
}
