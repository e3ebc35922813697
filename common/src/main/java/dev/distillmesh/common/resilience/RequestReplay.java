package dev.distillmesh.common.resilience;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import java.util.ArrayList;
import java.util.List;

/**
 * What the caller sent on one unary call (headers, flow-control requests, compression, the
 * message), kept so that every attempt can send it again on a fresh {@link ClientCall}.
 * Thread-safe: the caller's thread records, attempt starters (caller or timer thread) replay; the
 * monitor of this object guards all fields and is never held while calling out.
 */
final class RequestReplay<ReqT> {
  /** A private copy: the transport owns (and edits) each Metadata it is handed. */
  private final Metadata headers = new Metadata();
  private final List<ReqT> messages = new ArrayList<>(1);
  private int requested;
  private Boolean compression;

  synchronized void headers(Metadata callerHeaders) {
    headers.merge(callerHeaders);
  }

  synchronized void message(ReqT message) {
    messages.add(message);
  }

  synchronized void request(int numMessages) {
    requested += numMessages;
  }

  synchronized int requested() {
    return requested;
  }

  synchronized void compression(boolean enabled) {
    compression = enabled;
  }

  /**
   * Starts {@code call} and sends it everything recorded so far, half-closing it.
   *
   * @return how many messages were requested on {@code call}, so later requests can be added
   */
  <RespT> int replay(ClientCall<ReqT, RespT> call, ClientCall.Listener<RespT> listener) {
    Metadata attemptHeaders = new Metadata();
    List<ReqT> toSend;
    int toRequest;
    Boolean compress;
    synchronized (this) {
      attemptHeaders.merge(headers);
      toSend = List.copyOf(messages);
      toRequest = requested;
      compress = compression;
    }
    call.start(listener, attemptHeaders);
    if (compress != null) {
      call.setMessageCompression(compress);
    }
    if (toRequest > 0) {
      call.request(toRequest);
    }
    for (ReqT message : toSend) {
      call.sendMessage(message);
    }
    call.halfClose();
    return toRequest;
  }
}
