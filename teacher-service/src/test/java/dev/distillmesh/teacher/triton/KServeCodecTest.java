package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.teacher.Sampling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KServe messages of the model contracts, built and read without a server. */
class KServeCodecTest {
  private final KServeCodec codec = new KServeCodec("triton.test:8001");

  private static ModelInferResponse.InferOutputTensor output(String name, String datatype, long... shape) {
    ModelInferResponse.InferOutputTensor.Builder b = ModelInferResponse.InferOutputTensor.newBuilder()
        .setName(name).setDatatype(datatype);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  @Test
  void pairRequestCarriesContextsAndResponsesAsBytesColumns() {
    ModelInferRequest r = codec.pairs("scorer", List.of("c1", "c2"), List.of("r1", "r2"), "loglik_sum", "token_count");
    assertEquals("scorer", r.getModelName());
    assertEquals(List.of("context", "response"), r.getInputsList().stream().map(i -> i.getName()).toList());
    for (ModelInferRequest.InferInputTensor input : r.getInputsList()) {
      assertEquals("BYTES", input.getDatatype());
      assertEquals(List.of(2L, 1L), input.getShapeList());
    }
    assertEquals(List.of("c1", "c2"), TensorCodec.decodeBytes(r.getRawInputContents(0), 2));
    assertEquals(List.of("r1", "r2"), TensorCodec.decodeBytes(r.getRawInputContents(1), 2));
    assertEquals(List.of("loglik_sum", "token_count"), r.getOutputsList().stream().map(o -> o.getName()).toList());
  }

  @Test
  void generateRequestCarriesTheSamplingAsTypedParameters() {
    ModelInferRequest r = codec.generate("generator", "hello", new Sampling(3, 20, 0.9f, 0.7f, 2, 16, 42));
    assertEquals(List.of(1L), r.getInputs(0).getShapeList());
    assertEquals("text_input", r.getInputs(0).getName());
    assertEquals(List.of("hello"), TensorCodec.decodeBytes(r.getRawInputContents(0), 1));
    assertEquals(3, r.getParametersOrThrow("n").getInt64Param());
    assertEquals(42, r.getParametersOrThrow("seed").getInt64Param());
    assertEquals(0.9f, (float) r.getParametersOrThrow("top_p").getDoubleParam());
    assertEquals(16, r.getParametersOrThrow("max_tokens").getInt64Param());
  }

  @Test
  void outputsOfShapeNOrNBy1AreRead() {
    ModelInferResponse response = ModelInferResponse.newBuilder()
        .addOutputs(output("loglik_sum", "FP32", 2, 1)).addRawOutputContents(TensorCodec.encodeFp32(new float[] {-1f, -2f}))
        .addOutputs(output("token_count", "INT32", 2)).addRawOutputContents(TensorCodec.encodeInt32(new int[] {3, 4}))
        .addOutputs(output("text_output", "BYTES", 2)).addRawOutputContents(TensorCodec.encodeBytes(List.of("a", "b")))
        .build();
    assertArrayEquals(new float[] {-1f, -2f}, codec.fp32Output(response, "scorer", "loglik_sum", 2));
    assertArrayEquals(new int[] {3, 4}, codec.int32Output(response, "scorer", "token_count", 2));
    assertEquals(List.of("a", "b"), codec.bytesOutput(response, "generator", "text_output", 2));
  }

  @Test
  void responsesBreakingTheContractAreInternalNamingTritonTheModelAndTheFault() {
    ModelInferResponse wrongType = ModelInferResponse.newBuilder()
        .addOutputs(output("loglik_sum", "FP64", 1)).addRawOutputContents(TensorCodec.encodeInt64(new long[] {1}))
        .build();
    assertBroken("has datatype FP64, expected FP32", () -> codec.fp32Output(wrongType, "scorer", "loglik_sum", 1));

    ModelInferResponse wrongShape = ModelInferResponse.newBuilder()
        .addOutputs(output("loglik_sum", "FP32", 1, 2)).addRawOutputContents(TensorCodec.encodeFp32(new float[2]))
        .build();
    assertBroken("has shape [1, 2], expected [1] or [1, 1]",
        () -> codec.fp32Output(wrongShape, "scorer", "loglik_sum", 1));

    ModelInferResponse shortContents = ModelInferResponse.newBuilder()
        .addOutputs(output("loglik_sum", "FP32", 2)).addRawOutputContents(TensorCodec.encodeFp32(new float[1]))
        .build();
    assertBroken("output 'loglik_sum': FP32 contents of 4 bytes",
        () -> codec.fp32Output(shortContents, "scorer", "loglik_sum", 2));

    ModelInferResponse noContents = ModelInferResponse.newBuilder().addOutputs(output("loglik_sum", "FP32", 1)).build();
    assertBroken("has no raw_output_contents entry", () -> codec.fp32Output(noContents, "scorer", "loglik_sum", 1));

    assertBroken("output 'token_count' is missing (outputs: [loglik_sum])",
        () -> codec.int32Output(wrongType, "scorer", "token_count", 1));
  }

  private static void assertBroken(String fault, Runnable read) {
    DomainException e = assertThrows(DomainException.class, read::run);
    assertEquals(Kind.INTERNAL, e.kind());
    assertTrue(e.getMessage().startsWith("Triton at triton.test:8001, model 'scorer', broke the model contract: "),
        e.getMessage());
    assertTrue(e.getMessage().contains(fault), e.getMessage());
  }
}
