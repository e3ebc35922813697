package dev.distillmesh.common;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads a service's settings once at start: command-line flags ({@code --name value}) first, then
 * environment variables, then defaults. Each getter names the flag and the variable in its error,
 * and {@link #rejectUnknown} refuses flags nobody asked for, so a typo never passes silently.
 *
 * <p>Not thread-safe; used by one thread while a config record is built.
 */
public final class Settings {
  private final Map<String, String> flags = new HashMap<>();
  private final Set<String> used = new HashSet<>();
  private final Map<String, String> env;
  private final String usage;

  private Settings(Map<String, String> env, String usage) {
    this.env = env;
    this.usage = usage;
  }

  /**
   * @throws IllegalArgumentException carrying {@code usage} for --help, a stray argument or a flag
   *     without a value
   */
  public static Settings parse(String[] args, Map<String, String> env, String usage) {
    Settings s = new Settings(env, usage);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        throw new IllegalArgumentException(usage);
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("unexpected argument " + a + "\n" + usage);
      }
      s.flags.put(a.substring(2), args[++i]);
    }
    return s;
  }

  public String string(String flag, String envName, String fallback) {
    used.add(flag);
    String v = flags.get(flag);
    if (v == null) {
      v = env.get(envName);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  public int integer(String flag, String envName, int fallback, int min, int max) {
    long n = longValue(flag, envName, fallback, min, max);
    return (int) n;
  }

  public long longValue(String flag, String envName, long fallback, long min, long max) {
    String v = string(flag, envName, Long.toString(fallback));
    try {
      long n = Long.parseLong(v.strip());
      if (n < min || n > max) {
        throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be in " + min + ".." + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be a number, got \"" + v + "\"");
    }
  }

  public boolean bool(String flag, String envName, boolean fallback) {
    String v = string(flag, envName, Boolean.toString(fallback));
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + flag + " (" + envName + ") must be true or false, got \"" + v + "\"");
    }
    return Boolean.parseBoolean(v);
  }

  /** A secret: read from the environment only (flags are visible to other users in ps); null if unset. */
  public String secret(String envName) {
    String v = env.get(envName);
    return v == null || v.isBlank() ? null : v;
  }

  /** Call after every getter: fails on a flag no getter asked for. */
  public void rejectUnknown() {
    for (String flag : flags.keySet()) {
      if (!used.contains(flag)) {
        throw new IllegalArgumentException("unknown option --" + flag + "\n" + usage);
      }
    }
  }
}
