package dev.distillmesh.student.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.common.kafka.MeshLog;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * With no broker to send to, the query path still never waits, and every sampled query is
 * accounted for: queued (pending) or dropped with a reason. The broker-backed side (produced) is in
 * the scale-out integration test.
 */
class TrafficPublisherTest {
  private static MeshLog nowhere() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    return new MeshLog("127.0.0.1:" + port, new Properties());
  }

  @Test
  void aFullQueueDropsAndCountsAndClosingCountsWhatWasNeverSent() throws Exception {
    TrafficPublisher p = new TrafficPublisher(nowhere(), 2, 1.0).start("r1");
    p.offerAnswer("faq", "one");
    p.offerRespond("chat", List.of("hi", "hello"));
    p.offerAnswer("faq", "three");
    p.offerAnswer("faq", "four");
    p.offerRespond("chat", List.of()); // nothing to train on: not sampled
    assertEquals(4, p.sampled());
    assertEquals(2, p.pending());
    assertEquals(Map.of("queue_full", 2L), p.dropped());
    p.close();
    assertEquals(0, p.produced());
    assertEquals(0, p.pending());
    assertEquals(Map.of("queue_full", 2L, "broker", 2L), p.dropped());
  }

  @Test
  void aSampleRateOfZeroSendsNothing() throws Exception {
    TrafficPublisher p = new TrafficPublisher(nowhere(), 10, 0).start("r1");
    for (int i = 0; i < 100; i++) {
      p.offerAnswer("faq", "q" + i);
    }
    assertEquals(0, p.sampled());
    p.close();
    assertEquals(Map.of(), p.dropped());
  }
}
