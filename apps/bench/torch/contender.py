"""PyTorch contender of seqmodel-bench (`--torch`): times nn.LSTM / nn.GRU / nn.RNN forward passes and SGD training
steps on the weights and data the bench wrote, the same workload as the bench's seqmodel model (last step's output,
mean squared error against a fixed target, plain SGD). Called by src/torch.ts with a JSON spec; prints one JSON
object. Thread counts come from the environment (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) and the spec.
"""
import json
import sys
import time

import torch


def read_arrays(spec):
    raw = open(spec["dataFile"], "rb").read()
    arrays, offset = {}, 0
    for entry in spec["arrays"]:
        count = 1
        for d in entry["shape"]:
            count *= d
        values = torch.frombuffer(bytearray(raw[offset : offset + 4 * count]), dtype=torch.float32)
        arrays[entry["name"]] = values.reshape(entry["shape"]).clone()
        offset += 4 * count
    return arrays


def reorder_gru(w):
    """Keras' GRU gate blocks z, r, h (last axis) as PyTorch's r, z, n."""
    u = w.shape[-1] // 3
    return torch.cat([w[..., u : 2 * u], w[..., :u], w[..., 2 * u :]], dim=-1)


def build(spec, a):
    size, cell = spec["size"], spec["cell"]
    i, u = size["inputSize"], size["units"]
    kernel, recurrent, bias = a["kernel"], a["recurrentKernel"], a.get("bias")
    if cell == "lstm":
        m = torch.nn.LSTM(i, u, batch_first=True)
        w_ih, w_hh, b_ih, b_hh = kernel.T, recurrent.T, bias, torch.zeros(4 * u)
    elif cell == "gruResetAfter":
        m = torch.nn.GRU(i, u, batch_first=True)
        w_ih, w_hh = reorder_gru(kernel).T, reorder_gru(recurrent).T
        b_ih, b_hh = reorder_gru(bias[0]), reorder_gru(bias[1])
    elif cell == "simpleRNN":
        m = torch.nn.RNN(i, u, nonlinearity="tanh", batch_first=True)
        w_ih, w_hh, b_ih, b_hh = kernel.T, recurrent.T, bias, torch.zeros(u)
    else:
        return None
    with torch.no_grad():
        m.weight_ih_l0.copy_(w_ih)
        m.weight_hh_l0.copy_(w_hh)
        m.bias_ih_l0.copy_(b_ih)
        m.bias_hh_l0.copy_(b_hh)
    return m


def timed(fn, warmup, repeats, min_time_ms, max_runs=100):
    for _ in range(warmup):
        fn()
    samples = []
    while len(samples) < repeats or (sum(samples) < min_time_ms and len(samples) < max_runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(spec["threads"])
    a = read_arrays(spec)
    model = build(spec, a)
    if model is None:
        reason = f"PyTorch has no layer equal to the bench's {spec['cell']} cell"
        if spec["cell"] == "gru":
            reason += " (nn.GRU is the resetAfter variant: compare --cells gruResetAfter)"
        print(json.dumps({"unavailable": reason}))
        return
    x, target, lr = a["inputs"], a["target"], spec["learningRate"]

    def forward():
        with torch.no_grad():
            y, _ = model(x)
        return y[:, -1]

    def train():
        y, _ = model(x)
        loss = ((y[:, -1] - target) ** 2).mean()
        model.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        return loss.item()

    # The agreement check comes first, on the initial weights (training changes them).
    output = forward().reshape(-1).tolist()
    result = {"version": torch.__version__, "threads": torch.get_num_threads(), "output": output}
    if "train" in spec["modes"]:
        result["loss"] = train()
    for mode in spec["modes"]:
        fn = forward if mode == "forward" else train
        result[mode] = timed(fn, spec["warmup"], spec["repeats"], spec["minTimeMs"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
