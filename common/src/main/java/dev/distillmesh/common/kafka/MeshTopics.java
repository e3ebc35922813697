package dev.distillmesh.common.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's topics and their settings. Each is created when missing by the first process that
 * needs it (the rollout topics with one partition, the traffic topic with {@link #TRAFFIC_PARTITIONS},
 * all with the cluster's default replication factor; in production create
 * them beforehand, e.g. as Strimzi {@code KafkaTopic} resources, with replication factor 3 and
 * {@code min.insync.replicas=2}: see the README's scale-out section).
 */
public final class MeshTopics {
  private static final Logger log = LoggerFactory.getLogger(MeshTopics.class);

  /** Adapter versions, compacted: the newest version of each collection and tower is always kept. */
  public static final String ADAPTERS = "distillmesh.adapters";
  /** What each student replica serves, compacted by replica id. */
  public static final String ADAPTER_STATUS = "distillmesh.adapter-status";

  /**
   * The queries student replicas answered, keyed by collection, kept for {@link #TRAFFIC_RETENTION_MS}
   * (deleted after, not compacted): what TRAFFIC runs read as a consumer group.
   */
  public static final String TRAFFIC = "distillmesh.traffic";
  /** Partitions the traffic topic is created with; one collection's traffic is in one of them. */
  public static final int TRAFFIC_PARTITIONS = 3;
  /** Seven days: a trainer down for less than this misses nothing. */
  public static final long TRAFFIC_RETENTION_MS = 7L * 24 * 3600 * 1000;
  /** Largest record on the traffic topic; a replica drops a larger query and counts it ({@code too_large}). */
  public static final int MAX_TRAFFIC_BYTES = 8 << 20;

  /** Largest record on the adapter topic: a 2,048-dimensional matrix is 16 MiB. */
  public static final int MAX_ADAPTER_BYTES = 17 << 20;

  private MeshTopics() {}

  /** Creates the rollout topics when they do not exist. */
  public static void ensureRollout(Admin admin) {
    ensure(admin, new NewTopic(ADAPTERS, 1, (short) -1).configs(Map.of(
        "cleanup.policy", "compact",
        "max.message.bytes", Integer.toString(MAX_ADAPTER_BYTES),
        "min.compaction.lag.ms", "0")));
    ensure(admin, new NewTopic(ADAPTER_STATUS, 1, (short) -1).configs(Map.of(
        "cleanup.policy", "compact",
        "segment.ms", "3600000",
        // The broker stamps reports, so the trainer never judges liveness by a replica's clock.
        "message.timestamp.type", "LogAppendTime")));
  }

  /** Creates the traffic topic when it does not exist. */
  public static void ensureTraffic(Admin admin) {
    ensure(admin, new NewTopic(TRAFFIC, TRAFFIC_PARTITIONS, (short) -1).configs(Map.of(
        "cleanup.policy", "delete",
        "retention.ms", Long.toString(TRAFFIC_RETENTION_MS),
        "max.message.bytes", Integer.toString(MAX_TRAFFIC_BYTES))));
  }

  private static void ensure(Admin admin, NewTopic topic) {
    try {
      Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      if (existing.contains(topic.name())) {
        return;
      }
      admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
      log.info("created topic {} {}", topic.name(), topic.configs());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create Kafka topic " + topic.name() + ": " + e.getCause(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within 60 s while checking topic " + topic.name()
          + "; is --kafka right and the broker up?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic.name(), e);
    }
  }
}
