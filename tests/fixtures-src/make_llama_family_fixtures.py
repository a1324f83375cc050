"""Independent float64 PyTorch reference for the Llama family, written for this project (not the transformers code).

Writes tiny random Hugging Face folders (config.json, model.safetensors) and an expected.json in the schema of
../../shared/fixtures/hf (input_ids, attention_mask, logits at every real position, greedy continuations of each
prompt alone, the left-padded batch with the position ids generate() passes). Run with Debian's python3-torch:

    /usr/bin/python3 tests/fixtures-src/make_llama_family_fixtures.py tests/Ippo.MLNet.Tests/Fixtures/hf

The tests never run it; they read what it wrote.
"""
import json
import math
import os
import struct
import sys

import torch

D = torch.float64


def rms_norm(x, weight, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * weight


def inverse_frequencies(cfg):
    head = cfg["head_dim"]
    freqs = [cfg["rope_theta"] ** (-(2.0 * i) / head) for i in range(head // 2)]
    scaling = cfg.get("rope_scaling")
    if not scaling:
        return torch.tensor(freqs, dtype=D)
    assert scaling["rope_type"] == "llama3"
    out = []
    original = scaling["original_max_position_embeddings"]
    low, high, factor = scaling["low_freq_factor"], scaling["high_freq_factor"], scaling["factor"]
    for f in freqs:
        wave = 2 * math.pi / f
        if wave < original / high:
            out.append(f)
        elif wave > original / low:
            out.append(f / factor)
        else:
            s = (original / wave - low) / (high - low)
            out.append((1 - s) * f / factor + s * f)
    return torch.tensor(out, dtype=D)


def rotate(x, positions, inv):
    # x [b, h, t, d]; pairs (i, i + d/2) turn by position * inv[i]
    angle = positions.to(D)[:, None, :, None] * inv[None, None, None, :]
    c, s = torch.cos(angle), torch.sin(angle)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)


def forward(cfg, w, ids, mask, positions):
    """ids, mask, positions [b, t] -> logits [b, t, vocab] in float64."""
    b, t = ids.shape
    heads, kv, head = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    inv = inverse_frequencies(cfg)
    q_idx = torch.arange(t)[:, None]
    k_idx = torch.arange(t)[None, :]
    allowed = (k_idx <= q_idx)[None, :, :] & mask.bool()[:, None, :]
    if cfg.get("sliding_window"):
        allowed = allowed & (k_idx > q_idx - cfg["sliding_window"])[None]
    allowed = allowed | (k_idx == q_idx)[None]
    x = w["model.embed_tokens.weight"][ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name, n):
            y = h @ w[p + "self_attn.%s.weight" % name].T
            if p + "self_attn.%s.bias" % name in w:
                y = y + w[p + "self_attn.%s.bias" % name]
            y = y.view(b, t, n, head)
            norm = p + "self_attn.%s_norm.weight" % name[0]
            if name in ("q_proj", "k_proj") and norm in w:
                y = rms_norm(y, w[norm], eps)
            return y.transpose(1, 2)

        q, k, v = proj("q_proj", heads), proj("k_proj", kv), proj("v_proj", kv)
        q, k = rotate(q, positions, inv), rotate(k, positions, inv)
        group = heads // kv
        k = torch.stack([k[:, j // group] for j in range(heads)], dim=1)
        v = torch.stack([v[:, j // group] for j in range(heads)], dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(head)
        scores = scores.masked_fill(~allowed[:, None], float("-inf"))
        att = torch.softmax(scores, dim=-1) @ v
        att = att.transpose(1, 2).reshape(b, t, heads * head) @ w[p + "self_attn.o_proj.weight"].T
        x = x + att
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (gate * torch.sigmoid(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head_w = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return x @ head_w.T


def make_weights(cfg, gen, stored):
    hid, heads, kv, head = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    inter, vocab = cfg["intermediate_size"], cfg["vocab_size"]
    qkv_bias = cfg["model_type"] == "qwen2"

    def normal(shape, std):
        return torch.randn(shape, generator=gen, dtype=D) * std

    w = {"model.embed_tokens.weight": normal((vocab, hid), 0.3)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        w[p + "input_layernorm.weight"] = 1 + normal((hid,), 0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + normal((hid,), 0.1)
        for name, rows in (("q_proj", heads * head), ("k_proj", kv * head), ("v_proj", kv * head)):
            w[p + "self_attn.%s.weight" % name] = normal((rows, hid), 0.16)
            if qkv_bias:
                w[p + "self_attn.%s.bias" % name] = normal((rows,), 0.1)
        w[p + "self_attn.o_proj.weight"] = normal((hid, heads * head), 0.16)
        if cfg["model_type"] == "qwen3":
            w[p + "self_attn.q_norm.weight"] = 1 + normal((head,), 0.1)
            w[p + "self_attn.k_norm.weight"] = 1 + normal((head,), 0.1)
        w[p + "mlp.gate_proj.weight"] = normal((inter, hid), 0.16)
        w[p + "mlp.up_proj.weight"] = normal((inter, hid), 0.16)
        w[p + "mlp.down_proj.weight"] = normal((hid, inter), 0.16)
    w["model.norm.weight"] = 1 + normal((hid,), 0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = normal((vocab, hid), 0.3)
    # The reference computes with exactly the values the file stores.
    return {k: v.to(stored).to(D) for k, v in w.items()}


def write_safetensors(path, weights, stored):
    names = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(weights):
        t = weights[name].to(stored).contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if stored == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": names[stored], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def greedy(cfg, w, prompt, steps):
    ids, gaps = list(prompt), []
    for _ in range(steps):
        t = torch.tensor([ids])
        logits = forward(cfg, w, t, torch.ones_like(t), torch.arange(len(ids))[None])[0, -1]
        top = torch.topk(logits, 2).values
        gaps.append(float(top[0] - top[1]))
        ids.append(int(torch.argmax(logits)))
    return ids[len(prompt):], min(gaps)


def build(out, name, cfg, seed, stored):
    gen = torch.Generator().manual_seed(seed)
    w = make_weights(cfg, gen, stored)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    config = dict(cfg, torch_dtype={torch.float32: "float32", torch.bfloat16: "bfloat16"}[stored], hidden_act="silu")
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    write_safetensors(os.path.join(folder, "model.safetensors"), w, stored)

    prompt_gen = torch.Generator().manual_seed(seed * 1000)
    lengths = [11, 6]
    prompts = [torch.randint(3, cfg["vocab_size"], (n,), generator=prompt_gen).tolist() for n in lengths]
    pad = cfg["eos_token_id"] if isinstance(cfg["eos_token_id"], int) else cfg["eos_token_id"][0]
    longest = max(lengths)
    right_ids = torch.tensor([p + [pad] * (longest - len(p)) for p in prompts])
    right_mask = torch.tensor([[1] * len(p) + [0] * (longest - len(p)) for p in prompts])
    logits = forward(cfg, w, right_ids, right_mask, torch.arange(longest).expand(2, longest))
    left_ids = torch.tensor([[pad] * (longest - len(p)) + p for p in prompts])
    left_mask = torch.tensor([[0] * (longest - len(p)) + [1] * len(p) for p in prompts])
    left_pos = (left_mask.cumsum(-1) - 1).masked_fill(left_mask == 0, 1)
    left_logits = forward(cfg, w, left_ids, left_mask, left_pos)
    real = [[logits[b, t].tolist() for t in range(n)] for b, n in enumerate(lengths)]
    left_gap = max(float((left_logits[b, longest - n:] - logits[b, :n]).abs().max()) for b, n in enumerate(lengths))
    continuations = [greedy(cfg, w, p, 8) for p in prompts]
    expected = {
        "fixture": name,
        "what": "independent float64 reference (tests/fixtures-src/make_llama_family_fixtures.py)",
        "model_type": cfg["model_type"],
        "stored_dtype": config["torch_dtype"],
        "input_ids": right_ids.tolist(),
        "attention_mask": right_mask.tolist(),
        "lengths": lengths,
        "logits": real,
        "greedy": {"prompts": prompts, "new_tokens": [c[0] for c in continuations], "max_new_tokens": 8,
                   "min_top2_logit_gap": min(c[1] for c in continuations), "stop_at_eos": False, "each_sequence_alone": True},
        "left_padded": {"input_ids": left_ids.tolist(), "attention_mask": left_mask.tolist(), "position_ids": left_pos.tolist()},
        "checks": {"left_padded_vs_right_padded_max_abs": left_gap, "logit_std": float(logits.std())},
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f)
    print(name, "min top-2 gap", expected["greedy"]["min_top2_logit_gap"], "left/right", left_gap, "logit std", float(logits.std()))


def base(model_type, **extra):
    cfg = {"model_type": model_type, "vocab_size": 97, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
           "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 64,
           "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": False, "bos_token_id": 1, "eos_token_id": 2}
    cfg.update(extra)
    return cfg


if __name__ == "__main__":
    out = sys.argv[1]
    build(out, "qwen2-bias", base("qwen2", tie_word_embeddings=True, rope_theta=1000000.0, eos_token_id=[2, 3]), 21, torch.float32)
    build(out, "qwen3-qknorm-bf16", base("qwen3", head_dim=24, attention_bias=False), 27, torch.bfloat16)
    build(out, "llama3-rope", base("llama", rope_theta=500000.0, rope_scaling={
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 32}), 23, torch.float32)
    build(out, "mistral-window", base("mistral", sliding_window=5), 24, torch.float32)
