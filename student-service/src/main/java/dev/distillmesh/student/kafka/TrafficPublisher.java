package dev.distillmesh.student.kafka;

import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.TrafficRecord;
import dev.distillmesh.student.query.TrafficSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out mode's traffic: sends the queries this replica answered (sampled as in the default
 * mode) to the traffic topic ({@link MeshTopics#TRAFFIC}, keyed by collection), where a TRAFFIC run
 * reads them.
 *
 * <p>The query path only samples and offers to a bounded queue: it never waits on Kafka. One thread
 * of its own drains the queue into an idempotent {@code acks=all} producer. While the broker is
 * away that thread holds the oldest query and tries it again, so a short outage loses nothing; a
 * query not acknowledged within {@value #DELIVERY_TIMEOUT_MS} ms of being answered is dropped, and
 * the queue, once full, drops new ones. A query is
 * counted once as exactly one of: produced (the broker acknowledged it, so it survives this
 * replica's death), dropped with a reason ({@code queue_full}: the queue was full, e.g. while the
 * broker was away; {@code broker}: not acknowledged in time; {@code too_large}: over the topic's
 * record size), or still pending. Queries pending when the process dies are lost; the counters say
 * how many can be.
 */
public final class TrafficPublisher implements TrafficSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrafficPublisher.class);
  static final int MAX_BLOCK_MS = 1000;
  static final int DELIVERY_TIMEOUT_MS = 30_000;
  private static final long RETRY_MILLIS = 2000;

  /** An answered query, as the query path queues it. */
  private record Query(TrafficRecord.Kind kind, String collection, long servedAtMillis, List<String> texts) {}

  private final MeshLog meshLog;
  private volatile String replicaId = "";
  private final double sampleRate;
  private final BlockingQueue<Query> queue;
  private Thread drain;
  private final AtomicLong sampled = new AtomicLong();
  private final AtomicLong produced = new AtomicLong();
  private final Map<String, AtomicLong> dropped = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private volatile boolean connected;
  private volatile long lastWarning;

  /**
   * @param capacity queries waiting to be sent at most (1..1,000,000)
   * @param sampleRate fraction of answered queries sent, in [0, 1]
   */
  public TrafficPublisher(MeshLog meshLog, int capacity, double sampleRate) {
    if (capacity < 1) {
      throw new IllegalArgumentException("the traffic queue needs room for at least one query, got " + capacity);
    }
    this.meshLog = meshLog;
    this.sampleRate = TrafficSink.checkRate(sampleRate);
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * Starts sending, as {@code replicaId} (known once the server has its port; queries offered before
   * wait in the queue); returns at once (the broker may still be unreachable).
   */
  public synchronized TrafficPublisher start(String replicaId) {
    if (drain != null) {
      throw new IllegalStateException("already started");
    }
    this.replicaId = replicaId;
    drain = new Thread(this::run, "traffic-" + replicaId);
    drain.setDaemon(true);
    drain.start();
    return this;
  }

  @Override
  public void offerAnswer(String collection, String question) {
    if (TrafficSink.sampled(sampleRate)) {
      offer(new Query(TrafficRecord.Kind.ANSWER, collection, System.currentTimeMillis(), List.of(question)));
    }
  }

  @Override
  public void offerRespond(String collection, List<String> turns) {
    if (TrafficSink.sampled(sampleRate) && !turns.isEmpty()) {
      offer(new Query(TrafficRecord.Kind.RESPOND, collection, System.currentTimeMillis(), List.copyOf(turns)));
    }
  }

  private void offer(Query record) {
    sampled.incrementAndGet();
    if (!queue.offer(record)) {
      drop("queue_full", null);
    }
  }

  private void run() {
    KafkaProducer<String, byte[]> producer = null;
    try {
      while (running && producer == null) {
        try (Admin admin = meshLog.admin()) {
          MeshTopics.ensureTraffic(admin);
          producer = meshLog.producer("student-" + replicaId + "-traffic", MeshTopics.MAX_TRAFFIC_BYTES,
              DELIVERY_TIMEOUT_MS, MAX_BLOCK_MS);
          connected = true;
        } catch (KafkaException | IllegalStateException e) {
          warn("cannot reach " + MeshTopics.TRAFFIC + " (" + e.getMessage() + "); queries wait in the queue"
              + " (dropped when it is full), retrying in " + RETRY_MILLIS + " ms");
          sleep();
        }
      }
      Query q = null; // taken from the queue, not yet handed to the producer
      while (running || q != null || !queue.isEmpty()) {
        if (q == null) {
          q = queue.poll(100, TimeUnit.MILLISECONDS);
        }
        if (q == null) {
          continue;
        }
        if (producer == null) { // closed before the broker was ever reached
          drop("broker", null);
          q = null;
        } else if (handedOver(producer, q)) {
          q = null;
        } else if (!running || System.currentTimeMillis() - q.servedAtMillis() > DELIVERY_TIMEOUT_MS) {
          drop("broker", null); // the broker has been away too long for this query
          q = null;
        } // else: the broker is away; try the same query again (the queue takes the new ones meanwhile)
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5)); // what is unacknowledged then fails, and is counted
      }
      while (queue.poll() != null) {
        drop("broker", null);
      }
    }
  }

  /**
   * Hands a query to the producer; its callback counts it as produced or dropped. False when the
   * producer could not take it within {@value #MAX_BLOCK_MS} ms (no metadata: the broker is away).
   */
  private boolean handedOver(KafkaProducer<String, byte[]> producer, Query q) {
    try {
      byte[] value = new TrafficRecord(q.kind(), q.collection(), replicaId, q.servedAtMillis(), q.texts()).encode();
      // From the cache while the producer knows the topic; otherwise it waits for metadata, and throws
      // when there is none in time (a send would instead fail the query through its callback).
      producer.partitionsFor(MeshTopics.TRAFFIC);
      producer.send(new ProducerRecord<>(MeshTopics.TRAFFIC, q.collection(), value), (meta, e) -> {
        if (e == null) {
          produced.incrementAndGet();
        } else {
          drop(e instanceof RecordTooLargeException ? "too_large" : "broker", e);
        }
      });
      return true;
    } catch (TimeoutException e) {
      warn("the broker is away (" + e.getMessage() + "); holding the oldest query for up to " + DELIVERY_TIMEOUT_MS
          + " ms, the queue takes new ones until it is full");
      return false;
    } catch (KafkaException e) {
      drop(e instanceof RecordTooLargeException ? "too_large" : "broker", e);
      return true;
    } catch (IllegalArgumentException e) { // more dialogue turns than a record holds
      drop("too_large", e);
      return true;
    }
  }

  private void drop(String reason, Exception e) {
    dropped.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    if (e != null) {
      warn("traffic query dropped (" + reason + "): " + e);
    }
  }

  /** Logs at most one warning every ten seconds: a broker outage must not flood the log. */
  private void warn(String message) {
    long now = System.currentTimeMillis();
    if (now - lastWarning >= 10_000) {
      lastWarning = now;
      log.warn("replica {}: {} (counts so far: produced {}, dropped {})", replicaId, message, produced(), dropped());
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(RETRY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Queries handed to this publisher (after sampling). */
  public long sampled() {
    return sampled.get();
  }

  /** Queries the broker acknowledged. */
  public long produced() {
    return produced.get();
  }

  /** Queries dropped, by reason ("queue_full", "broker", "too_large"). */
  public Map<String, Long> dropped() {
    Map<String, Long> out = new TreeMap<>();
    dropped.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Queries neither produced nor dropped yet: queued, or sent and not yet acknowledged. */
  public long pending() {
    return sampled() - produced() - dropped.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Sends what is queued (a few seconds at most), then stops. */
  @Override
  public void close() {
    running = false;
    Thread t;
    synchronized (this) {
      t = drain;
    }
    if (t == null) {
      return;
    }
    if (!connected) {
      t.interrupt(); // still waiting for the broker: nothing to send with, so stop waiting
    }
    try {
      t.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
