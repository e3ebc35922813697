package dev.distillmesh.common;

import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.ClientTls;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One invocation of a command-line client (index-cli, student-cli, teacher-cli, trainer-cli): the
 * opening and closing they share. {@link #run} parses the options ({@link CliOptions}), answers
 * {@code --help} (exit 0) or no command (exit 2) with the usage, reads the TLS settings ({@link MeshOptions}) and the
 * admin token ({@link MeshOptions#ENV_ADMIN_TOKEN}), opens the channel, runs the command and maps
 * its failure to the exit code every CLI documents: 0 ok, 1 the call failed, 2 usage error.
 *
 * <p>The session owns its channel; {@link #run} shuts it down when the command returns.
 */
public final class CliSession {
  /** Exit code: the command ran. */
  public static final int OK = 0;
  /** Exit code: a call failed (its status is printed). */
  public static final int CALL_FAILED = 1;
  /** Exit code: the command line was wrong (the usage is printed). */
  public static final int USAGE = 2;

  /** A CLI's command, run once the channel is open; an {@link IllegalArgumentException} is a usage error. */
  @FunctionalInterface
  public interface Command {
    int run(CliSession session) throws Exception;
  }

  private final List<String> args;
  private final Map<String, String> options;
  private final ManagedChannel channel;
  private final BearerToken adminToken;

  private CliSession(List<String> args, Map<String, String> options, ManagedChannel channel, BearerToken adminToken) {
    this.args = args;
    this.options = options;
    this.channel = channel;
    this.adminToken = adminToken;
  }

  /** Runs {@code command} against {@code --target} (default {@code defaultTarget}); returns the exit code. */
  public static int run(String[] argv, String usage, String defaultTarget, PrintStream err, Command command) {
    return run(argv, usage, defaultTarget, UnaryOperator.identity(), err, command);
  }

  /**
   * As {@link #run(String[], String, String, PrintStream, Command)}, with {@code channelSettings}
   * applied to the channel builder (e.g. a larger inbound message size).
   */
  public static int run(String[] argv, String usage, String defaultTarget,
      UnaryOperator<NettyChannelBuilder> channelSettings, PrintStream err, Command command) {
    return run(argv, usage, null, defaultTarget, channelSettings, err, command);
  }

  /**
   * As {@link #run(String[], String, String, PrintStream, Command)}, the usage written by {@code
   * spec}: {@code COMMAND --help} prints that command's, and an unknown command, an option the
   * command does not take or a value of the wrong kind is refused (exit 2) before the channel opens.
   */
  public static int run(String[] argv, CliSpec spec, String defaultTarget,
      UnaryOperator<NettyChannelBuilder> channelSettings, PrintStream err, Command command) {
    return run(argv, spec.usage(), spec, defaultTarget, channelSettings, err, command);
  }

  private static int run(String[] argv, String usage, CliSpec spec, String defaultTarget,
      UnaryOperator<NettyChannelBuilder> channelSettings, PrintStream err, Command command) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    Map<String, String> options;
    ClientTls tls;
    String commandName;
    try {
      options = spec == null ? CliOptions.take(args) : CliOptions.take(args, spec.flags());
      if (args.isEmpty() || options.containsKey("help")) {
        err.print(spec == null || args.isEmpty() ? usage : spec.usage(args.get(0)));
        return args.isEmpty() ? USAGE : OK; // help asked for is not an error
      }
      if (spec != null) {
        spec.check(args.get(0), options);
      }
      commandName = args.get(0);
      tls = MeshOptions.clientTls(options, System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return USAGE;
    }
    String token = System.getenv(MeshOptions.ENV_ADMIN_TOKEN);
    ManagedChannel channel = channelSettings.apply(
        Channels.forTarget(options.getOrDefault("target", defaultTarget), tls)).build();
    try {
      return command.run(new CliSession(args, options, channel,
          token == null || token.isBlank() ? null : new BearerToken(token)));
    } catch (StatusRuntimeException e) {
      err.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return CALL_FAILED;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.print(spec == null ? usage : spec.usage(commandName));
      return USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return CALL_FAILED;
    } catch (Exception e) {
      err.println("error: " + e);
      return CALL_FAILED;
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The positional arguments, command first; mutable, so a CLI can take the command off. */
  public List<String> args() {
    return args;
  }

  /** The {@code --name value} options ({@code --help} is "help"). */
  public Map<String, String> options() {
    return options;
  }

  /** The channel to the target. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A {@code --name} option as a long, or {@code fallback}; a malformed one is a usage error. */
  public long longOption(String name, long fallback) {
    String value = options.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, got \"" + value + "\"");
    }
  }

  /** The admin token from {@link MeshOptions#ENV_ADMIN_TOKEN}; null when it is unset or blank. */
  public BearerToken adminToken() {
    return adminToken;
  }

  /** {@code stub} carrying the admin token when one is set, else {@code stub} as it is. */
  public <S extends AbstractStub<S>> S withAdminToken(S stub) {
    return adminToken == null ? stub : stub.withCallCredentials(adminToken);
  }
}
