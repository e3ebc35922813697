package dev.distillmesh.teacher.triton;

import com.google.protobuf.ByteString;
import dev.distillmesh.common.tls.ServerTls;
import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.proto.kserve.GRPCInferenceServiceGrpc;
import dev.distillmesh.proto.kserve.InferParameter;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.proto.kserve.ModelMetadataRequest;
import dev.distillmesh.proto.kserve.ModelMetadataResponse;
import dev.distillmesh.proto.kserve.ModelReadyRequest;
import dev.distillmesh.proto.kserve.ModelReadyResponse;
import dev.distillmesh.proto.kserve.ServerLiveRequest;
import dev.distillmesh.proto.kserve.ServerLiveResponse;
import dev.distillmesh.proto.kserve.ServerMetadataRequest;
import dev.distillmesh.proto.kserve.ServerMetadataResponse;
import dev.distillmesh.proto.kserve.ServerReadyRequest;
import dev.distillmesh.proto.kserve.ServerReadyResponse;
import io.grpc.Context;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test double standing in for NVIDIA Triton Inference Server, which cannot run here. It is a
 * real gRPC server on a loopback socket that implements {@code inference.GRPCInferenceService} and
 * speaks the KServe v2 protocol byte for byte: it reads inputs only from {@code raw_input_contents}
 * (BYTES elements as a 4-byte little-endian length and UTF-8 bytes, decoded here independently of
 * the code under test), writes outputs only to {@code raw_output_contents}, and answers ServerLive,
 * ServerReady, ModelReady, ServerMetadata and ModelMetadata, with NOT_FOUND for models it does not
 * serve.
 *
 * <p>Models, behind a deterministic toy language model whose numbers a test can work out by hand.
 * Text is split into tokens on whitespace; the probability of a token given the history (the
 * context's tokens, then the response's earlier tokens) is (1 + its count in the history) /
 * ({@value #VOCABULARY} + the history's length).
 * <ul>
 *   <li>{@code scorer}: loglik_sum = Σ ln P(token | history), token_count = the response's tokens.
 *   <li>{@code scorer_mismatch}: the scorer, but its metadata declares loglik_sum as FP64.
 *   <li>{@code selector}: probability = the share of the response's tokens found in the context.
 *   <li>{@code generator}: candidate i is {@code CONTEXT|n=N|k=TOP_K|p=TOP_P|t=TEMPERATURE|min=MIN|max=MAX|seed=SEED|i},
 *       from the request parameters; for the context {@code __big__} each candidate is 100 KiB.
 * </ul>
 *
 * <p>Magic contexts (in any pair): {@code __invalid__} answers INVALID_ARGUMENT, {@code __unavailable__}
 * UNAVAILABLE, {@code __slow__} waits until the call is cancelled or its deadline passes, and
 * {@code __bad_shape__} answers outputs with one element too many. The server, or single models,
 * can be made not ready; a scorer call can be held until released. Counts ModelInfer calls and
 * pairs per model and the largest request's size. Thread-safe. Other modules' tests use it through
 * this module's test jar.
 */
public final class FakeTritonServer implements AutoCloseable {
  static final double VOCABULARY = 10;
  static final int BIG_CANDIDATE_BYTES = 100 * 1024;

  private static final Set<String> MODELS = Set.of("scorer", "scorer_mismatch", "selector", "generator");

  /** A held scorer call: released by the test. */
  static final class Hold {
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    void awaitEntered() throws InterruptedException {
      if (!entered.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("the held scorer call never arrived");
      }
    }

    void release() {
      released.countDown();
    }
  }

  private final Server server;
  private volatile boolean serverReady = true;
  private final Set<String> notReady = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> pairs = new ConcurrentHashMap<>();
  private final AtomicReference<Hold> hold = new AtomicReference<>();
  private volatile Map<String, InferParameter> lastGeneratorParameters = Map.of();
  private final AtomicLong largestRequestBytes = new AtomicLong();

  public FakeTritonServer() throws IOException {
    this(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
  }

  /** A fake that serves over {@code tls}, on a socket built as the services build theirs. */
  public FakeTritonServer(ServerTls tls) throws IOException {
    this(Servers.forAddress("127.0.0.1", 0, tls, 0));
  }

  private FakeTritonServer(NettyServerBuilder builder) throws IOException {
    server = builder
        .maxInboundMessageSize(64 << 20)
        .addService(new Service())
        .build()
        .start();
  }

  public String target() {
    return "127.0.0.1:" + server.getPort();
  }

  void setServerReady(boolean ready) {
    serverReady = ready;
  }

  void setModelReady(String model, boolean ready) {
    if (ready) {
      notReady.remove(model);
    } else {
      notReady.add(model);
    }
  }

  /** Makes the next scorer ModelInfer wait until {@link Hold#release()}. */
  Hold holdNextScorerCall() {
    Hold h = new Hold();
    hold.set(h);
    return h;
  }

  public long calls(String model) {
    return calls.computeIfAbsent(model, m -> new AtomicLong()).get();
  }

  long pairs(String model) {
    return pairs.computeIfAbsent(model, m -> new AtomicLong()).get();
  }

  /** The serialized size of the largest ModelInfer request received. */
  long largestRequestBytes() {
    return largestRequestBytes.get();
  }

  Map<String, InferParameter> lastGeneratorParameters() {
    return lastGeneratorParameters;
  }

  @Override
  public void close() throws InterruptedException {
    Hold h = hold.getAndSet(null);
    if (h != null) {
      h.release();
    }
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  static List<String> tokens(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
  }

  private static double logLikSum(String context, String response) {
    List<String> history = new ArrayList<>(tokens(context));
    double sum = 0;
    for (String token : tokens(response)) {
      long count = history.stream().filter(token::equals).count();
      sum += Math.log((1 + count) / (VOCABULARY + history.size()));
      history.add(token);
    }
    return sum;
  }

  private static float probability(String context, String response) {
    List<String> r = tokens(response);
    if (r.isEmpty()) {
      return 0f;
    }
    Set<String> c = Set.copyOf(tokens(context));
    return (float) r.stream().filter(c::contains).count() / r.size();
  }

  private final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
      out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
      out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
      out.onNext(ServerReadyResponse.newBuilder().setReady(serverReady).build());
      out.onCompleted();
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
      out.onNext(ServerMetadataResponse.newBuilder().setName("fake-triton").setVersion("0").build());
      out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
      if (!MODELS.contains(request.getName())) {
        out.onError(unknown(request.getName()));
        return;
      }
      boolean ready = serverReady && !notReady.contains(request.getName());
      out.onNext(ModelReadyResponse.newBuilder().setReady(ready).build());
      out.onCompleted();
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
      String model = request.getName();
      if (!MODELS.contains(model)) {
        out.onError(unknown(model));
        return;
      }
      ModelMetadataResponse.Builder m = ModelMetadataResponse.newBuilder().setName(model).addVersions("1")
          .setPlatform("python");
      switch (model) {
        case "scorer", "scorer_mismatch" -> m.addInputs(tensor("context", "BYTES", -1, 1))
            .addInputs(tensor("response", "BYTES", -1, 1))
            .addOutputs(tensor("loglik_sum", model.equals("scorer") ? "FP32" : "FP64", -1, 1))
            .addOutputs(tensor("token_count", "INT32", -1, 1));
        case "selector" -> m.addInputs(tensor("context", "BYTES", -1, 1))
            .addInputs(tensor("response", "BYTES", -1, 1))
            .addOutputs(tensor("probability", "FP32", -1, 1));
        default -> m.addInputs(tensor("text_input", "BYTES", 1)).addOutputs(tensor("text_output", "BYTES", -1));
      }
      out.onNext(m.build());
      out.onCompleted();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
      String model = request.getModelName();
      if (!MODELS.contains(model)) {
        out.onError(unknown(model));
        return;
      }
      if (!serverReady || notReady.contains(model)) {
        out.onError(Status.UNAVAILABLE.withDescription("model '" + model + "' is not ready").asRuntimeException());
        return;
      }
      calls.computeIfAbsent(model, m -> new AtomicLong()).incrementAndGet();
      largestRequestBytes.accumulateAndGet(request.getSerializedSize(), Math::max);
      try {
        out.onNext(model.equals("generator") ? generate(request) : scorePairs(model, request));
        out.onCompleted();
      } catch (IllegalArgumentException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.onError(Status.CANCELLED.asRuntimeException());
      } catch (io.grpc.StatusRuntimeException e) {
        out.onError(e);
      }
    }

    private ModelInferResponse scorePairs(String model, ModelInferRequest request) throws InterruptedException {
      List<String> contexts = bytesInput(request, "context");
      List<String> responses = bytesInput(request, "response");
      if (contexts.size() != responses.size()) {
        throw new IllegalArgumentException("context has " + contexts.size() + " elements, response " + responses.size());
      }
      int n = contexts.size();
      pairs.computeIfAbsent(model, m -> new AtomicLong()).addAndGet(n);
      if (model.startsWith("scorer")) {
        Hold h = hold.getAndSet(null);
        if (h != null) {
          h.entered.countDown();
          h.released.await();
        }
      }
      magic(contexts);
      int rows = contexts.contains("__bad_shape__") ? n + 1 : n;
      ModelInferResponse.Builder r = ModelInferResponse.newBuilder().setModelName(model).setModelVersion("1");
      ByteBuffer first = le(rows * 4);
      if (model.equals("selector")) {
        for (int i = 0; i < rows; i++) {
          first.putFloat(probability(contexts.get(i % n), responses.get(i % n)));
        }
        addOutput(r, "probability", "FP32", rows, first);
      } else {
        ByteBuffer counts = le(rows * 4);
        for (int i = 0; i < rows; i++) {
          first.putFloat((float) logLikSum(contexts.get(i % n), responses.get(i % n)));
          counts.putInt(tokens(responses.get(i % n)).size());
        }
        addOutput(r, "loglik_sum", "FP32", rows, first);
        addOutput(r, "token_count", "INT32", rows, counts);
      }
      return r.build();
    }

    private ModelInferResponse generate(ModelInferRequest request) throws InterruptedException {
      List<String> input = bytesInput(request, "text_input");
      if (input.size() != 1) {
        throw new IllegalArgumentException("text_input must hold 1 element, got " + input.size());
      }
      magic(input);
      Map<String, InferParameter> p = request.getParametersMap();
      lastGeneratorParameters = Map.copyOf(p);
      int n = (int) p.getOrDefault("n", InferParameter.newBuilder().setInt64Param(1).build()).getInt64Param();
      String context = input.get(0);
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      for (int i = 0; i < n; i++) {
        String candidate = context.equals("__big__")
            ? "x".repeat(BIG_CANDIDATE_BYTES) + "|" + i
            : context + "|n=" + n + "|k=" + p.get("top_k").getInt64Param()
                + "|p=" + (float) p.get("top_p").getDoubleParam()
                + "|t=" + (float) p.get("temperature").getDoubleParam()
                + "|min=" + p.get("min_length").getInt64Param() + "|max=" + p.get("max_tokens").getInt64Param()
                + "|seed=" + p.get("seed").getInt64Param() + "|" + i;
        byte[] utf8 = candidate.getBytes(StandardCharsets.UTF_8);
        raw.writeBytes(le(4).putInt(utf8.length).array());
        raw.writeBytes(utf8);
      }
      return ModelInferResponse.newBuilder().setModelName("generator").setModelVersion("1")
          .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("text_output").setDatatype("BYTES")
              .addShape(n))
          .addRawOutputContents(ByteString.copyFrom(raw.toByteArray()))
          .build();
    }

    private void magic(List<String> contexts) throws InterruptedException {
      if (contexts.contains("__invalid__")) {
        throw new IllegalArgumentException("context '__invalid__' is not accepted by this model");
      }
      if (contexts.contains("__unavailable__")) {
        throw Status.UNAVAILABLE.withDescription("the model instance crashed").asRuntimeException();
      }
      if (contexts.contains("__slow__")) {
        CountDownLatch cancelled = new CountDownLatch(1);
        Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
        cancelled.await(60, TimeUnit.SECONDS);
        throw Status.DEADLINE_EXCEEDED.withDescription("too slow").asRuntimeException();
      }
    }
  }

  /**
   * Reads BYTES input {@code name} from raw_input_contents, checking it the way Triton does: raw
   * contents only, one entry per input, elements matching the shape, nothing left over.
   */
  private static List<String> bytesInput(ModelInferRequest request, String name) {
    if (request.getRawInputContentsCount() != request.getInputsCount()) {
      throw new IllegalArgumentException("expected " + request.getInputsCount() + " raw_input_contents entries, got "
          + request.getRawInputContentsCount());
    }
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      if (input.hasContents()) {
        throw new IllegalArgumentException("input '" + input.getName() + "' sets contents next to raw_input_contents");
      }
      if (!input.getName().equals(name)) {
        continue;
      }
      if (!input.getDatatype().equals("BYTES")) {
        throw new IllegalArgumentException("input '" + name + "' must be BYTES, got " + input.getDatatype());
      }
      long count = input.getShapeList().stream().reduce(1L, (a, b) -> a * b);
      ByteBuffer raw = request.getRawInputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      List<String> values = new ArrayList<>();
      for (long e = 0; e < count; e++) {
        if (raw.remaining() < 4) {
          throw new IllegalArgumentException("input '" + name + "': element " + e + " has no complete length prefix");
        }
        int length = raw.getInt();
        if (length < 0 || length > raw.remaining()) {
          throw new IllegalArgumentException("input '" + name + "': element " + e + " runs past the end");
        }
        byte[] utf8 = new byte[length];
        raw.get(utf8);
        values.add(new String(utf8, StandardCharsets.UTF_8));
      }
      if (raw.hasRemaining()) {
        throw new IllegalArgumentException("input '" + name + "': " + raw.remaining() + " bytes past the shape");
      }
      return values;
    }
    throw new IllegalArgumentException("input '" + name + "' is missing");
  }

  private static ByteBuffer le(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void addOutput(ModelInferResponse.Builder r, String name, String datatype, int rows, ByteBuffer data) {
    r.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(name).setDatatype(datatype)
        .addShape(rows).addShape(1));
    r.addRawOutputContents(ByteString.copyFrom(data.array()));
  }

  private static ModelMetadataResponse.TensorMetadata tensor(String name, String datatype, long... shape) {
    ModelMetadataResponse.TensorMetadata.Builder t = ModelMetadataResponse.TensorMetadata.newBuilder()
        .setName(name).setDatatype(datatype);
    for (long d : shape) {
      t.addShape(d);
    }
    return t.build();
  }

  private static io.grpc.StatusRuntimeException unknown(String model) {
    return Status.NOT_FOUND.withDescription("Request for unknown model: '" + model + "' is not found")
        .asRuntimeException();
  }
}
