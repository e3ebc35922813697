package dev.distillmesh.teacher.triton;

import com.google.protobuf.ByteString;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.DomainException.Kind;
import dev.distillmesh.proto.kserve.InferParameter;
import dev.distillmesh.proto.kserve.ModelInferRequest;
import dev.distillmesh.proto.kserve.ModelInferResponse;
import dev.distillmesh.teacher.Sampling;
import java.util.List;

/**
 * The KServe v2 messages of the Triton teacher's model contracts ({@link TritonTeacher} states
 * them in full), both ways: the ModelInfer requests for the pair models (scorer, selector) and the
 * generator, and the outputs read from their answers. Tensor contents go raw, through
 * {@link TensorCodec}.
 *
 * <p>The output readers accept shape [N] as well as [N, 1] and turn a response that breaks the
 * contract (missing output, wrong datatype, shape or element count, malformed contents) into
 * INTERNAL naming Triton's address, the model and what was wrong ({@link #broken}). Immutable and
 * thread-safe.
 */
final class KServeCodec {
  private final String target;

  /** @param target Triton's address, named in the errors */
  KServeCodec(String target) {
    this.target = target;
  }

  /**
   * One ModelInfer for a pair model: inputs {@code context} and {@code response}, BYTES [N, 1],
   * asking for {@code outputs}.
   */
  ModelInferRequest pairs(String model, List<String> contexts, List<String> responses, String... outputs) {
    List<Long> shape = List.of((long) contexts.size(), 1L);
    ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(bytesInput("context", shape))
        .addInputs(bytesInput("response", shape))
        .addRawInputContents(TensorCodec.encodeBytes(contexts))
        .addRawInputContents(TensorCodec.encodeBytes(responses));
    for (String output : outputs) {
      request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(output));
    }
    return request.build();
  }

  /**
   * One ModelInfer for the generator: input {@code text_input} BYTES [1], output {@code
   * text_output}, the sampling as request parameters ({@code n}, {@code top_k}, {@code min_length},
   * {@code max_tokens} and {@code seed} as int64, since Triton rejects uint64 custom parameters;
   * {@code top_p} and {@code temperature} as double).
   */
  ModelInferRequest generate(String model, String context, Sampling s) {
    return ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(bytesInput("text_input", List.of(1L)))
        .addRawInputContents(TensorCodec.encodeBytes(List.of(context)))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("text_output"))
        .putParameters("n", int64(s.n()))
        .putParameters("top_k", int64(s.topK()))
        .putParameters("top_p", InferParameter.newBuilder().setDoubleParam(s.topP()).build())
        .putParameters("temperature", InferParameter.newBuilder().setDoubleParam(s.temperature()).build())
        .putParameters("min_length", int64(s.minLength()))
        .putParameters("max_tokens", int64(s.maxTokens()))
        .putParameters("seed", int64(s.seed()))
        .build();
  }

  /**
   * Reads FP32 output {@code name} holding {@code count} elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  float[] fp32Output(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "FP32", count);
    try {
      return TensorCodec.decodeFp32(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Reads INT32 output {@code name} holding {@code count} elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  int[] int32Output(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "INT32", count);
    try {
      return TensorCodec.decodeInt32(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /**
   * Reads BYTES output {@code name} holding {@code count} UTF-8 elements.
   *
   * @throws DomainException INTERNAL if the response breaks that contract
   */
  List<String> bytesOutput(ModelInferResponse response, String model, String name, int count) {
    ByteString raw = rawOutput(response, model, name, "BYTES", count);
    try {
      return TensorCodec.decodeBytes(raw, count);
    } catch (IllegalArgumentException e) {
      throw broken(model, "output '" + name + "': " + e.getMessage());
    }
  }

  /** INTERNAL: the model answered but broke its contract. */
  DomainException broken(String model, String what) {
    return new DomainException(Kind.INTERNAL, "Triton at " + target + ", model '" + model
        + "', broke the model contract: " + what);
  }

  private ByteString rawOutput(ModelInferResponse response, String model, String name, String datatype, int count) {
    for (int i = 0; i < response.getOutputsCount(); i++) {
      ModelInferResponse.InferOutputTensor output = response.getOutputs(i);
      if (!output.getName().equals(name)) {
        continue;
      }
      if (!output.getDatatype().equals(datatype)) {
        throw broken(model, "output '" + name + "' has datatype " + output.getDatatype() + ", expected " + datatype);
      }
      List<Long> shape = output.getShapeList();
      boolean shapeOk;
      try {
        shapeOk = (shape.size() == 1 || shape.size() == 2) && shape.get(0) == count
            && TensorCodec.elementCount(shape) == count;
      } catch (IllegalArgumentException e) {
        shapeOk = false;
      }
      if (!shapeOk) {
        throw broken(model, "output '" + name + "' has shape " + shape + ", expected [" + count + "] or ["
            + count + ", 1]");
      }
      if (i >= response.getRawOutputContentsCount()) {
        throw broken(model, "output '" + name + "' has no raw_output_contents entry ("
            + response.getRawOutputContentsCount() + " entries for " + response.getOutputsCount() + " outputs)");
      }
      return response.getRawOutputContents(i);
    }
    throw broken(model, "output '" + name + "' is missing (outputs: "
        + response.getOutputsList().stream().map(ModelInferResponse.InferOutputTensor::getName).toList() + ")");
  }

  private static InferParameter int64(long value) {
    return InferParameter.newBuilder().setInt64Param(value).build();
  }

  private static ModelInferRequest.InferInputTensor bytesInput(String name, List<Long> shape) {
    return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype("BYTES").addAllShape(shape)
        .build();
  }
}
