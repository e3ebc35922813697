package dev.distillmesh.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** What a Kafka topic holds now, read back from its start: the ground truth of the scale-out tests and drills. */
public final class TopicContents {
  private TopicContents() {}

  /** Every record of {@code topic} up to the end it has when called, partition by partition in offset order. */
  public static List<ConsumerRecord<String, byte[]>> read(KafkaConsumer<String, byte[]> c, String topic) {
    List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(60)).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    c.assign(partitions);
    c.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = c.endOffsets(partitions);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
      for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          out.add(r);
        }
      }
    }
    return out;
  }
}
