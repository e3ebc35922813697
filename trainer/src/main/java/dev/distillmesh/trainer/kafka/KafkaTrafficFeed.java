package dev.distillmesh.trainer.kafka;

import dev.distillmesh.common.kafka.MalformedRecordException;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.kafka.TrafficRecord;
import dev.distillmesh.common.metrics.Counter;
import dev.distillmesh.trainer.run.TrafficFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out mode's traffic for a TRAFFIC run: the traffic topic ({@link MeshTopics#TRAFFIC}), read
 * as consumer group {@code distillmesh-trainer.<collection>}, every partition assigned to this run.
 *
 * <p>Where reading starts: in each partition the run's journal holds queries of, just after the
 * last journaled offset (the journal, not the group, is the truth: it is written before training,
 * the group only at checkpoints); elsewhere at the group's committed offset (where the collection's
 * previous run stopped), or at the start of the topic's retention when the group has none. Offsets
 * are committed only to what a checkpoint covers, so a new run of the collection starts after the
 * traffic its previous runs trained on; a commit that fails (broker away) is logged and made good
 * by the next one.
 *
 * <p>Records of other collections are passed over; unreadable ones and blank queries are skipped
 * with their reason logged and counted ({@code distillmesh_trainer_traffic_skipped_total}). With
 * the broker away a take waits and returns nothing; reading resumes when it is back.
 */
public final class KafkaTrafficFeed implements TrafficFeed {
  private static final Logger log = LoggerFactory.getLogger(KafkaTrafficFeed.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration METADATA = Duration.ofSeconds(30);

  private final MeshLog meshLog;
  private final String runId;
  private final String collection;
  private final Counter skipped;
  private Map<Integer, Long> journaled = Map.of();
  private Map<Integer, Long> covered = Map.of();
  private KafkaConsumer<String, byte[]> consumer;

  /** @param skipped counts skipped records, labelled by reason */
  public KafkaTrafficFeed(MeshLog meshLog, String runId, String collection, Counter skipped) {
    this.meshLog = meshLog;
    this.runId = runId;
    this.collection = collection;
    this.skipped = skipped;
  }

  /** The consumer group a collection's TRAFFIC runs commit in. */
  public static String group(String collection) {
    return "distillmesh-trainer." + collection;
  }

  @Override
  public void resumeAfter(Map<Integer, Long> journaled) {
    this.journaled = Map.copyOf(journaled);
  }

  @Override
  public Taken take(int max) {
    if (consumer == null) {
      try {
        connect();
      } catch (KafkaException | IllegalStateException e) {
        log.warn("run {}: cannot read {} yet ({}); trying again", runId, MeshTopics.TRAFFIC, e.getMessage());
        return new Taken(List.of(), 0);
      }
    }
    List<Query> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
      if (!collection.equals(r.key())) {
        continue; // another collection's traffic
      }
      try {
        TrafficRecord t = TrafficRecord.decode(r.value());
        if (!t.collection().equals(collection)) {
          skip("foreign", r, "keyed " + r.key() + " but of collection " + t.collection());
        } else if (t.query().isBlank()) {
          skip("blank", r, "a blank query");
        } else {
          out.add(new Query(t.query(), r.partition(), r.offset()));
        }
      } catch (MalformedRecordException e) {
        skip(e.reason(), r, e.getMessage());
      }
    }
    return new Taken(out, 0);
  }

  private void connect() {
    try (Admin admin = meshLog.admin()) {
      MeshTopics.ensureTraffic(admin);
    }
    consumer = meshLog.groupReader("trainer-" + runId + "-traffic", group(collection), MeshTopics.MAX_TRAFFIC_BYTES);
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(MeshTopics.TRAFFIC, METADATA)
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      consumer.assign(partitions);
      for (TopicPartition tp : partitions) {
        Long last = journaled.get(tp.partition());
        if (last != null) {
          consumer.seek(tp, last + 1);
        }
      }
      log.info("run {} reads traffic of {} from {} ({} partitions; after its journal in {})", runId, collection,
          MeshTopics.TRAFFIC, partitions.size(), journaled.keySet());
    } catch (KafkaException | IllegalStateException e) {
      consumer.close(Duration.ofSeconds(5));
      consumer = null;
      throw e;
    }
  }

  private void skip(String reason, ConsumerRecord<String, byte[]> r, String why) {
    skipped.labels(reason).inc();
    log.warn("run {}: skipped traffic record {}-{}@{} ({}): {}", runId, r.topic(), r.partition(), r.offset(), reason,
        why);
  }

  @Override
  public void covered(Map<Integer, Long> lastTrained) {
    covered = Map.copyOf(lastTrained);
    if (consumer == null || lastTrained.isEmpty()) {
      return;
    }
    consumer.commitAsync(offsets(lastTrained), (offsets, e) -> {
      if (e != null) {
        log.warn("run {}: committing traffic offsets {} failed ({}); the next checkpoint commits again", runId,
            offsets, e.toString());
      }
    });
  }

  private static Map<TopicPartition, OffsetAndMetadata> offsets(Map<Integer, Long> lastTrained) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    lastTrained.forEach((p, o) -> out.put(new TopicPartition(MeshTopics.TRAFFIC, p), new OffsetAndMetadata(o + 1)));
    return out;
  }

  @Override
  public void close() {
    if (consumer != null) {
      try {
        if (!covered.isEmpty()) { // what the last checkpoint covers, not what was read past it
          consumer.commitSync(offsets(covered), Duration.ofSeconds(5));
        }
      } catch (KafkaException e) {
        log.warn("run {}: last traffic commit failed: {}", runId, e.toString());
      }
      consumer.close(Duration.ofSeconds(5));
      consumer = null;
    }
  }
}
