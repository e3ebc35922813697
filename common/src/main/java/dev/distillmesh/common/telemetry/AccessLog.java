package dev.distillmesh.common.telemetry;

import io.grpc.Status;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished call, in key=value form (the fields are in the message itself, because
 * the default slf4j binding prints no MDC):
 * <pre>rpc=distillmesh.index.v1.IndexService/Search status=NOT_FOUND ms=0.412 request_id=... error="..."</pre>
 * Failed calls are logged at WARN when the server is at fault (INTERNAL, UNKNOWN, DATA_LOSS,
 * UNAVAILABLE) and at INFO otherwise; successful ones at DEBUG, so they appear only when the
 * {@value #LOGGER} logger is set to debug. Nothing from the request is logged except its request id
 * and the status description the client also receives: never tokens or other headers.
 */
final class AccessLog {
  static final String LOGGER = "dev.distillmesh.access";
  private static final Logger log = LoggerFactory.getLogger(LOGGER);
  private static final Set<Status.Code> SERVER_FAULTS =
      EnumSet.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DATA_LOSS, Status.Code.UNAVAILABLE);
  private static final int MAX_ERROR_CHARS = 300;

  private AccessLog() {}

  static void served(String rpc, Status status, long nanos, String requestId) {
    boolean ok = status.isOk();
    boolean serverFault = SERVER_FAULTS.contains(status.getCode());
    if (ok ? !log.isDebugEnabled() : !serverFault && !log.isInfoEnabled()) {
      return;
    }
    String line = line(rpc, status, nanos, requestId);
    if (ok) {
      log.debug(line);
    } else if (serverFault) {
      log.warn(line);
    } else {
      log.info(line);
    }
  }

  static String line(String rpc, Status status, long nanos, String requestId) {
    StringBuilder b = new StringBuilder(160)
        .append("rpc=").append(rpc)
        .append(" status=").append(status.getCode().name())
        .append(" ms=").append(String.format(Locale.ROOT, "%.3f", nanos / 1e6))
        .append(" request_id=").append(requestId);
    String description = status.getDescription();
    if (description != null && !status.isOk()) {
      b.append(" error=\"");
      int n = Math.min(description.length(), MAX_ERROR_CHARS);
      for (int i = 0; i < n; i++) {
        char c = description.charAt(i);
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          default -> b.append(c < 0x20 ? ' ' : c);
        }
      }
      b.append(n < description.length() ? "...\"" : "\"");
    }
    return b.toString();
  }
}
