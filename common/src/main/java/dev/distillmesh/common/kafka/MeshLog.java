package dev.distillmesh.common.kafka;

import dev.distillmesh.common.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The mesh's log in scale-out mode: where the Kafka cluster is and how to authenticate to it, and
 * the one place its clients are configured. Absent ({@link #from} returns null) in the default
 * single-machine mode, which needs no broker.
 *
 * <p>The properties file holds the client's security settings (e.g. {@code security.protocol=SASL_SSL},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.location}) and is passed
 * to every client this process makes; the settings that make the mesh's guarantees (acks, idempotence,
 * serializers, offsets) are set here and override the file's.
 */
public final class MeshLog {
  public static final String FLAG = "kafka";
  public static final String ENV = "DISTILLMESH_KAFKA";
  public static final String PROPERTIES_FLAG = "kafka-properties";
  public static final String PROPERTIES_ENV = "DISTILLMESH_KAFKA_PROPERTIES";

  /** Usage lines for the two settings. */
  public static final String USAGE = """
      Scale-out mode (Apache Kafka as the mesh's log; off unless --kafka is set):
        --kafka HOST:PORT[,HOST:PORT]  bootstrap servers                 (env %s)
        --kafka-properties FILE  Kafka client settings for security (SASL, TLS) (env %s)
      """.formatted(ENV, PROPERTIES_ENV);

  private final String bootstrapServers;
  private final Properties security;

  public MeshLog(String bootstrapServers, Properties security) {
    this.bootstrapServers = bootstrapServers;
    this.security = security;
  }

  /**
   * The log the settings name, or null when {@code --kafka} is not set. The properties file is
   * read now, so a wrong path fails at start naming the setting.
   */
  public static MeshLog from(Settings s) {
    String servers = s.string(FLAG, ENV, "").strip();
    String file = s.string(PROPERTIES_FLAG, PROPERTIES_ENV, "").strip();
    if (servers.isEmpty()) {
      if (!file.isEmpty()) {
        throw new IllegalArgumentException("--" + PROPERTIES_FLAG + " (" + PROPERTIES_ENV + ") is set but --" + FLAG
            + " (" + ENV + ") is not: name the Kafka bootstrap servers to use scale-out mode");
      }
      return null;
    }
    Properties security = new Properties();
    if (!file.isEmpty()) {
      try (Reader in = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        security.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException("--" + PROPERTIES_FLAG + " (" + PROPERTIES_ENV + "): cannot read " + file
            + ": " + e.getMessage(), e);
      }
    }
    return new MeshLog(servers, security);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** An admin client (topic creation). */
  public Admin admin() {
    return Admin.create(base("admin"));
  }

  /**
   * A producer that loses nothing it acknowledges: {@code acks=all}, idempotent (no duplicates on
   * retry, order kept per partition).
   *
   * @param deliveryTimeoutMs how long a send may be retried before it fails
   */
  public KafkaProducer<String, byte[]> producer(String clientId, int maxRequestBytes, int deliveryTimeoutMs) {
    return producer(clientId, maxRequestBytes, deliveryTimeoutMs, 60_000);
  }

  /**
   * As {@link #producer(String, int, int)}, with a bound on how long {@code send} may block (on
   * metadata, or on a full send buffer) before it fails: short for a producer that must never hold
   * its caller up while the broker is away.
   */
  public KafkaProducer<String, byte[]> producer(String clientId, int maxRequestBytes, int deliveryTimeoutMs,
      int maxBlockMs) {
    Properties p = base(clientId);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlockMs);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRequestBytes);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, deliveryTimeoutMs));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(p);
  }

  /**
   * A consumer with no group and no committed offsets: the caller assigns partitions and seeks
   * (every replica reads a whole topic).
   */
  public KafkaConsumer<String, byte[]> reader(String clientId, int maxFetchBytes) {
    Properties p = base(clientId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxFetchBytes);
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Math.max(maxFetchBytes, 52_428_800));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  /**
   * A consumer in group {@code groupId} that commits only when told ({@code enable.auto.commit=false})
   * and starts from the earliest record where the group has committed nothing. The caller assigns
   * partitions itself and uses the group for its committed offsets only.
   */
  public KafkaConsumer<String, byte[]> groupReader(String clientId, String groupId, int maxFetchBytes) {
    Properties p = base(clientId);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxFetchBytes);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(p);
  }

  private Properties base(String clientId) {
    Properties p = new Properties();
    p.putAll(security);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  @Override
  public String toString() {
    return "kafka " + bootstrapServers + (security.isEmpty() ? "" : " (with " + security.size() + " client settings)");
  }
}
