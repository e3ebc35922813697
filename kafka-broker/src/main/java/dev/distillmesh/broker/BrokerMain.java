package dev.distillmesh.broker;

import java.nio.file.Path;

/**
 * Runs one broker in the foreground for {@code scripts/start.sh --scale-out}: {@code java -jar
 * kafka-broker.jar DIR LOG [PORT [CONTROLLER_PORT]]}. Prints {@code kafka
 * listening on 127.0.0.1:PORT} once the broker serves, stops it on SIGTERM, and exits with it.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 4) {
      System.err.println("usage: BrokerMain DATA_DIR LOG_FILE [PORT [CONTROLLER_PORT]] (default: any free port)");
      System.exit(2);
    }
    int port = args.length >= 3 ? Integer.parseInt(args[2]) : 0;
    int controllerPort = args.length == 4 ? Integer.parseInt(args[3]) : 0;
    KafkaBroker broker = KafkaBroker.start(Path.of(args[0]), Path.of(args[1]), "512m", port, controllerPort);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        broker.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "broker-stop"));
    System.out.println("kafka listening on " + broker.bootstrapServers());
    System.exit(broker.waitFor());
  }
}
