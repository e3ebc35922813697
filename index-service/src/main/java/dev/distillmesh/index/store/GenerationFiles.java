package dev.distillmesh.index.store;

import dev.distillmesh.index.faiss.Metric;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Names and the config file of a generation directory. */
final class GenerationFiles {
  static final String CONFIG = "collection.properties";
  static final String WAL = "wal.log";
  static final long WAL_HEADER_BYTES = 8;

  private GenerationFiles() {}

  static void writeConfig(Path genDir, CollectionConfig config) throws IOException {
    Properties p = new Properties();
    p.setProperty("name", config.name());
    p.setProperty("dimension", Integer.toString(config.dimension()));
    p.setProperty("index_spec", config.spec().factory());
    p.setProperty("metric", config.metric().name());
    StringWriter out = new StringWriter();
    p.store(out, "distillmesh collection");
    Durable.writeAtomically(genDir.resolve(CONFIG), out.toString());
  }

  static CollectionConfig readConfig(Path genDir) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(genDir.resolve(CONFIG), StandardCharsets.UTF_8)) {
      p.load(in);
    }
    return new CollectionConfig(p.getProperty("name"), Integer.parseInt(p.getProperty("dimension")),
        IndexSpec.parse(p.getProperty("index_spec")), Metric.valueOf(p.getProperty("metric")));
  }
}
