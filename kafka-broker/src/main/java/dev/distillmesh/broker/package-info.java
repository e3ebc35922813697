/**
 * A real Apache Kafka broker for the single machine: {@link dev.distillmesh.broker.KafkaBroker}
 * formats, starts, kills and restarts one as a child JVM (for the tests and the benchmarks);
 * {@link dev.distillmesh.broker.BrokerMain} runs one in the foreground for {@code scripts/start.sh
 * --scale-out}. The broker's jars are this module's runtime dependencies, pinned with every Kafka
 * client of the mesh by the parent POM's {@code kafka.version}.
 */
package dev.distillmesh.broker;
