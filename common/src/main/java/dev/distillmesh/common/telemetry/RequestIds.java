package dev.distillmesh.common.telemetry;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: the {@code x-request-id} header a call arrives with (or a new UUID), kept in the
 * gRPC {@link Context} while the call is handled and sent on with every call it makes to another
 * service, so one id finds a request's lines in every service's log.
 */
public final class RequestIds {
  public static final String HEADER_NAME = "x-request-id";
  public static final Metadata.Key<String> HEADER = Metadata.Key.of(HEADER_NAME, Metadata.ASCII_STRING_MARSHALLER);

  static final Context.Key<String> KEY = Context.key("distillmesh-request-id");

  // Ids end up in key=value log lines: no spaces, quotes or control characters, and bounded.
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:/+@~-]{1,128}");

  private RequestIds() {}

  /** The id of the request being handled on this thread, or null outside one. */
  public static String current() {
    return KEY.get();
  }

  /** {@link #current()}, or "-" for log lines. */
  public static String forLog() {
    String id = KEY.get();
    return id == null ? "-" : id;
  }

  /**
   * A random (version 4) UUID. Not from {@link UUID#randomUUID()}: its shared SecureRandom would
   * serialise busy servers, and an id needs to be unique, not unguessable.
   */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** {@code given} when it is a usable id (1..128 of {@code A-Z a-z 0-9 . _ : / + @ ~ -}), else a new one. */
  static String acceptOrCreate(String given) {
    return given != null && VALID.matcher(given).matches() ? given : newId();
  }

  /**
   * {@code task} made to run with request id {@code id} (and nothing else of the caller's context:
   * no deadline, no cancellation), for work that is not itself a call, such as a training run.
   */
  public static Runnable attach(String id, Runnable task) {
    return Context.ROOT.withValue(KEY, acceptOrCreate(id)).wrap(task);
  }

  /**
   * Runs tasks on the thread that completes a future, with the current request id attached: for
   * continuations that a batcher's worker thread runs outside the gRPC context of the request
   * (only the id is carried; the call's deadline and cancellation are not).
   */
  public static Executor sameThreadKeepingId() {
    String id = current();
    if (id == null) {
      return Runnable::run;
    }
    Context context = Context.ROOT.withValue(KEY, id);
    return task -> context.run(task);
  }
}
