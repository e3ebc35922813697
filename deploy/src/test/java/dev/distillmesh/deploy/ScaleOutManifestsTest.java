package dev.distillmesh.deploy;

import static dev.distillmesh.deploy.Repo.at;
import static dev.distillmesh.deploy.Repo.listAt;
import static dev.distillmesh.deploy.Repo.stringAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Scale-out mode's manifests: the Strimzi Kafka of the scale-out overlay and the compose profile
 * run the Kafka version the mesh's clients are built with, create the topics the code names, let
 * only the trainer publish, and the student's autoscaler may add replicas.
 */
class ScaleOutManifestsTest {
  private static final String OVERLAY = "deploy/k8s/overlays/scale-out";

  private static Kustomization.Rendered scaleOut() {
    return Kustomization.render(Repo.path(OVERLAY));
  }

  private static String pinnedKafkaVersion() {
    Matcher m = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(Repo.read("pom.xml"));
    assertTrue(m.find(), "pom.xml: no kafka.version property");
    return m.group(1);
  }

  private static String topicConstant(String constant) {
    Matcher m = Pattern.compile(constant + "\\s*=\\s*\"([^\"]+)\"")
        .matcher(Repo.read("common/src/main/java/dev/distillmesh/common/kafka/MeshTopics.java"));
    assertTrue(m.find(), "MeshTopics: no " + constant);
    return m.group(1);
  }

  @Test
  void strimziRunsThePinnedKafkaInKraftModeWithThreeReplicas() {
    Kustomization.Rendered r = scaleOut();
    Map<String, Object> kafka = r.find("Kafka", "distillmesh-kafka").orElseThrow(() -> new AssertionError("no Kafka"));
    assertEquals("kafka.strimzi.io/v1beta2", kafka.get("apiVersion"));
    assertEquals(pinnedKafkaVersion(), stringAt(kafka, "spec.kafka.version"), "the broker runs the clients' version");
    assertEquals("enabled", Repo.mapAt(kafka, "metadata.annotations").get("strimzi.io/kraft"), "KRaft, no ZooKeeper");
    Map<String, Object> pool = r.ofKind("KafkaNodePool").get(0);
    assertEquals(3, at(pool, "spec.replicas"));
    assertEquals(2, Repo.mapAt(kafka, "spec.kafka.config").get("min.insync.replicas"));
  }

  @Test
  void theTopicsAreTheOnesTheCodeNames() {
    Kustomization.Rendered r = scaleOut();
    for (String constant : List.of("ADAPTERS", "ADAPTER_STATUS")) {
      String name = topicConstant(constant);
      Map<String, Object> topic = r.find("KafkaTopic", name).orElseThrow(() -> new AssertionError("no KafkaTopic " + name));
      assertEquals("compact", Repo.mapAt(topic, "spec.config").get("cleanup.policy"), name);
      assertEquals(3, at(topic, "spec.replicas"), name);
    }
    String traffic = topicConstant("TRAFFIC");
    Map<String, Object> topic = r.find("KafkaTopic", traffic).orElseThrow(() -> new AssertionError("no KafkaTopic "
        + traffic));
    assertEquals("delete", Repo.mapAt(topic, "spec.config").get("cleanup.policy"), "traffic expires, it is not compacted");
    assertEquals(3, at(topic, "spec.replicas"));
  }

  @Test
  void studentsWriteTrafficAndTheTrainerReadsItInItsGroup() {
    String traffic = topicConstant("TRAFFIC");
    Kustomization.Rendered r = scaleOut();
    assertTrue(operations(r, "distillmesh-student", traffic).contains("Write"));
    assertFalse(operations(r, "distillmesh-student", traffic).contains("Read"), "students need not read traffic");
    assertTrue(operations(r, "distillmesh-trainer", traffic).contains("Read"));
    assertFalse(operations(r, "distillmesh-trainer", traffic).contains("Write"));
    String group = "distillmesh-trainer.";
    assertTrue(Repo.read("trainer/src/main/java/dev/distillmesh/trainer/kafka/KafkaTrafficFeed.java")
        .contains("\"" + group + "\" + collection"), "the trainer's consumer groups are named " + group + "<collection>");
    assertTrue(operations(r, "distillmesh-trainer", group).contains("Read"), "the trainer may use its consumer groups");
  }

  /** The operations a KafkaUser's ACLs allow on the resource named {@code resource}. */
  private static List<Object> operations(Kustomization.Rendered r, String user, String resource) {
    Map<String, Object> u = r.find("KafkaUser", user).orElseThrow(() -> new AssertionError("no KafkaUser " + user));
    return listAt(u, "spec.authorization.acls").stream().filter(acl -> resource.equals(stringAt(acl, "resource.name")))
        .flatMap(acl -> listAt(acl, "operations").stream()).toList();
  }

  @Test
  void onlyTheTrainerMayWriteTheAdapterTopic() {
    String adapters = topicConstant("ADAPTERS");
    for (Map<String, Object> user : scaleOut().ofKind("KafkaUser")) {
      boolean writes = listAt(user, "spec.authorization.acls").stream()
          .filter(acl -> adapters.equals(stringAt(acl, "resource.name")))
          .anyMatch(acl -> listAt(acl, "operations").contains("Write"));
      String name = stringAt(user, "metadata.name");
      assertEquals(name.equals("distillmesh-trainer"), writes, name + " writes " + adapters);
    }
  }

  @Test
  void theStudentAndTrainerAreInScaleOutModeAndTheStudentMayScale() {
    Kustomization.Rendered r = scaleOut();
    for (String config : List.of("student-service-config", "trainer-config")) {
      String kafka = r.configMaps().get(config).get("DISTILLMESH_KAFKA");
      assertTrue(kafka != null && kafka.startsWith("distillmesh-kafka-kafka-bootstrap:"), config + ": " + kafka);
      assertTrue(r.configMaps().get(config).containsKey("DISTILLMESH_KAFKA_PROPERTIES"), config);
    }
    Map<String, Object> hpa = r.patches().stream()
        .filter(p -> "HorizontalPodAutoscaler".equals(p.get("kind")) && "student-service".equals(stringAt(p, "metadata.name")))
        .findFirst().orElseThrow(() -> new AssertionError("no student autoscaler patch"));
    assertTrue((Integer) at(hpa, "spec.maxReplicas") >= 3, "maxReplicas " + at(hpa, "spec.maxReplicas"));
    assertFalse(Kustomization.render(Repo.path("deploy/k8s/overlays/embedded")).configMaps().get("student-service-config")
        .containsKey("DISTILLMESH_KAFKA"), "the default overlay needs no broker");
  }

  @Test
  void composesKafkaIsThePinnedVersionInItsOwnProfile() {
    Map<String, Object> kafka = Repo.map(at(Repo.yaml(Repo.path("deploy/compose.yaml")), "services.kafka"), "kafka");
    assertEquals("apache/kafka:" + pinnedKafkaVersion(), kafka.get("image"));
    assertEquals(List.of("scale-out"), kafka.get("profiles"));
    assertEquals("1", stringAt(kafka, "environment.KAFKA_LOG_FLUSH_INTERVAL_MESSAGES"), "one broker: fsync each write");
  }
}
