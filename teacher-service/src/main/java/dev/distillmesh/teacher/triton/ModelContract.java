package dev.distillmesh.teacher.triton;

import dev.distillmesh.proto.kserve.ModelMetadataResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors a Triton model must declare to play one role for {@link TritonTeacher}: the names
 * and datatypes of its inputs and outputs. Shapes are not compared, since Triton reports the batch
 * dimension differently depending on {@code max_batch_size}; the client checks the shapes of every
 * response instead. The full contracts, with shapes and meaning, are in {@link TritonTeacher}.
 *
 * @param role "scorer", "selector" or "generator"
 * @param inputs the required inputs
 * @param outputs the required outputs
 */
public record ModelContract(String role, List<Tensor> inputs, List<Tensor> outputs) {

  /** A declared tensor: its name and KServe datatype ("BYTES", "FP32", "INT32", ...). */
  public record Tensor(String name, String datatype) {}

  /** Inputs context, response (BYTES); outputs loglik_sum (FP32), token_count (INT32). */
  public static final ModelContract SCORER = new ModelContract("scorer",
      List.of(new Tensor("context", "BYTES"), new Tensor("response", "BYTES")),
      List.of(new Tensor("loglik_sum", "FP32"), new Tensor("token_count", "INT32")));

  /** Inputs context, response (BYTES); output probability (FP32). */
  public static final ModelContract SELECTOR = new ModelContract("selector",
      List.of(new Tensor("context", "BYTES"), new Tensor("response", "BYTES")),
      List.of(new Tensor("probability", "FP32")));

  /** Input text_input (BYTES); output text_output (BYTES). */
  public static final ModelContract GENERATOR = new ModelContract("generator",
      List.of(new Tensor("text_input", "BYTES")),
      List.of(new Tensor("text_output", "BYTES")));

  public ModelContract {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * What in {@code metadata} breaks this contract: missing tensors and wrong datatypes, one line
   * each; empty when the model conforms. Extra tensors are allowed.
   */
  public List<String> problems(ModelMetadataResponse metadata) {
    List<String> problems = new ArrayList<>();
    compare("input", inputs, metadata.getInputsList(), problems);
    compare("output", outputs, metadata.getOutputsList(), problems);
    return problems;
  }

  private static void compare(String what, List<Tensor> required, List<ModelMetadataResponse.TensorMetadata> declared,
      List<String> problems) {
    for (Tensor tensor : required) {
      ModelMetadataResponse.TensorMetadata match = declared.stream()
          .filter(d -> d.getName().equals(tensor.name())).findFirst().orElse(null);
      if (match == null) {
        problems.add(what + " '" + tensor.name() + "' (" + tensor.datatype() + ") is missing");
      } else if (!match.getDatatype().equals(tensor.datatype())) {
        problems.add(what + " '" + tensor.name() + "' is " + match.getDatatype() + ", expected " + tensor.datatype());
      }
    }
  }
}
