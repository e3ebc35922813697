package dev.distillmesh.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command-line client accepts: its commands, and for each the options it takes with their
 * defaults. It writes the usage ({@code --help}, for the whole CLI or one command) and refuses an
 * option the command does not take, or a value of the wrong kind, with a message naming the option,
 * before anything is called ({@link CliSession} turns that into exit code 2).
 */
public final class CliSpec {
  /** What an option's value must be. */
  public enum Kind { TEXT, INT, LONG, DOUBLE, BOOL, FLAG }

  /**
   * One {@code --name VALUE} option. {@code choices}, when not empty, are the only values taken
   * (any case); {@code defaultValue} is shown in the usage ("" for none).
   */
  public record Option(String name, String value, Kind kind, String defaultValue, String help, List<String> choices) {
    public Option {
      choices = List.copyOf(choices);
    }

    public static Option text(String name, String value, String defaultValue, String help) {
      return new Option(name, value, Kind.TEXT, defaultValue, help, List.of());
    }

    public static Option integer(String name, String defaultValue, String help) {
      return new Option(name, "N", Kind.INT, defaultValue, help, List.of());
    }

    public static Option whole(String name, String defaultValue, String help) {
      return new Option(name, "N", Kind.LONG, defaultValue, help, List.of());
    }

    public static Option number(String name, String defaultValue, String help) {
      return new Option(name, "X", Kind.DOUBLE, defaultValue, help, List.of());
    }

    public static Option bool(String name, String defaultValue, String help) {
      return new Option(name, "true|false", Kind.BOOL, defaultValue, help, List.of());
    }

    public static Option flag(String name, String help) {
      return new Option(name, null, Kind.FLAG, "", help, List.of());
    }

    public static Option oneOf(String name, String defaultValue, String help, String... choices) {
      return new Option(name, String.join("|", choices), Kind.TEXT, defaultValue, help, List.of(choices));
    }

    String synopsis() {
      return "--" + name + (value == null ? "" : " " + value);
    }

    /** Null if {@code v} is a value this option takes, else why not. */
    String problem(String v) {
      String bad = "--" + name + " must be ";
      try {
        switch (kind) {
          case INT -> Integer.parseInt(v);
          case LONG -> Long.parseLong(v);
          case DOUBLE -> {
            if (!Double.isFinite(Double.parseDouble(v))) {
              return bad + "a finite number, got \"" + v + "\"";
            }
          }
          case BOOL -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
              return bad + "true or false, got \"" + v + "\"";
            }
          }
          default -> { }
        }
      } catch (NumberFormatException e) {
        return bad + (kind == Kind.DOUBLE ? "a number" : "a whole number") + ", got \"" + v + "\"";
      }
      if (!choices.isEmpty() && choices.stream().noneMatch(c -> c.equalsIgnoreCase(v))) {
        return bad + "one of " + String.join(", ", choices) + ", got \"" + v + "\"";
      }
      return null;
    }
  }

  /** One command: its name, positional arguments, one line on what it does, and its options. */
  public record Command(String name, String arguments, String summary, List<Option> options) {
    public Command {
      options = List.copyOf(options);
    }
  }

  private final String program;
  private final String footer;
  private final List<Option> global;
  private final Map<String, Command> commands = new LinkedHashMap<>();

  /**
   * @param global options every command takes (e.g. {@code --target}); the TLS options of
   *     {@link MeshOptions} are added to them
   * @param footer text after the commands (defaults, environment)
   */
  public CliSpec(String program, List<Option> global, List<Command> commands, String footer) {
    this.program = program;
    this.footer = footer;
    List<Option> all = new ArrayList<>(global);
    for (String tls : List.of("tls-ca", "tls-client-cert", "tls-client-key", "tls-authority")) {
      all.add(Option.text(tls, tls.equals("tls-authority") ? "NAME" : "FILE", "", "see TLS below"));
    }
    this.global = List.copyOf(all);
    commands.forEach(c -> this.commands.put(c.name(), c));
  }

  /** The options, of any command, that take no value. */
  public java.util.Set<String> flags() {
    java.util.Set<String> flags = new java.util.HashSet<>();
    commands.values().forEach(c -> c.options().stream().filter(o -> o.kind() == Kind.FLAG)
        .forEach(o -> flags.add(o.name())));
    return flags;
  }

  /** The whole usage: every command with its options and defaults. */
  public String usage() {
    StringBuilder b = new StringBuilder("usage: " + program + " [OPTIONS] COMMAND ...  (" + program
        + " COMMAND --help: one command)\n");
    b.append("options of every command:\n");
    global.stream().filter(o -> !o.name().startsWith("tls-")).forEach(o -> line(b, o));
    b.append("commands:\n");
    for (Command c : commands.values()) {
      command(b, c);
    }
    return b + footer + MeshOptions.CLI_USAGE;
  }

  /** The usage of one command; the whole usage for a command this CLI does not have. */
  public String usage(String command) {
    Command c = commands.get(command);
    if (c == null) {
      return usage();
    }
    StringBuilder b = new StringBuilder("usage: " + program + " [OPTIONS] ");
    command(b, c);
    b.append("options of every command:\n");
    global.stream().filter(o -> !o.name().startsWith("tls-")).forEach(o -> line(b, o));
    return b + MeshOptions.CLI_USAGE;
  }

  private static void command(StringBuilder b, Command c) {
    b.append("  ").append(c.name()).append(c.arguments().isEmpty() ? "" : " " + c.arguments()).append('\n');
    b.append("      ").append(c.summary()).append('\n');
    c.options().forEach(o -> line(b, o));
  }

  private static void line(StringBuilder b, Option o) {
    String left = "    " + o.synopsis();
    b.append(left).append(" ".repeat(Math.max(1, 34 - left.length()))).append(o.help())
        .append(o.defaultValue().isEmpty() ? "" : " (default " + o.defaultValue() + ")").append('\n');
  }

  /**
   * Checks {@code options} (as {@link CliOptions#take} returns them) against {@code command}.
   *
   * @throws IllegalArgumentException for an unknown command, an option {@code command} does not
   *     take, or a value of the wrong kind; the message names it
   */
  public void check(String command, Map<String, String> options) {
    Command c = commands.get(command);
    if (c == null) {
      throw new IllegalArgumentException("unknown command " + command + " (commands: "
          + String.join(", ", commands.keySet()) + ")");
    }
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      Option o = find(c, e.getKey());
      if (o == null) {
        throw new IllegalArgumentException("unknown option --" + e.getKey() + " for " + command + " (see " + program
            + " " + command + " --help)");
      }
      String problem = o.kind() == Kind.FLAG ? null : o.problem(e.getValue());
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
  }

  private Option find(Command c, String name) {
    for (List<Option> list : List.of(c.options(), global)) {
      for (Option o : list) {
        if (o.name().equals(name)) {
          return o;
        }
      }
    }
    return null;
  }
}
