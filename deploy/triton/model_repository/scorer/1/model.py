"""Triton Python-backend scorer for the distillmesh teacher.

For each (context, response) pair it returns
  loglik_sum  FP32: sum over the response's tokens of log P(token | context, earlier response tokens)
  token_count INT32: the number of response tokens scored (at least 1)
computed with a Hugging Face causal language model. The response is scored as the continuation of
the context after one space; the sequence starts with the tokenizer's BOS token (or EOS when it has
none) so that the first response token is conditioned on something even for an empty context.
Texts are cut to their first max_context_tokens / max_response_tokens tokens.

Settings (config.pbtxt parameters, overridden by environment variables):
  hf_model             DISTILLMESH_SCORER_HF_MODEL   default Qwen/Qwen2.5-0.5B-Instruct
  max_context_tokens   DISTILLMESH_SCORER_MAX_CONTEXT_TOKENS   default 512
  max_response_tokens  DISTILLMESH_SCORER_MAX_RESPONSE_TOKENS  default 256
  micro_batch          DISTILLMESH_SCORER_MICRO_BATCH          default 8 (pairs per forward pass)
"""

import json
import os

import numpy as np
import torch
import triton_python_backend_utils as pb_utils
from transformers import AutoModelForCausalLM, AutoTokenizer


def setting(config, key, default):
    """The environment variable DISTILLMESH_SCORER_<KEY>, else the config parameter, else default."""
    env = os.environ.get("DISTILLMESH_SCORER_" + key.upper())
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
        name = setting(config, "hf_model", "Qwen/Qwen2.5-0.5B-Instruct")
        self.max_context = int(setting(config, "max_context_tokens", "512"))
        self.max_response = int(setting(config, "max_response_tokens", "256"))
        self.micro_batch = int(setting(config, "micro_batch", "8"))
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        self.tokenizer = AutoTokenizer.from_pretrained(name)
        self.model = AutoModelForCausalLM.from_pretrained(name, torch_dtype=dtype).to(self.device).eval()
        start = self.tokenizer.bos_token_id
        self.start_id = start if start is not None else self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.start_id

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                contexts = texts(request, "context")
                candidates = texts(request, "response")
                if len(contexts) != len(candidates):
                    raise ValueError(
                        f"context has {len(contexts)} elements but response has {len(candidates)}")
                sums, counts = self.score(contexts, candidates)
                outputs = [
                    pb_utils.Tensor("loglik_sum", np.asarray(sums, dtype=np.float32).reshape(-1, 1)),
                    pb_utils.Tensor("token_count", np.asarray(counts, dtype=np.int32).reshape(-1, 1)),
                ]
                responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
            except Exception as e:  # one bad request must not fail the others in the batch
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"scorer: {e}")))
        return responses

    def score(self, contexts, candidates):
        sums, counts = [], []
        for first in range(0, len(contexts), self.micro_batch):
            sequences, spans = [], []
            for context, response in zip(contexts[first:first + self.micro_batch],
                                         candidates[first:first + self.micro_batch]):
                context_ids = self.tokenizer(context, add_special_tokens=False)["input_ids"][:self.max_context]
                response_ids = self.tokenizer(" " + response, add_special_tokens=False)["input_ids"][:self.max_response]
                sequences.append([self.start_id] + context_ids + response_ids)
                spans.append((1 + len(context_ids), len(response_ids)))
            width = max(len(s) for s in sequences)
            input_ids = torch.full((len(sequences), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(sequences), width), dtype=torch.long)
            for i, s in enumerate(sequences):
                input_ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
                mask[i, :len(s)] = 1
            input_ids = input_ids.to(self.device)
            with torch.inference_mode():
                logits = self.model(input_ids=input_ids, attention_mask=mask.to(self.device)).logits.float()
                # position t predicts token t + 1
                predicted = logits[:, :-1]
                targets = input_ids[:, 1:].unsqueeze(-1)
                token_logp = predicted.gather(-1, targets).squeeze(-1) - torch.logsumexp(predicted, dim=-1)
            for i, (start, length) in enumerate(spans):
                sums.append(float(token_logp[i, start - 1:start - 1 + length].sum()))
                counts.append(length)
        return sums, counts
