package dev.distillmesh.trainer.kafka;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.kafka.AdapterRecord;
import dev.distillmesh.common.kafka.MalformedRecordException;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.ReplicaReport;
import dev.distillmesh.common.kafka.TopicFollower;
import dev.distillmesh.trainer.run.ContextRollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out mode's rollout: a publish is one record on the compacted adapter topic, and it is
 * complete when every live student replica reports (on the status topic) that it serves it. A
 * replica is live while its last report is younger than {@link #LIVENESS}; a replica that stops
 * cleanly leaves at once (its tombstone). A replica that refuses the version fails the publish
 * (FAILED_PRECONDITION naming it and why); replicas that do not report it within the timeout fail it
 * too (UNAVAILABLE naming them and what they serve), so the fleet is never split silently.
 *
 * <p>Owns a {@link TopicFollower} (one thread), which reads both topics from their start, and one
 * producer. Thread-safe.
 */
public final class KafkaRollout implements ContextRollout, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaRollout.class);
  /** Five missed heartbeats of a replica (every 2 s) and it no longer counts. */
  public static final Duration LIVENESS = Duration.ofSeconds(10);
  /** A replica's heartbeat; no report from any replica for twice that is an outage, not deaths. */
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(2);

  private final MeshLog meshLog;
  private final Duration timeout;
  private final KafkaProducer<String, byte[]> producer;
  private final ConcurrentMap<String, Seen> replicas = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Long> published = new ConcurrentHashMap<>();
  private final TopicFollower follower;
  private final Object changed = new Object();
  private volatile boolean readTopicsOnce;
  private volatile long lastReportMillis; // when any report last arrived, by this trainer's clock
  private volatile long gapEndedAtMillis; // when reports resumed after an outage

  /** @param timeout how long a publish waits for every live replica to report it */
  public KafkaRollout(MeshLog meshLog, Duration timeout) {
    this.meshLog = meshLog;
    this.timeout = timeout;
    try (Admin admin = meshLog.admin()) {
      MeshTopics.ensureRollout(admin);
    }
    this.producer = meshLog.producer("trainer-rollout", MeshTopics.MAX_ADAPTER_BYTES, 60_000);
    this.follower = new TopicFollower(meshLog, "trainer-rollout-status",
        List.of(MeshTopics.ADAPTERS, MeshTopics.ADAPTER_STATUS), MeshTopics.MAX_ADAPTER_BYTES, new Reader()).start();
  }

  @Override
  public long servedVersion(String collection) {
    awaitFirstRead();
    long newest = published.getOrDefault(collection, 0L);
    for (ReplicaReport r : live()) {
      newest = Math.max(newest, r.servedVersion(collection));
    }
    return newest;
  }

  @Override
  public String publish(String collection, long version, int dim, float[] matrix, String description, String runId,
      double heldOut) {
    AdapterRecord record = new AdapterRecord(collection, "context", version, dim, matrix, runId, heldOut, description,
        System.currentTimeMillis());
    long start = System.nanoTime();
    try {
      producer.send(new ProducerRecord<>(MeshTopics.ADAPTERS, record.key(), record.encode())).get(90, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "the rollout topic " + MeshTopics.ADAPTERS + " on "
          + meshLog.bootstrapServers() + " did not take adapter v" + version + " of " + collection + ": " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DomainException(DomainException.Kind.CANCELLED, "interrupted while publishing v" + version);
    }
    published.merge(collection, version, Math::max);
    return awaitReplicas(collection, version, start);
  }

  private String awaitReplicas(String collection, long version, long start) {
    long deadline = start + timeout.toNanos();
    while (true) {
      List<ReplicaReport> live = live();
      List<String> behind = new ArrayList<>();
      for (ReplicaReport r : live) {
        ReplicaReport.Refusal refusal = r.refused().get(collection);
        if (refusal != null && refusal.version() >= version && r.servedVersion(collection) < version) {
          throw DomainException.precondition("replica " + r.replicaId() + " refused adapter v" + version + " of "
              + collection + ": " + refusal.reason() + "; it keeps serving v" + r.servedVersion(collection)
              + " (fix the cause and publish a new version)");
        }
        if (r.servedVersion(collection) < version) {
          behind.add(r.replicaId() + " (serves v" + r.servedVersion(collection) + (r.ready() ? "" : ", catching up")
              + ")");
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      // No live replica may mean none exists, or that none could report for a while (the broker
      // was down, the trainer just started): give them a liveness period to be heard before
      // saying so.
      boolean waitForReports = live.isEmpty() && System.nanoTime() - start < LIVENESS.toNanos();
      if (behind.isEmpty() && !waitForReports) {
        String summary = live.isEmpty()
            ? "on the rollout topic; no student replica reported within " + LIVENESS.toSeconds()
                + " s (each applies it when it starts)"
            : String.format(Locale.ROOT, "rolled out to %d/%d replicas in %.1f s", live.size(), live.size(), seconds);
        log.info("adapter v{} of {}: {}", version, collection, summary);
        return summary;
      }
      if (System.nanoTime() > deadline) {
        throw new DomainException(DomainException.Kind.UNAVAILABLE, String.format(Locale.ROOT,
            "adapter v%d of %s reached %d/%d live replicas in %.0f s; not yet: %s", version, collection,
            live.size() - behind.size(), live.size(), seconds, String.join(", ", behind)));
      }
      synchronized (changed) {
        try {
          changed.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DomainException(DomainException.Kind.CANCELLED, "interrupted while rolling out v" + version);
        }
      }
    }
  }

  /**
   * A replica's last report and when this trainer saw it, by the trainer's clock (so a replica's
   * clock never decides its liveness). Reports read while catching up with the status topic count
   * as seen when the broker stamped them, never later than now: a replica that died an hour ago is
   * not live for {@link #LIVENESS} after the trainer starts.
   */
  private record Seen(ReplicaReport report, long atMillis) {}

  /**
   * The replicas whose last report was seen less than {@link #LIVENESS} ago, by id. Silence while
   * no replica could report (the broker was away: no report reached the trainer for over two
   * heartbeats) does not count: after such a gap every known replica has a new liveness period to
   * report again, so a publish right after a broker outage waits for the whole fleet.
   */
  public List<ReplicaReport> live() {
    long now = System.currentTimeMillis();
    long graceFrom = gapEndedAtMillis;
    return replicas.values().stream().filter(s -> now - Math.max(s.atMillis(), graceFrom) < LIVENESS.toMillis())
        .map(Seen::report)
        .sorted((a, b) -> a.replicaId().compareTo(b.replicaId())).toList();
  }

  private void awaitFirstRead() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!readTopicsOnce && System.nanoTime() < deadline) {
      synchronized (changed) {
        try {
          changed.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    if (!readTopicsOnce) {
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "the rollout topics on " + meshLog.bootstrapServers()
          + " could not be read within 30 s; is the Kafka broker up?");
    }
  }

  /** Reads both topics' records on the follower's thread. */
  private final class Reader implements TopicFollower.Handler {
    @Override
    public void record(ConsumerRecord<String, byte[]> r) {
      read(r);
    }

    @Override
    public void reachedEnd() {
      readTopicsOnce = true;
    }

    @Override
    public void polled(long lag) {
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  private void read(ConsumerRecord<String, byte[]> r) {
    try {
      if (r.topic().equals(MeshTopics.ADAPTER_STATUS)) {
        if (r.value() == null) {
          if (replicas.remove(r.key()) != null) {
            log.info("student replica {} left", r.key());
          }
          return;
        }
        ReplicaReport report = ReplicaReport.decode(r.value());
        long now = System.currentTimeMillis();
        if (readTopicsOnce && lastReportMillis > 0 && now - lastReportMillis > 2 * REPORT_INTERVAL.toMillis()) {
          gapEndedAtMillis = now;
          log.info("student replicas report again after {} s of silence (broker or network away)",
              (now - lastReportMillis) / 1000);
        }
        lastReportMillis = now;
        Seen before = replicas.put(report.replicaId(), new Seen(report, readTopicsOnce ? now : Math.min(now, r.timestamp())));
        if (before == null) {
          log.info("student replica {} reports: {}", report.replicaId(), report.describe());
        }
      } else if (r.value() != null) {
        AdapterRecord.Header h = AdapterRecord.header(r.value());
        if ("context".equals(h.tower())) {
          published.merge(h.collection(), h.version(), Math::max);
        }
      }
    } catch (MalformedRecordException e) {
      log.error("skipping {}-{} offset {} (key {}): {} [{}]", r.topic(), r.partition(), r.offset(), r.key(),
          e.getMessage(), e.reason());
    }
  }

  @Override
  public void close() {
    follower.close();
    producer.close(Duration.ofSeconds(5));
  }
}
