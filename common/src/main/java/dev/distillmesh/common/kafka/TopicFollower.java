package dev.distillmesh.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole topics from their start, then follows them, on one thread of its own: the one
 * implementation of "every reader sees every record" that the rollout's two sides share (a student
 * replica reading the adapter topic, the trainer reading the adapter and status topics). No
 * consumer group, nothing committed: each reader's position is its own, and a reader that restarts
 * reads from the start again (the topics are compacted, so that is one record per key and version
 * still unread by compaction).
 *
 * <p>The {@link Handler} is called on the follower's thread only: each record in order, then
 * {@link Handler#reachedEnd} once the reader has reached the end the topics had when it (re)connected,
 * and {@link Handler#polled} after every poll. If the broker goes away the follower logs it, waits and
 * reconnects; it never gives up while open.
 */
public final class TopicFollower implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration METADATA = Duration.ofSeconds(30);
  private static final long RETRY_MILLIS = 2000;

  /** What a follower does with what it reads; called on the follower's thread. */
  public interface Handler {
    /** Prepares the topics (e.g. creates them); called before each (re)connect. */
    default void prepare() {}

    void record(ConsumerRecord<String, byte[]> record);

    /** The reader has read what the topics held when it connected; called after each (re)connect. */
    default void reachedEnd() {}

    /**
     * After every poll, with the records between this reader's position and the topics' ends
     * (0 once caught up and nothing new).
     */
    default void polled(long lag) {}
  }

  private final MeshLog meshLog;
  private final String clientId;
  private final List<String> topics;
  private final int maxFetchBytes;
  private final Handler handler;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public TopicFollower(MeshLog meshLog, String clientId, List<String> topics, int maxFetchBytes, Handler handler) {
    this.meshLog = meshLog;
    this.clientId = clientId;
    this.topics = List.copyOf(topics);
    this.maxFetchBytes = maxFetchBytes;
    this.handler = handler;
    this.thread = new Thread(this::run, clientId);
    this.thread.setDaemon(true);
  }

  /** Starts the thread; returns at once (the broker may still be unreachable). */
  public TopicFollower start() {
    thread.start();
    return this;
  }

  private void run() {
    while (running) {
      try {
        handler.prepare();
        consumer = meshLog.reader(clientId, maxFetchBytes);
        follow(consumer);
      } catch (WakeupException e) {
        // close() woke the poll
      } catch (KafkaException | IllegalStateException e) {
        if (running) {
          log.warn("{} reading {}: {}; reconnecting in {} ms", clientId, topics, e.toString(), RETRY_MILLIS);
          sleep();
        }
      } finally {
        KafkaConsumer<String, byte[]> c = consumer;
        consumer = null;
        if (c != null) {
          c.close(Duration.ofSeconds(5));
        }
      }
    }
  }

  private void follow(KafkaConsumer<String, byte[]> c) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      c.partitionsFor(topic, METADATA).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException("the topics " + topics + " have no partitions on " + meshLog.bootstrapServers());
    }
    c.assign(partitions);
    c.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = c.endOffsets(partitions, METADATA);
    log.info("{} reading {} from the start ({} records before it is caught up)", clientId, topics,
        end.values().stream().mapToLong(Long::longValue).sum());
    boolean caughtUp = false;
    while (running) {
      for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
        handler.record(r);
      }
      if (!caughtUp && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
        caughtUp = true;
        handler.reachedEnd();
      }
      long lag = 0;
      for (TopicPartition tp : partitions) {
        lag += c.currentLag(tp).orElse(0);
      }
      handler.polled(caughtUp ? lag : Math.max(lag, 1));
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(RETRY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the thread and closes its consumer (a few seconds at most). */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
