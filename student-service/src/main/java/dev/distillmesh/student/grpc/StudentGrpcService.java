package dev.distillmesh.student.grpc;

import dev.distillmesh.common.AsyncReply;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.Embedding;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.student.query.Retriever;
import dev.distillmesh.student.query.TrafficRecorder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The query rpcs (Answer, Respond, Encode) on the wire: validate via the domain, answer
 * asynchronously when the encoder and the index have ({@link AsyncReply}), map every failure through
 * {@link dev.distillmesh.common.GrpcErrors#toStatus}. A call cancelled by its client leaves the
 * encoder queue. Answer and Respond queries are offered to the {@link TrafficRecorder} once their
 * response is ready, never when they fail or are cancelled.
 */
public final class StudentGrpcService extends StudentServiceGrpc.StudentServiceImplBase {
  /**
   * Methods that may run on the transport thread: they only validate, tokenize one short text and
   * queue it, never block, and save a thread hand-off each (see {@code ManagedServer}). Encode is
   * not among them: tokenizing up to 256 long texts would hold up the connection's other calls.
   */
  public static final Set<String> INLINE_METHODS = Set.of(
      StudentServiceGrpc.getAnswerMethod().getFullMethodName(),
      StudentServiceGrpc.getRespondMethod().getFullMethodName());

  private final Retriever retriever;
  private final Duration maxDeadline;
  private final TrafficRecorder traffic;

  /**
   * @param maxDeadline longest a request may take, whatever deadline its client set
   * @param traffic where answered queries are recorded for the trainer
   */
  public StudentGrpcService(Retriever retriever, Duration maxDeadline, TrafficRecorder traffic) {
    this.retriever = retriever;
    this.maxDeadline = maxDeadline;
    this.traffic = traffic;
  }

  @Override
  public void answer(AnswerRequest request, StreamObserver<QueryResponse> responses) {
    AsyncReply.reply(responses, () -> retriever.answer(request.getQuestion(), request.getK(), request.getCollection(),
        request.getEfSearch(), Deadlines.fromGrpc(Deadlines.forCurrentCall(maxDeadline))), result -> {
          QueryResponse response = ProtoMapping.queryResponse(result);
          traffic.offerAnswer(request.getCollection(), request.getQuestion());
          return response;
        });
  }

  @Override
  public void respond(RespondRequest request, StreamObserver<QueryResponse> responses) {
    AsyncReply.reply(responses, () -> retriever.respond(request.getTurnsList(), request.getK(), request.getCollection(),
        request.getEfSearch(), Deadlines.fromGrpc(Deadlines.forCurrentCall(maxDeadline))), result -> {
          QueryResponse response = ProtoMapping.queryResponse(result);
          traffic.offerRespond(request.getCollection(), turnsSeen(request.getTurnsList(), result.input().droppedTurns()));
          return response;
        });
  }

  /**
   * The turns the model read: without the oldest non-blank turns it dropped to fit. What the
   * trainer learns from is what the student encoded, and the recorded size stays bounded by the
   * model's maximum length instead of 64 turns of 16 KiB.
   */
  private static List<String> turnsSeen(List<String> turns, int dropped) {
    int skip = dropped;
    int from = 0;
    while (skip > 0 && from < turns.size()) {
      if (!turns.get(from).isBlank()) {
        skip--;
      }
      from++;
    }
    return turns.subList(from, turns.size());
  }

  @Override
  public void encode(EncodeRequest request, StreamObserver<EncodeResponse> responses) {
    AsyncReply.reply(responses, () -> retriever.encode(request.getTextsList(), ProtoMapping.tower(request.getTower()),
        request.getBase()), encoded -> {
          EncodeResponse.Builder b = EncodeResponse.newBuilder().setAdapterVersion(encoded.adapterVersion());
          for (int i = 0; i < encoded.vectors().size(); i++) {
            Embedding.Builder e = b.addEmbeddingsBuilder().setInput(ProtoMapping.input(encoded.inputs().get(i)));
            for (float v : encoded.vectors().get(i)) {
              e.addValues(v);
            }
          }
          return b.build();
        });
  }
}
