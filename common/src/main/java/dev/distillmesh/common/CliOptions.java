package dev.distillmesh.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line helpers shared by the CLIs. */
public final class CliOptions {
  private CliOptions() {}

  /**
   * Removes every {@code --name value} pair (and {@code --help}/{@code -h}, recorded as "help")
   * from {@code args}, leaving the positional arguments in order.
   *
   * @throws IllegalArgumentException for an option without a value
   */
  public static Map<String, String> take(List<String> args) {
    return take(args, Set.of());
  }

  /**
   * As {@link #take(List)}, {@code flags} taking no value: {@code --json} is recorded as "true".
   */
  public static Map<String, String> take(List<String> args, Set<String> flags) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); ) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        options.put("help", "");
        args.remove(i);
      } else if (a.startsWith("--") && flags.contains(a.substring(2))) {
        options.put(a.substring(2), "true");
        args.remove(i);
      } else if (a.startsWith("--")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        options.put(a.substring(2), args.get(i + 1));
        args.remove(i);
        args.remove(i);
      } else {
        i++;
      }
    }
    return options;
  }
}
