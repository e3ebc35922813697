package dev.distillmesh.teacher.grpc;

import dev.distillmesh.common.AsyncReply;
import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.teacher.v1.GenerateRequest;
import dev.distillmesh.proto.teacher.v1.GenerateResponse;
import dev.distillmesh.proto.teacher.v1.InfoRequest;
import dev.distillmesh.proto.teacher.v1.InfoResponse;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import dev.distillmesh.proto.teacher.v1.ScoreResponse;
import dev.distillmesh.proto.teacher.v1.ScoreStreamRequest;
import dev.distillmesh.proto.teacher.v1.ScoreStreamResponse;
import dev.distillmesh.proto.teacher.v1.TeacherServiceGrpc;
import dev.distillmesh.teacher.Sampling;
import dev.distillmesh.teacher.ScoreKind;
import dev.distillmesh.teacher.Teacher;
import dev.distillmesh.teacher.TeacherLimits;
import dev.distillmesh.teacher.TeacherModel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * The teacher's rpcs on the wire: validation through {@link TeacherLimits}, the work on the
 * {@link Teacher} backend, every failure mapped by {@code GrpcErrors}. Score and Generate answer
 * asynchronously; StreamScores is {@link ScoreStream}.
 */
public final class TeacherGrpcService extends TeacherServiceGrpc.TeacherServiceImplBase {
  private final Teacher teacher;
  private final Scoring scoring;
  private final Duration maxRequestTime;
  private final int streamWindow;
  private final StreamStats streamStats = new StreamStats();

  /**
   * @param maxRequestTime longest a request may take, whatever deadline its client set
   * @param streamWindow requests one StreamScores call may have in flight
   */
  public TeacherGrpcService(Teacher teacher, Duration maxRequestTime, int streamWindow) {
    this.teacher = teacher;
    this.scoring = new Scoring(teacher);
    this.maxRequestTime = maxRequestTime;
    this.streamWindow = streamWindow;
  }

  public StreamStats streamStats() {
    return streamStats;
  }

  @Override
  public void score(ScoreRequest request, StreamObserver<ScoreResponse> responses) {
    CallDeadline deadline = Deadlines.fromGrpc(Deadlines.forCurrentCall(maxRequestTime));
    AsyncReply.reply(responses, () -> scoring.score(request, deadline), r -> r);
  }

  @Override
  public StreamObserver<ScoreStreamRequest> streamScores(StreamObserver<ScoreStreamResponse> responses) {
    return ScoreStream.start(responses, scoring, maxRequestTime, streamWindow, streamStats);
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> responses) {
    CallDeadline deadline = Deadlines.fromGrpc(Deadlines.forCurrentCall(maxRequestTime));
    AsyncReply.reply(responses, () -> {
      dev.distillmesh.proto.teacher.v1.Sampling s = request.getSampling();
      Sampling sampling = TeacherLimits.checkGenerate(request.getContextsList(), s.getN(), s.getTopK(),
          s.getTopP(), s.getTemperature(), s.getMinLength(), s.getMaxTokens(), s.getSeed());
      return teacher.generate(request.getContextsList(), sampling, deadline);
    }, generations -> {
      GenerateResponse.Builder b = GenerateResponse.newBuilder().setModel(teacher.generatorLabel());
      for (List<String> candidates : generations) {
        b.addGenerationsBuilder().addAllCandidates(candidates);
      }
      return b.build();
    });
  }

  @Override
  public void info(InfoRequest request, StreamObserver<InfoResponse> responses) {
    InfoResponse.Builder b = InfoResponse.newBuilder()
        .setBackend(teacher.backend())
        .setCanGenerate(teacher.canGenerate())
        .setStreamWindow(streamWindow);
    for (ScoreKind kind : new TreeSet<>(teacher.kinds())) {
      b.addKinds(TeacherProtos.kind(kind));
    }
    for (TeacherModel m : teacher.models()) {
      b.addModelsBuilder().setName(m.name()).setRole(m.role()).setWeight(m.weight()).setSource(m.source())
          .setReady(m.ready());
    }
    teacher.cacheStats().ifPresent(c -> b.setCacheEntries(c.entries()).setCacheHitRate(c.hitRate()));
    responses.onNext(b.build());
    responses.onCompleted();
  }
}
