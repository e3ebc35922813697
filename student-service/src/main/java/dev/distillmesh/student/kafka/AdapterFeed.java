package dev.distillmesh.student.kafka;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.kafka.AdapterRecord;
import dev.distillmesh.common.kafka.MalformedRecordException;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.ReplicaReport;
import dev.distillmesh.common.kafka.TopicFollower;
import dev.distillmesh.student.adapter.Adapter;
import dev.distillmesh.student.adapter.AdapterStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A student replica's side of the model rollout in scale-out mode: reads the whole adapter topic
 * from its start (every replica reads every record; there is no consumer group), applies each
 * collection's context adapter versions in order through the {@link AdapterStore} (the same
 * checks as {@code LoadAdapter}, persisted the same way), and reports what it serves, and what it
 * refused, on the status topic: at each change and every heartbeat, and a tombstone when it stops.
 *
 * <p>The replica is ready (its health may say SERVING) only once it has read the topic up to the
 * end it had when the replica started, so a new or restarted replica never answers with an older
 * adapter than its peers. A record it cannot read is skipped with its reason logged and counted,
 * never retried forever; if its header names a version, that version is reported as refused so the
 * trainer's publish fails instead of the fleet splitting silently.
 *
 * <p>Owns a {@link TopicFollower} (one thread) and a producer; {@link #close} stops them.
 */
public final class AdapterFeed implements TopicFollower.Handler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdapterFeed.class);
  /** How often a replica repeats its report; the trainer counts a replica gone after a few missed. */
  public static final Duration HEARTBEAT = Duration.ofSeconds(2);

  private final MeshLog meshLog;
  private final String replicaId;
  private final AdapterStore store;
  private final Consumer<Boolean> readiness;
  private final ConcurrentMap<String, ReplicaReport.Refusal> refused = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicLong> skipped = new ConcurrentHashMap<>();
  private final AtomicLong applied = new AtomicLong();
  private final TopicFollower follower;
  private final KafkaProducer<String, byte[]> producer;
  private volatile boolean caughtUp;
  private volatile long lag = -1;
  private long lastReport;

  /**
   * @param readiness told {@code true} once the replica has caught up with the topic (and never
   *     {@code false} again: the replica keeps serving what it has if the broker goes away)
   */
  public AdapterFeed(MeshLog meshLog, String replicaId, AdapterStore store, Consumer<Boolean> readiness) {
    this.meshLog = meshLog;
    this.replicaId = replicaId;
    this.store = store;
    this.readiness = readiness;
    this.producer = meshLog.producer("student-" + replicaId + "-status", 1 << 20, 30_000);
    this.follower = new TopicFollower(meshLog, "student-" + replicaId + "-adapters", List.of(MeshTopics.ADAPTERS),
        MeshTopics.MAX_ADAPTER_BYTES, this);
  }

  /** Starts reading; returns at once (the broker may still be unreachable). */
  public AdapterFeed start() {
    store.refusePushes("this student replica takes adapters from the rollout topic (" + MeshTopics.ADAPTERS + " on "
        + meshLog.bootstrapServers() + ", scale-out mode), not from LoadAdapter: publish through the trainer,"
        + " which every replica follows");
    follower.start();
    return this;
  }

  public String replicaId() {
    return replicaId;
  }

  public boolean caughtUp() {
    return caughtUp;
  }

  /** Records between this replica's position and the topic's end, -1 before it first knew. */
  public long lag() {
    return lag;
  }

  public long applied() {
    return applied.get();
  }

  /** Records skipped, by reason ("crc", "schema", "foreign", "truncated", "tower", "refused"). */
  public Map<String, Long> skipped() {
    Map<String, Long> out = new TreeMap<>();
    skipped.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Override
  public void prepare() {
    try (Admin admin = meshLog.admin()) {
      MeshTopics.ensureRollout(admin);
    }
  }

  @Override
  public void record(ConsumerRecord<String, byte[]> r) {
    if (apply(r)) {
      report();
    }
  }

  @Override
  public void reachedEnd() {
    if (!caughtUp) {
      caughtUp = true;
      log.info("replica {} caught up with {}: serving {}", replicaId, MeshTopics.ADAPTERS, served());
      readiness.accept(true);
      report();
    }
  }

  @Override
  public void polled(long lag) {
    this.lag = lag;
    long now = System.currentTimeMillis();
    if (now - lastReport >= HEARTBEAT.toMillis()) {
      report();
    }
  }

  /** Applies one record; true when what the replica serves or refuses changed. */
  boolean apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return false; // a tombstone: compaction's, nothing to serve
    }
    AdapterRecord.Header header;
    try {
      header = AdapterRecord.header(r.value());
    } catch (MalformedRecordException e) {
      skip(e.reason(), r, e.getMessage());
      return false;
    }
    if (!"context".equals(header.tower())) {
      skip("tower", r, "a " + header.tower() + " adapter: the student serves context adapters only");
      return false;
    }
    long serving = store.current(header.collection()).version();
    if (header.version() <= serving) {
      return false; // applied before this restart, or older than what it serves
    }
    AdapterRecord record;
    try {
      record = AdapterRecord.decode(r.value());
    } catch (MalformedRecordException e) {
      skip(e.reason(), r, e.getMessage());
      return refuse(header.collection(), header.version(), e.getMessage());
    }
    try {
      Adapter adapter = store.installFromRollout(record.collection(), record.version(), record.dimension(),
          record.dimension(), record.matrix(), record.description());
      refused.remove(record.collection());
      applied.incrementAndGet();
      log.info("replica {} serves {} for collection {} (run {}, offset {})", replicaId, adapter, record.collection(),
          record.runId(), r.offset());
      return true;
    } catch (DomainException e) {
      skip("refused", r, e.getMessage());
      return refuse(record.collection(), record.version(), e.getMessage());
    } catch (IOException e) {
      skip("refused", r, "could not persist it: " + e);
      return refuse(record.collection(), record.version(), "could not persist it: " + e.getMessage());
    }
  }

  private boolean refuse(String collection, long version, String reason) {
    ReplicaReport.Refusal before = refused.get(collection);
    if (before != null && before.version() >= version) {
      return false;
    }
    refused.put(collection, new ReplicaReport.Refusal(version, reason));
    return true;
  }

  private void skip(String reason, ConsumerRecord<String, byte[]> r, String message) {
    skipped.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    log.error("replica {} skips {} offset {} (key {}): {} [{}]", replicaId, r.topic() + "-" + r.partition(), r.offset(),
        r.key(), message, reason);
  }

  private Map<String, Long> served() {
    Map<String, Long> served = new TreeMap<>();
    for (String c : store.collections()) {
      served.put(c, store.current(c).version());
    }
    return served;
  }

  private void report() {
    ReplicaReport report = new ReplicaReport(replicaId, caughtUp, System.currentTimeMillis(), served(),
        Map.copyOf(refused));
    lastReport = System.currentTimeMillis();
    producer.send(new ProducerRecord<>(MeshTopics.ADAPTER_STATUS, replicaId, report.encode()), (meta, error) -> {
      if (error != null) {
        log.warn("replica {}: status report not delivered: {}", replicaId, error.toString());
      }
    });
  }

  /** Stops reading, sends the tombstone, closes the clients (a few seconds at most). */
  @Override
  public void close() {
    follower.close();
    // A clean stop: the tombstone tells the trainer at once that this replica is gone.
    producer.send(new ProducerRecord<>(MeshTopics.ADAPTER_STATUS, replicaId, null));
    producer.close(Duration.ofSeconds(5));
  }
}
