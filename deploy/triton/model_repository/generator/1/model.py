"""Triton Python-backend generator for the distillmesh teacher.

Input text_input BYTES [1] (the context); output text_output BYTES [n] (n sampled continuations,
the new text only). Sampling comes from the request parameters, read with request.parameters():
  n (int64, >= 1), top_k (int64, 0 = off), top_p (double), temperature (double),
  min_length (int64, new tokens before end-of-sequence is allowed), max_tokens (int64, most new
  tokens), seed (int64, 0 = random; the same seed gives the same candidates).
Missing parameters take the defaults below.

Settings (config.pbtxt parameters, overridden by environment variables):
  hf_model            DISTILLMESH_GENERATOR_HF_MODEL            default Qwen/Qwen2.5-0.5B-Instruct
  chat_template       DISTILLMESH_GENERATOR_CHAT_TEMPLATE       default true: wrap the context as a
                      user turn with the tokenizer's chat template when it has one
  max_context_tokens  DISTILLMESH_GENERATOR_MAX_CONTEXT_TOKENS  default 1024 (the context's first tokens)
"""

import json
import os

import numpy as np
import torch
import triton_python_backend_utils as pb_utils
from transformers import AutoModelForCausalLM, AutoTokenizer

DEFAULTS = {"n": 1, "top_k": 0, "top_p": 1.0, "temperature": 1.0, "min_length": 0, "max_tokens": 64, "seed": 0}


def setting(config, key, default):
    """The environment variable DISTILLMESH_GENERATOR_<KEY>, else the config parameter, else default."""
    env = os.environ.get("DISTILLMESH_GENERATOR_" + key.upper())
    if env:
        return env
    value = config.get("parameters", {}).get(key, {}).get("string_value")
    return value if value else default


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        name = setting(config, "hf_model", "Qwen/Qwen2.5-0.5B-Instruct")
        self.chat = setting(config, "chat_template", "true").lower() == "true"
        self.max_context = int(setting(config, "max_context_tokens", "1024"))
        self.device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        self.tokenizer = AutoTokenizer.from_pretrained(name)
        self.model = AutoModelForCausalLM.from_pretrained(name, torch_dtype=dtype).to(self.device).eval()
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else self.tokenizer.eos_token_id

    def execute(self, requests):
        responses = []
        for request in requests:
            try:
                responses.append(self.generate(request))
            except Exception as e:
                responses.append(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"generator: {e}")))
        return responses

    def generate(self, request):
        array = pb_utils.get_input_tensor_by_name(request, "text_input").as_numpy().reshape(-1)
        if array.size != 1:
            raise ValueError(f"text_input must hold 1 element, got {array.size}")
        context = array[0].decode("utf-8") if isinstance(array[0], bytes) else str(array[0])
        params = dict(DEFAULTS)
        params.update(json.loads(request.parameters() or "{}"))
        n = int(params["n"])
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")

        context_ids = self.tokenizer(context, add_special_tokens=False)["input_ids"][:self.max_context]
        if self.chat and self.tokenizer.chat_template:
            prompt = self.tokenizer.decode(context_ids)
            input_ids = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt")
        else:
            start = self.tokenizer.bos_token_id
            prefix = [start] if start is not None else []
            input_ids = torch.tensor([prefix + context_ids], dtype=torch.long)
        input_ids = input_ids.to(self.device)

        seed = int(params["seed"])
        if seed != 0:
            torch.manual_seed(seed)
        else:
            torch.seed()
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids,
                attention_mask=torch.ones_like(input_ids),
                do_sample=True,
                num_return_sequences=n,
                top_k=int(params["top_k"]),
                top_p=float(params["top_p"]),
                temperature=float(params["temperature"]),
                min_new_tokens=int(params["min_length"]),
                max_new_tokens=int(params["max_tokens"]),
                pad_token_id=self.pad_id,
            )
        new_tokens = output[:, input_ids.shape[1]:]
        candidates = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
        text = np.array([c.strip().encode("utf-8") for c in candidates], dtype=np.object_)
        return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("text_output", text)])
