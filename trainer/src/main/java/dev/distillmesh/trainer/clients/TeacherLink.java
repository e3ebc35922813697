package dev.distillmesh.trainer.clients;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.RemoteErrors;
import dev.distillmesh.proto.teacher.v1.GenerateRequest;
import dev.distillmesh.proto.teacher.v1.GenerateResponse;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.ItemScores;
import dev.distillmesh.proto.teacher.v1.Sampling;
import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamResponse;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's side of the teacher: one long-lived StreamScores stream, opened on first use and
 * again after it fails. {@link #score} returns a future per request; requests are sent as fast as
 * the stream's flow control allows (the rest wait here), answers complete their futures in any
 * order. When the stream breaks, every unanswered request fails with UNAVAILABLE naming the
 * teacher, and the caller decides whether to retry. Thread-safe.
 */
public final class TeacherLink {
  private final Channel channel;
  private final String target;
  private final Object lock = new Object();
  private Stream stream;
  private long nextId;

  public TeacherLink(Channel channel, String target) {
    this.channel = channel;
    this.target = target;
  }

  /** The teacher's Info (backend, kinds, whether it generates), with a deadline. */
  public TeacherInfo info() {
    try {
      var info = TeacherServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .info(InfoRequest.getDefaultInstance());
      return new TeacherInfo(info.getBackend(), info.getKindsList().stream().map(Enum::name).toList(),
          info.getCanGenerate());
    } catch (io.grpc.StatusRuntimeException e) {
      throw RemoteErrors.toDomain(peer(), e);
    }
  }

  /**
   * {@code n} responses sampled for each context (top-{@code topK} sampling, at least {@code
   * minLength} tokens, seeded), in order (the teacher's Generate, with a deadline).
   * FAILED_PRECONDITION when the teacher's backend cannot generate; UNAVAILABLE when it answers
   * for a different number of contexts than it was asked.
   */
  public Generations generate(List<String> contexts, int n, int topK, int minLength, long seed) {
    GenerateResponse g;
    try {
      g = TeacherServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.MINUTES)
          .generate(GenerateRequest.newBuilder().addAllContexts(contexts).setSampling(Sampling.newBuilder().setN(n)
              .setTopK(topK).setMinLength(minLength).setSeed(seed)).build());
    } catch (io.grpc.StatusRuntimeException e) {
      throw RemoteErrors.toDomain(peer(), e);
    }
    if (g.getGenerationsCount() != contexts.size()) {
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "the teacher answered " + g.getGenerationsCount()
          + " generations for " + contexts.size() + " contexts");
    }
    return new Generations(g.getModel(), g.getGenerationsList().stream().map(x -> (List<String>) x.getCandidatesList())
        .toList());
  }

  private String peer() {
    return "teacher-service (" + target + ")";
  }

  /** Scores of {@code candidates} for {@code context}, in order. */
  public CompletableFuture<float[]> score(ScoreKind kind, String context, List<String> candidates) {
    ScoreRequest request = ScoreRequest.newBuilder().setKind(kind.toProto())
        .addItems(ScoreItem.newBuilder().setContext(context).addAllCandidates(candidates)).build();
    CompletableFuture<float[]> result = new CompletableFuture<>();
    synchronized (lock) {
      if (stream == null || stream.broken) {
        stream = new Stream();
        TeacherServiceGrpc.newStub(channel).streamScores(stream);
      }
      long id = nextId++;
      stream.submit(ScoreStreamRequest.newBuilder().setRequestId(id).setScore(request).build(), result);
    }
    return result;
  }

  /** Ends the current stream (answers still owed fail). */
  public void close() {
    synchronized (lock) {
      if (stream != null) {
        stream.finish();
      }
    }
  }

  private final class Stream implements ClientResponseObserver<ScoreStreamRequest, ScoreStreamResponse> {
    private final Map<Long, CompletableFuture<float[]>> waiting = new HashMap<>();
    private final ArrayDeque<ScoreStreamRequest> unsent = new ArrayDeque<>();
    private ClientCallStreamObserver<ScoreStreamRequest> out;
    private volatile boolean broken;

    @Override
    public void beforeStart(ClientCallStreamObserver<ScoreStreamRequest> requestStream) {
      out = requestStream;
      requestStream.setOnReadyHandler(this::drain);
    }

    void submit(ScoreStreamRequest request, CompletableFuture<float[]> result) {
      synchronized (this) {
        // The call may have failed already (a teacher that is down fails a new stream at once, on
        // another thread): a request added now would wait for an answer that never comes.
        if (broken) {
          result.completeExceptionally(new DomainException(DomainException.Kind.UNAVAILABLE, peer()
              + " stream failed before the request was sent"));
          return;
        }
        waiting.put(request.getRequestId(), result);
        unsent.add(request);
      }
      drain();
    }

    private synchronized void drain() {
      while (!broken && !unsent.isEmpty() && out.isReady()) {
        out.onNext(unsent.poll());
      }
    }

    synchronized void finish() {
      if (!broken) {
        broken = true;
        out.onCompleted();
      }
      failAll(Status.CANCELLED.withDescription("the trainer closed its stream to the teacher").asRuntimeException());
    }

    @Override
    public void onNext(ScoreStreamResponse r) {
      CompletableFuture<float[]> f;
      synchronized (this) {
        f = waiting.remove(r.getRequestId());
      }
      if (f == null) {
        return;
      }
      if (r.hasError()) {
        // An error answered for one request is mapped as a failed call would be.
        f.completeExceptionally(RemoteErrors.toDomain(peer() + " refused a score request", Status
            .fromCodeValue(r.getError().getCode()).withDescription(r.getError().getMessage()).asRuntimeException()));
        return;
      }
      ItemScores s = r.getScores().getItems(0);
      float[] out = new float[s.getScoresCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = s.getScores(i);
      }
      f.complete(out);
    }

    @Override
    public void onError(Throwable t) {
      synchronized (this) {
        broken = true;
      }
      failAll(t);
    }

    @Override
    public void onCompleted() {
      synchronized (this) {
        broken = true;
      }
      failAll(Status.UNAVAILABLE.withDescription("the teacher ended the stream").asRuntimeException());
    }

    /** Fails every unanswered request with the stream's failure, mapped as every remote failure is. */
    private void failAll(Throwable failure) {
      Map<Long, CompletableFuture<float[]>> left;
      synchronized (this) {
        left = new HashMap<>(waiting);
        waiting.clear();
        unsent.clear();
      }
      for (CompletableFuture<float[]> f : left.values()) {
        f.completeExceptionally(RemoteErrors.toDomain(peer() + " stream", failure));
      }
    }
  }
}
