"""The GPU check's PyTorch side: for every case check.mjs wrote (LSTM and GRU at 64x100x64x256 and
256x512x512x1024), nn.LSTM / nn.GRU on the GPU (cuDNN, TF32 off) with the same weights and inputs (the bench's
contender maps Keras' layouts to PyTorch's), compares seqmodel-cuda's forward output (within 1e-4), loss and
gradients, and times PyTorch's forward and SGD training step as check.mjs timed seqmodel's. Prints one line per case
and exits 1 when an output is off.

    python3 compare.py <dir> <path to apps/bench/torch>
"""
import glob
import json
import os
import sys
import time

import torch


def main():
    directory, contender_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, contender_dir)
    from contender import build, read_arrays  # noqa: E402  (the bench's weight mapping)

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    device = torch.device("cuda")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}")
    failures = 0
    for spec_file in sorted(glob.glob(os.path.join(directory, "*.json"))):
        spec = json.load(open(spec_file))
        a = read_arrays(spec)
        r = read_arrays({"dataFile": spec["resultFile"], "arrays": spec["results"]})
        model = build(spec, a).to(device)
        x, target = a["inputs"].to(device), a["target"].to(device)
        batch, units = spec["size"]["batch"], spec["size"]["units"]

        def forward():
            with torch.no_grad():
                y, _ = model(x)
            return y[:, -1]

        def loss_of():
            y, _ = model(x)
            return ((y[:, -1] - target) ** 2).sum() / (batch * units)

        out = forward().cpu()
        out_diff = (out - r["output"]).abs().max().item()
        model.zero_grad(set_to_none=True)
        loss = loss_of()
        loss.backward()
        # Gradients in Keras' layout, for the comparison with seqmodel's.
        if spec["cell"] == "lstm":
            d_kernel, d_recurrent = model.weight_ih_l0.grad.T, model.weight_hh_l0.grad.T
            d_bias = model.bias_ih_l0.grad
        else:
            def to_keras(w):
                u = w.shape[-1] // 3
                return torch.cat([w[..., u : 2 * u], w[..., :u], w[..., 2 * u :]], dim=-1)

            d_kernel, d_recurrent = to_keras(model.weight_ih_l0.grad.T), to_keras(model.weight_hh_l0.grad.T)
            d_bias = torch.stack([to_keras(model.bias_ih_l0.grad), to_keras(model.bias_hh_l0.grad)])
        grad_diffs = []
        for name, g in (("dKernel", d_kernel), ("dRecurrentKernel", d_recurrent), ("dBias", d_bias)):
            mine = r[name]
            scale = max(g.abs().max().item(), 1e-30)
            grad_diffs.append(f"{name} {(g.cpu() - mine).abs().max().item() / scale:.1e}")

        def timed(fn, repeats):
            fn()
            torch.cuda.synchronize()
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                torch.cuda.synchronize()
                samples.append((time.perf_counter() - start) * 1000.0)
            return sorted(samples)[len(samples) // 2]

        def train():
            model.zero_grad(set_to_none=True)
            loss = loss_of()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.01 * p.grad
            return loss.item()

        repeats = 5 if batch > 64 else 10
        fwd, trn = timed(forward, repeats), timed(train, repeats)
        mine = spec["seqmodel"]
        ok = out_diff <= 1e-4
        failures += 0 if ok else 1
        print(
            f"{'ok  ' if ok else 'FAIL'} {spec['name']}: output max |diff| {out_diff:.2e} (limit 1e-4); "
            f"loss {loss.item():.6g} vs {spec['loss']:.6g}; gradients max |diff| / max |grad|: {', '.join(grad_diffs)}; "
            f"forward {mine['forwardMs']:.2f} ms vs cuDNN {fwd:.2f} ms ({mine['forwardMs'] / fwd:.2f}x); "
            f"training step {mine['trainMs']:.2f} ms vs {trn:.2f} ms ({mine['trainMs'] / trn:.2f}x); gemm {mine['gemm']}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
