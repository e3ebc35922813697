package dev.distillmesh.index.cli;

import com.google.gson.JsonObject;
import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Streams a JSONL file of records into one Upsert call, with a progress line. */
final class JsonlUpserter {
  private final IndexServiceGrpc.IndexServiceBlockingStub blocking;
  private final long deadlineMs;
  private final PrintStream out;

  JsonlUpserter(IndexServiceGrpc.IndexServiceBlockingStub blocking, long deadlineMs, PrintStream out) {
    this.blocking = blocking;
    this.deadlineMs = deadlineMs;
    this.out = out;
  }

  void upsert(String collection, Path file, int batchSize) {
    ClientStream<UpsertRequest, UpsertResponse> stream = ClientStream.open(IndexServiceGrpc.newStub(blocking.getChannel())
        .withCallCredentials(blocking.getCallOptions().getCredentials())
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)::upsert);
    long lines = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      UpsertRequest.Builder batch = UpsertRequest.newBuilder().setCollection(collection);
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        batch.addRecords(toRecord(IndexCli.parseLine(line)));
        if (batch.getRecordsCount() == batchSize) {
          stream.send(batch.build());
          batch.clearRecords();
          out.print("\rsent " + lines + " records");
        }
      }
      if (batch.getRecordsCount() > 0) {
        stream.send(batch.build());
      }
      UpsertResponse r = stream.finish();
      out.println("\rupserted " + r.getUpserted() + " records (" + r.getReplaced()
          + " replaced), durable at sequence " + r.getLastSequence());
    } catch (StatusRuntimeException e) {
      throw e; // the server's answer, reported as is
    } catch (IOException e) {
      stream.cancel("cannot read " + file, e);
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      stream.cancel("interrupted", e);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (RuntimeException e) {
      stream.cancel("bad input line", e);
      throw new IllegalArgumentException(file + " line " + lines + ": " + e.getMessage(), e);
    }
  }

  private static Record toRecord(JsonObject o) {
    if (!o.has("id") || o.has("vector") == o.has("base_vector")) {
      throw new IllegalArgumentException("needs \"id\" and one of \"vector\" or \"base_vector\" (the latter for a"
          + " collection created with --keep-base-vectors)");
    }
    Payload.Builder payload = Payload.newBuilder();
    if (o.has("text")) {
      payload.setText(o.get("text").getAsString());
    }
    if (o.has("metadata")) {
      payload.setMetadataJson(o.get("metadata").toString());
    }
    Record.Builder r = Record.newBuilder().setId(o.get("id").getAsString()).setPayload(payload);
    if (o.has("vector")) {
      r.addAllVector(IndexCli.parseVector(o.getAsJsonArray("vector")));
    } else {
      r.addAllBaseVector(IndexCli.parseVector(o.getAsJsonArray("base_vector")));
    }
    return r.build();
  }
}
