"""Triton Python-backend selector for the distillmesh teacher.

For each (context, response) pair it returns probability FP32 in [0, 1]: how likely the response
coherently follows the context, from a BERT next-sentence-prediction head (the softmax probability of
"is next"). Pairs longer than the model's maximum length are cut, the longer text first.

Settings (config.pbtxt parameters, overridden by environment variables):
  hf_model     DISTILLMESH_SELECTOR_HF_MODEL     default bert-base-uncased
  micro_batch  DISTILLMESH_SELECTOR_MICRO_BATCH  default 32 (pairs per forward pass)
"""

import json
import os

import numpy as np
import torch
import triton_python_backend_utils as pb_utils
from transformers import AutoTokenizer, BertForNextSentencePrediction


def setting(config, key, default):
    """The environment variable DISTILLMESH_SELECTOR_<KEY>, else the config parameter, else default."""
    env = os.environ.get("DISTILLMESH_SELECTOR_" + key.upper())
    if env:
        return env
    value = config.get("parameters", {}).get(key, {}).get("string_value")
    return value if value else default


def texts(request, name):
    """A BYTES input of shape [N, 1] or [N] as a list of N str."""
    array = pb_utils.get_input_tensor_by_name(request, name).as_numpy().reshape(-1)
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in array]


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        name = setting(config, "hf_model", "bert-base-uncased")
        self.micro_batch = int(setting(config, "micro_batch", "32"))
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(name)
        self.model = BertForNextSentencePrediction.from_pretrained(name).to(self.device).eval()

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                contexts = texts(request, "context")
                candidates = texts(request, "response")
                if len(contexts) != len(candidates):
                    raise ValueError(
                        f"context has {len(contexts)} elements but response has {len(candidates)}")
                probabilities = self.select(contexts, candidates)
                output = pb_utils.Tensor("probability", np.asarray(probabilities, dtype=np.float32).reshape(-1, 1))
                responses.append(pb_utils.InferenceResponse(output_tensors=[output]))
            except Exception as e:  # one bad request must not fail the others in the batch
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"selector: {e}")))
        return responses

    def select(self, contexts, candidates):
        probabilities = []
        for first in range(0, len(contexts), self.micro_batch):
            encoded = self.tokenizer(contexts[first:first + self.micro_batch],
                                     candidates[first:first + self.micro_batch],
                                     padding=True, truncation="longest_first", max_length=512,
                                     return_tensors="pt").to(self.device)
            with torch.inference_mode():
                logits = self.model(**encoded).logits.float()
            # label 0 is "the second text follows the first"
            probabilities.extend(torch.softmax(logits, dim=-1)[:, 0].tolist())
        return probabilities
