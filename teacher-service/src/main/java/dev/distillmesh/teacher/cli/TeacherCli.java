package dev.distillmesh.teacher.cli;

import dev.distillmesh.common.CliSession;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.proto.teacher.v1.GenerateRequest;
import dev.distillmesh.proto.teacher.v1.GenerateResponse;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.Sampling;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.proto.teacher.v1.TeacherModel;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of {@code scripts/teacher-cli.sh}: asks a running teacher service for judgements,
 * generations and what it can do. Exit codes: 0 ok, 1 the call failed, 2 usage error.
 */
public final class TeacherCli {
  static final String USAGE = """
      usage: teacher-cli [--target HOST:PORT] [--deadline-ms N] [--tls-ca FILE ...] COMMAND ...
        score CONTEXT CANDIDATE... [--kind relevance|log_likelihood|mutual_information|coherence]
                                   prints the candidates, best first, with their scores
        generate CONTEXT [--n N] [--top-k K] [--top-p P] [--temperature T] [--min-length N]
                         [--max-tokens N] [--seed S]
        info                       the backend, its models and the score kinds it has
      Target defaults to 127.0.0.1:7403; kind defaults to relevance.
      """ + MeshOptions.CLI_USAGE;

  private TeacherCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit code. */
  static int run(String[] argv, PrintStream out, PrintStream err) {
    return CliSession.run(argv, USAGE, "127.0.0.1:7403", err, session -> {
      List<String> args = session.args();
      Map<String, String> options = session.options();
      TeacherServiceGrpc.TeacherServiceBlockingStub stub = TeacherServiceGrpc.newBlockingStub(session.channel())
          .withDeadlineAfter(session.longOption("deadline-ms", 60000), TimeUnit.MILLISECONDS);
      String command = args.remove(0);
      return switch (command) {
        case "score" -> score(stub, args, options, out);
        case "generate" -> generate(stub, args, options, out);
        case "info" -> info(stub, out);
        default -> throw new IllegalArgumentException("unknown command " + command);
      };
    });
  }

  private static int score(TeacherServiceGrpc.TeacherServiceBlockingStub stub, List<String> args,
      Map<String, String> options, PrintStream out) {
    if (args.size() < 2) {
      throw new IllegalArgumentException("score needs a context and at least one candidate");
    }
    ScoreKind kind = kind(options.getOrDefault("kind", "relevance"));
    List<String> candidates = args.subList(1, args.size());
    ScoreResponse r = stub.score(ScoreRequest.newBuilder().setKind(kind)
        .addItems(ScoreItem.newBuilder().setContext(args.get(0)).addAllCandidates(candidates)).build());
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      order.add(i);
    }
    List<Float> scores = r.getItems(0).getScoresList();
    order.sort(Comparator.comparing(scores::get).reversed());
    out.println(kind.name().toLowerCase(Locale.ROOT) + " by " + r.getModel() + ":");
    for (int i : order) {
      out.printf(Locale.ROOT, "  %8.4f  %s%n", scores.get(i), candidates.get(i));
    }
    return 0;
  }

  private static ScoreKind kind(String name) {
    try {
      ScoreKind kind = ScoreKind.valueOf(name.toUpperCase(Locale.ROOT));
      if (kind != ScoreKind.UNRECOGNIZED && kind != ScoreKind.SCORE_KIND_UNSPECIFIED) {
        return kind;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("--kind must be relevance, log_likelihood, mutual_information or coherence, got "
        + name);
  }

  private static int generate(TeacherServiceGrpc.TeacherServiceBlockingStub stub, List<String> args,
      Map<String, String> options, PrintStream out) {
    if (args.size() != 1) {
      throw new IllegalArgumentException("generate needs exactly one context (quote it)");
    }
    Sampling.Builder s = Sampling.newBuilder();
    s.setN(Integer.parseInt(options.getOrDefault("n", "1")));
    s.setTopK(Integer.parseInt(options.getOrDefault("top-k", "0")));
    s.setTopP(Float.parseFloat(options.getOrDefault("top-p", "0")));
    s.setTemperature(Float.parseFloat(options.getOrDefault("temperature", "0")));
    s.setMinLength(Integer.parseInt(options.getOrDefault("min-length", "0")));
    s.setMaxTokens(Integer.parseInt(options.getOrDefault("max-tokens", "0")));
    s.setSeed(Long.parseLong(options.getOrDefault("seed", "0")));
    GenerateResponse r = stub.generate(GenerateRequest.newBuilder().addContexts(args.get(0)).setSampling(s).build());
    out.println("generated by " + r.getModel() + ":");
    for (String c : r.getGenerations(0).getCandidatesList()) {
      out.println("  " + c);
    }
    return 0;
  }

  private static int info(TeacherServiceGrpc.TeacherServiceBlockingStub stub, PrintStream out) {
    InfoResponse info = stub.info(InfoRequest.getDefaultInstance());
    out.println("backend: " + info.getBackend());
    out.println("kinds: " + info.getKindsList());
    out.println("can generate: " + info.getCanGenerate());
    out.println("stream window: " + info.getStreamWindow());
    for (TeacherModel m : info.getModelsList()) {
      out.printf(Locale.ROOT, "model: %s (%s, weight %.3g, %s, %s)%n", m.getName(), m.getRole(), m.getWeight(),
          m.getSource(), m.getReady() ? "ready" : "NOT READY");
    }
    if (info.getBackend().equals("embedded")) {
      out.printf(Locale.ROOT, "candidate cache: %d embeddings, hit rate %.3f%n", info.getCacheEntries(),
          info.getCacheHitRate());
    }
    return 0;
  }
}
