package dev.distillmesh.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Dockerfile read into stages of instructions: enough to check what the images declare. */
final class Dockerfile {
  record Instruction(String keyword, String args) {}

  record Stage(String name, String base, List<Instruction> instructions) {
    List<String> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
    }

    /** ENV instructions as name to value (the KEY=VALUE form, several per instruction). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (String args : all("ENV")) {
        Matcher m = ENV_PAIR.matcher(args);
        while (m.find()) {
          env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
        }
      }
      return env;
    }

    /** Ports of every EXPOSE. */
    List<Integer> exposed() {
      List<Integer> ports = new ArrayList<>();
      for (String args : all("EXPOSE")) {
        for (String p : args.trim().split("\\s+")) {
          ports.add(Integer.parseInt(p.replace("/tcp", "")));
        }
      }
      return ports;
    }

    /** The user the image runs as: the last USER of this stage. */
    Optional<String> user() {
      List<String> users = all("USER");
      return users.isEmpty() ? Optional.empty() : Optional.of(users.get(users.size() - 1).trim());
    }
  }

  private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
  private static final Pattern FROM = Pattern.compile("(?i)(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*");
  private static final Pattern ARG = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:=(\\S*))?");

  final Path file;
  final List<Stage> stages;
  /** ARGs declared before the first FROM, with their defaults (usable in FROM lines). */
  final Map<String, String> globalArgs;

  private Dockerfile(Path file, List<Stage> stages, Map<String, String> globalArgs) {
    this.file = file;
    this.stages = stages;
    this.globalArgs = globalArgs;
  }

  static Dockerfile read(String relative) {
    Path file = Repo.path(relative);
    List<String> logical = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Repo.read(file).split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue; // comments (and parser directives) go, also inside a continued instruction
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      if (!current.toString().isBlank()) {
        logical.add(current.toString().strip());
      }
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    Map<String, String> globalArgs = new LinkedHashMap<>();
    List<Instruction> instructions = null;
    for (String l : logical) {
      int space = l.indexOf(' ');
      String keyword = (space < 0 ? l : l.substring(0, space)).toUpperCase(Locale.ROOT);
      String args = space < 0 ? "" : l.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        Matcher m = FROM.matcher(args);
        if (!m.matches()) {
          throw new AssertionError(file + ": cannot read FROM " + args);
        }
        String base = m.group(1);
        for (Map.Entry<String, String> a : globalArgs.entrySet()) {
          base = base.replace("${" + a.getKey() + "}", a.getValue()).replace("$" + a.getKey(), a.getValue());
        }
        instructions = new ArrayList<>();
        stages.add(new Stage(m.group(2), base, instructions));
      } else if (instructions == null) {
        if (!keyword.equals("ARG")) {
          throw new AssertionError(file + ": " + keyword + " before the first FROM");
        }
        Matcher m = ARG.matcher(args);
        if (m.matches()) {
          globalArgs.put(m.group(1), m.group(2) == null ? "" : m.group(2));
        }
      } else {
        instructions.add(new Instruction(keyword, args));
      }
    }
    return new Dockerfile(file, stages, globalArgs);
  }

  Optional<Stage> stage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst();
  }

  /** The stage and the stages it is built FROM, nearest first. */
  List<Stage> lineage(String name) {
    List<Stage> chain = new ArrayList<>();
    Optional<Stage> s = stage(name);
    while (s.isPresent()) {
      chain.add(s.get());
      s = stage(s.get().base());
    }
    return chain;
  }
}
