package dev.distillmesh.trainer.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillmesh.common.DomainException;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TeacherLinkTest {
  /**
   * A teacher that is down fails each new stream at once, on another thread, sometimes before the
   * request is handed to the stream: every request must still fail (UNAVAILABLE), never wait
   * forever. (The get below has a bound only so that the bug fails the test instead of hanging it.)
   */
  @Test
  void everyRequestToATeacherThatIsDownFailsUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + port).usePlaintext().build();
    try {
      TeacherLink link = new TeacherLink(channel, "127.0.0.1:" + port);
      for (int i = 0; i < 300; i++) {
        CompletableFuture<float[]> f = link.score(ScoreKind.RELEVANCE, "question " + i, List.of("a", "b"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
        DomainException d = assertInstanceOf(DomainException.class, e.getCause());
        assertEquals(DomainException.Kind.UNAVAILABLE, d.kind(), d.getMessage());
      }
    } finally {
      channel.shutdownNow();
    }
  }
}
