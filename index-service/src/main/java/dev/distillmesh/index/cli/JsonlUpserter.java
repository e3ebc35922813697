package dev.distillmesh.index.cli;

import com.google.gson.JsonObject;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
    IndexServiceGrpc.IndexServiceStub stub = IndexServiceGrpc.newStub(blocking.getChannel())
        .withCallCredentials(blocking.getCallOptions().getCredentials())
        .withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS);
    CompletableFuture<UpsertResponse> done = new CompletableFuture<>();
    StreamObserver<UpsertRequest> requests = stub.upsert(new StreamObserver<>() {
      @Override
      public void onNext(UpsertResponse value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    long lines = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      UpsertRequest.Builder batch = UpsertRequest.newBuilder().setCollection(collection);
      String line;
      while ((line = in.readLine()) != null && !done.isDone()) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        batch.addRecords(toRecord(IndexCli.parseLine(line), file, lines));
        if (batch.getRecordsCount() == batchSize) {
          awaitReady(requests, done);
          requests.onNext(batch.build());
          batch.clearRecords();
          out.print("\rsent " + lines + " records");
        }
      }
      if (batch.getRecordsCount() > 0) {
        requests.onNext(batch.build());
      }
      requests.onCompleted();
    } catch (IOException e) {
      requests.onError(e);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      requests.onError(e);
      throw new IllegalArgumentException(file + " line " + lines + ": " + e.getMessage(), e);
    }
    try {
      UpsertResponse r = done.get();
      out.println("\rupserted " + r.getUpserted() + " records (" + r.getReplaced()
          + " replaced), durable at sequence " + r.getLastSequence());
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Honours flow control: waits until the transport can take another batch. */
  private static void awaitReady(StreamObserver<UpsertRequest> requests, CompletableFuture<?> done) {
    ClientCallStreamObserver<UpsertRequest> call = (ClientCallStreamObserver<UpsertRequest>) requests;
    while (!call.isReady() && !done.isDone()) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
    }
  }

  private static Record toRecord(JsonObject o, Path file, long line) {
    if (!o.has("id") || !o.has("vector")) {
      throw new IllegalArgumentException("needs \"id\" and \"vector\"");
    }
    Payload.Builder payload = Payload.newBuilder();
    if (o.has("text")) {
      payload.setText(o.get("text").getAsString());
    }
    if (o.has("metadata")) {
      payload.setMetadataJson(o.get("metadata").toString());
    }
    return Record.newBuilder().setId(o.get("id").getAsString())
        .addAllVector(IndexCli.parseVector(o.getAsJsonArray("vector"))).setPayload(payload).build();
  }
}
