package dev.distillmesh.student.grpc;

import dev.distillmesh.common.AsyncReply;
import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.Futures;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.common.resilience.InFlightLimit;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.EncodeRequest;
import dev.distillmesh.proto.student.v1.EncodeResponse;
import dev.distillmesh.proto.student.v1.Embedding;
import dev.distillmesh.proto.student.v1.QueryResponse;
import dev.distillmesh.proto.student.v1.RespondRequest;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import dev.distillmesh.student.query.Retriever;
import dev.distillmesh.student.query.TrafficSink;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The query rpcs (Answer, Respond, Encode) on the wire: validate via the domain, answer
 * asynchronously when the encoder and the index have ({@link AsyncReply}), map every failure through
 * {@link dev.distillmesh.common.GrpcErrors#toStatus}. A call cancelled by its client leaves the
 * encoder queue. Answer and Respond queries are offered to the {@link TrafficSink} once their
 * response is ready, never when they fail or are cancelled.
 *
 * <p>Every call is admitted first into one {@link InFlightLimit} shared by the three rpcs: when it
 * is full the call is refused at once with RESOURCE_EXHAUSTED, before it is tokenized or queued.
 * An admitted call ends at its deadline (the client's, capped by {@code maxDeadline}) with
 * DEADLINE_EXCEEDED, and its texts still waiting for the encoder are dropped.
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
  private final TrafficSink traffic;
  private final InFlightLimit admission;

  /**
   * @param maxDeadline longest a request may take, whatever deadline its client set
   * @param traffic where answered queries are recorded for the trainer
   * @param admission how many query calls may be served at once
   */
  public StudentGrpcService(Retriever retriever, Duration maxDeadline, TrafficSink traffic,
      InFlightLimit admission) {
    this.retriever = retriever;
    this.maxDeadline = maxDeadline;
    this.traffic = traffic;
    this.admission = admission;
  }

  /**
   * Admits the call, then starts it under its deadline: it ends with DEADLINE_EXCEEDED when that
   * passes first. Read the deadline on the thread that received the request.
   */
  private <T, R> void serve(String rpc, StreamObserver<R> responses,
      Function<CallDeadline, CompletableFuture<T>> call, Function<T, R> toProto) {
    AsyncReply.reply(responses, () -> admission.admit(() -> {
      CallDeadline deadline = Deadlines.fromGrpc(Deadlines.forCurrentCall(maxDeadline));
      return Futures.within(call.apply(deadline), deadline, () -> new DomainException(
          DomainException.Kind.DEADLINE_EXCEEDED, rpc + " did not finish before its deadline (the client's, at most "
          + maxDeadline.toMillis() + " ms); work still queued for it was dropped"));
    }), toProto);
  }

  @Override
  public void answer(AnswerRequest request, StreamObserver<QueryResponse> responses) {
    serve("Answer", responses, deadline -> retriever.answer(request.getQuestion(), request.getK(),
        request.getCollection(), request.getEfSearch(), deadline), result -> {
          QueryResponse response = ProtoMapping.queryResponse(result);
          traffic.offerAnswer(request.getCollection(), request.getQuestion());
          return response;
        });
  }

  @Override
  public void respond(RespondRequest request, StreamObserver<QueryResponse> responses) {
    serve("Respond", responses, deadline -> retriever.respond(request.getTurnsList(), request.getK(),
        request.getCollection(), request.getEfSearch(), deadline), result -> {
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
    serve("Encode", responses, deadline -> retriever.encode(request.getTextsList(),
        ProtoMapping.tower(request.getTower()), request.getBase(), request.getCollection(), deadline), encoded -> {
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
