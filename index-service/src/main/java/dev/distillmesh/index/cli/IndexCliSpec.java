package dev.distillmesh.index.cli;

import dev.distillmesh.common.CliSpec;
import dev.distillmesh.common.CliSpec.Command;
import dev.distillmesh.common.CliSpec.Option;
import dev.distillmesh.common.MeshOptions;
import java.util.List;

/** The index CLI's commands and options with their defaults: its {@code --help} and its checks. */
final class IndexCliSpec {
  static final String DEFAULT_TARGET = "127.0.0.1:7401";

  private IndexCliSpec() {}

  static final CliSpec SPEC = new CliSpec("index-cli",
      List.of(Option.text("target", "HOST:PORT", DEFAULT_TARGET, "the index service"),
          Option.whole("deadline-ms", "30000", "deadline of each call")),
      List.of(
          new Command("list", "", "every collection, and any found damaged", List.of()),
          new Command("stats", "COLLECTION", "one collection's size, generation and settings", List.of()),
          new Command("create", "COLLECTION", "a new collection",
              List.of(Option.integer("dim", "", "vector dimension (required)"),
                  Option.text("spec", "SPEC", "Flat", "Flat, HNSW32,Flat or IVF<n>,Flat"),
                  Option.oneOf("metric", "ip", "inner product or L2 distance", "ip", "l2"),
                  Option.flag("keep-base-vectors", "records carry base_vector, served as P*base (see Reproject)"))),
          new Command("upsert", "COLLECTION FILE.jsonl", "lines {\"id\", \"vector\" (or \"base_vector\" where"
              + " kept), \"text\", \"metadata\"}", List.of(Option.integer("batch", "256", "records per message"))),
          new Command("search", "COLLECTION", "the nearest records to one vector",
              List.of(Option.text("vector", "x1,x2,...", "", "the query vector (required)"),
                  Option.integer("k", "5", "results"),
                  Option.integer("ef", "0", "HNSW ef_search (0: the collection's)"),
                  Option.integer("nprobe", "0", "IVF lists probed (0: the collection's)"))),
          new Command("get", "COLLECTION ID...", "records by id", List.of()),
          new Command("dump", "COLLECTION", "every live record as upsert lines (JSONL) on stdout",
              List.of(Option.integer("page", "0", "records per call (0: the server's)"))),
          new Command("delete", "COLLECTION ID...", "delete records by id", List.of()),
          new Command("drop", "COLLECTION", "delete the collection", List.of()),
          new Command("repair", "", "offline, on a STOPPED service's files: sets a missing or damaged CURRENT to"
              + " the complete generation with the latest write, rewrites a log damaged in the middle keeping every"
              + " entry that verifies, keeps the originals as *.before-repair-<time>, and reports what was dropped",
              List.of(Option.text("data-dir", "DIR", "", "the service's data directory (required)"),
                  Option.text("collection", "COLLECTION", "", "the collection to repair (required)"),
                  Option.flag("dry-run", "report only, change nothing")))),
      "The admin token comes from " + MeshOptions.ENV_ADMIN_TOKEN + " and is sent with every call. Exit codes: 0 ok,"
          + " 1 a call failed, 2 usage error.\n");
}
