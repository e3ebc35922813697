package dev.distillmesh.student.cli;

import dev.distillmesh.common.CliSpec;
import dev.distillmesh.common.CliSpec.Command;
import dev.distillmesh.common.CliSpec.Option;
import dev.distillmesh.common.MeshOptions;
import java.util.List;

/** The student CLI's commands and options, with their defaults: its {@code --help} and its checks. */
final class StudentCliSpec {
  static final String DEFAULT_TARGET = "127.0.0.1:7402";
  static final int DEFAULT_CONCURRENCY = 8;

  private StudentCliSpec() {}

  private static final Option K = Option.integer("k", "3", "candidates per query");
  private static final Option EF = Option.integer("ef", "0", "HNSW ef_search (0: the index's)");
  private static final Option CONCURRENCY = Option.integer("concurrency", String.valueOf(DEFAULT_CONCURRENCY),
      "with --file: calls in flight at once (1..256)");

  static final CliSpec SPEC = new CliSpec("student-cli",
      List.of(Option.text("target", "HOST:PORT", DEFAULT_TARGET, "the student service"),
          Option.whole("deadline-ms", "30000; ingest 3600000", "deadline of each call")),
      List.of(
          new Command("ask", "COLLECTION [QUESTION...]", "words after the collection form the question; with --file,"
              + " one JSON line out per line in: {\"question\"} in, candidates and scores (or the error) out",
              List.of(K, EF, Option.text("file", "FILE.jsonl", "", "questions, one {\"question\", \"id\"?} per line"),
                  CONCURRENCY)),
          new Command("respond", "COLLECTION [TURN...]", "each argument is one turn, oldest first; with --file, one"
              + " JSON line out per {\"context\": [turns]} line in",
              List.of(K, EF, Option.text("file", "FILE.jsonl", "", "dialogues, one {\"context\", \"id\"?} per line"),
                  CONCURRENCY)),
          new Command("eval", "COLLECTION FILE.jsonl", "the student as served on a labelled file: QA lines"
              + " {\"question\", \"passage_id\"} (R@1, R@5, MRR@10 in the top --k retrieved) or dialogue lines"
              + " {\"context\", \"response\", \"candidates\"} (Hits@1/K, Hits@5/K, MRR over the K candidates)",
              List.of(Option.integer("k", "10", "QA: candidates retrieved per question, also what the teacher"
                      + " re-ranks"), EF,
                  Option.text("teacher", "HOST:PORT", "", "also the teacher's metrics over the same candidates"),
                  Option.text("index", "HOST:PORT", "127.0.0.1:7401", "dialogue: the index, for the collection's"
                      + " response projection"),
                  Option.integer("concurrency", String.valueOf(DEFAULT_CONCURRENCY), "calls in flight at once"),
                  Option.flag("json", "print one JSON object instead of text"))),
          new Command("ingest", "COLLECTION FILE.jsonl", "add or replace documents (creates the collection)",
              List.of(Option.oneOf("format", "auto", "the file's layout", "auto", "passages", "dialog", "documents"),
                  Option.text("spec", "S", "", "index spec of a created collection (the index's default)"),
                  Option.integer("batch", "64", "documents per message (1..256)"))),
          new Command("info", "", "the model, and per collection the adapters it is served with (context: this"
              + " student's; response: the index's projection)",
              List.of(Option.text("collection", "C", "", "only this collection"))),
          new Command("load-adapter", "FILE|identity", "install a context adapter for C's queries. FILE: a student"
              + " adapter file (*.adapter) or dimension² big-endian float32, row-major (a trainer's"
              + " published/v<N>.bin)",
              List.of(Option.text("collection", "C", "", "the collection (required)"),
                  Option.whole("version", "C's current + 1", "the adapter's version"),
                  Option.text("description", "D", "loaded from FILE", "kept with the adapter"))),
          new Command("traffic", "", "take (remove) recorded queries, oldest first, one per line",
              List.of(Option.integer("max", "1000", "at most this many (1..10000)"),
                  Option.text("collection", "C", "", "only this collection's")))),
      "Every command sends " + MeshOptions.ENV_ADMIN_TOKEN + " when it is set (admin commands need it, or an"
          + " allowed client certificate;\nqueries only if the server says so). Exit codes: 0 ok, 1 a call failed,"
          + " 2 usage error.\n");
}
