"""PyTorch twins of Distillery's benchmark cases (bench/src/main/java/dev/distillery/bench/Cases.java).

Each case builds the same model, loss, batch and optimizer as Distillery's, trains on the same kind of
data, and prints one JSON row: the median milliseconds per training step after warm-up, and the
process's peak resident memory. Run by `./distillery bench`; by hand:

    /usr/bin/python3 bench/torch/reference.py kd-mlp-256 --threads 1
"""
import argparse
import gzip
import json
import math
import os
import resource
import statistics
import sys
import time


def _process_start():
    """This process's start time (seconds since the epoch), from /proc as the kernel records it."""
    with open("/proc/self/stat") as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/stat") as f:
        boot = next(int(line.split()[1]) for line in f if line.startswith("btime"))
    return boot + ticks / os.sysconf("SC_CLK_TCK")


STARTED = _process_start()  # before torch is imported: start-up counts the import


def _threads_from_argv():
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


# torch.set_num_threads does not reach the BLAS library: Debian's torch calls the system OpenBLAS, whose
# own thread pool has one thread per core unless told before it loads. Without this, a "1 thread" run
# multiplies matrices on every core.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads_from_argv()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

FASHION = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def images(n):
    """The first n Fashion-MNIST test images, scaled to [0, 1], as Distillery's loader gives them."""
    with gzip.open(FASHION, "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    x = raw[np.arange(n) % len(raw)].astype(np.float32) / 255.0
    return torch.from_numpy(x)


def uniform(rows, cols, seed, scale):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(rows, cols, generator=g) * 2 - 1) * scale


def hinton(student, teacher, labels, t=4.0, alpha=0.5):
    log_ps = F.log_softmax(student / t, dim=1)
    log_pt = F.log_softmax(teacher / t, dim=1)
    kl = (log_pt.exp() * (log_pt - log_ps)).sum(1).mean()
    return alpha * F.cross_entropy(student, labels) + (1 - alpha) * t * t * kl


class Mlp(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)


class Cnn(nn.Module):
    """cnn:32x64,dense=128,dropout=0.3 by default: two 3×3 same convolutions with ReLU and 2×2 max pooling,
    a dense layer, dropout. Cnn((16, 32), 64, 0.0) is the fast quickstart's teacher, cnn:16x32,dense=64."""

    def __init__(self, channels=(32, 64), dense=128, dropout=0.3):
        super().__init__()
        self.dropout = dropout
        self.c1 = nn.Conv2d(1, channels[0], 3, padding=1)
        self.c2 = nn.Conv2d(channels[0], channels[1], 3, padding=1)
        self.d1 = nn.Linear(channels[1] * 7 * 7, dense)
        self.out = nn.Linear(dense, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x.view(-1, 1, 28, 28))), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.dropout(F.relu(self.d1(x.flatten(1))), self.dropout, self.training)
        return self.out(x)


class Layer(nn.Module):
    """One pre-norm encoder layer as Distillery builds it: separate q, k, v, o projections, GELU feed-forward."""

    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.ffn1, self.ffn2 = nn.Linear(d, ffn), nn.Linear(ffn, d)

    def forward(self, h, bias=None):
        b, s, d = h.shape
        dh = d // self.heads
        a = self.norm1(h)
        q = self.q(a).view(b, s, self.heads, dh).transpose(1, 2)
        k = self.k(a).view(b, s, self.heads, dh).transpose(1, 2)
        v = self.v(a).view(b, s, self.heads, dh).transpose(1, 2)
        scores = q @ k.transpose(2, 3) / math.sqrt(dh)
        att = torch.softmax(scores if bias is None else scores + bias, dim=3)
        h = h + self.o((att @ v).transpose(1, 2).reshape(b, s, d))
        return h + self.ffn2(F.gelu(self.ffn1(self.norm2(h))))


class Speech(nn.Module):
    """speech:4x128,heads=4,ffn=4,frame=16,length=64: frames → embedding + positions → 4 layers → norm → mean → head."""

    def __init__(self, depth=4, d=128, heads=4, ffn=512, frame=16, length=64):
        super().__init__()
        self.frame, self.length = frame, length
        self.embed = nn.Linear(frame, d)
        self.pos = nn.Parameter(torch.randn(length, d) * 0.02)
        self.layers = nn.ModuleList(Layer(d, heads, ffn) for _ in range(depth))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 10)

    def forward(self, x):
        h = self.embed(x.view(-1, self.length, self.frame)) + self.pos
        for layer in self.layers:
            h = layer(h)
        last = h
        return self.head(self.norm(h).mean(1)), last


class Text(nn.Module):
    """text:DxW,heads=H,length=L,vocab=V: token + position embeddings (id 0 is padding, hidden from attention
    and left out of the pooling) → pre-norm layers → norm → mean over real tokens → head."""

    def __init__(self, vocab, length, d, depth, heads, ffn, classes):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d)
        nn.init.normal_(self.tokens.weight, std=0.02)
        self.pos = nn.Parameter(torch.randn(length, d) * 0.02)
        self.layers = nn.ModuleList(Layer(d, heads, ffn) for _ in range(depth))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, classes)

    def forward(self, ids):
        real = (ids != 0).float()
        bias = ((1.0 - real) * -1e9)[:, None, None, :]
        h = self.tokens(ids) + self.pos
        for layer in self.layers:
            h = layer(h, bias)
        pooled = (self.norm(h) * real[..., None]).sum(1) / real.sum(1, keepdim=True).clamp(min=1.0)
        return self.head(pooled), pooled


def onnx_bert(path):
    """A BERT encoder's weights from its ONNX export, by their PyTorch names. The export keeps the names of
    biases and norms but leaves each projection's weight anonymous, as the second input of a MatMul: each
    takes its name from the bias added to its output."""
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    users = {}
    for node in graph.node:
        for i in node.input:
            users.setdefault(i, []).append(node)
    w = {k: torch.from_numpy(v.copy()) for k, v in init.items() if not k.startswith("onnx::")}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in init:
            add = next(u for u in users[node.output[0]] if u.op_type == "Add")
            bias = next(i for i in add.input if i in init and not i.startswith("onnx::"))
            w[bias[:-len("bias")] + "weight"] = torch.from_numpy(init[node.input[1]].T.copy())  # [out, in]
    return w


def bert_cls(w, ids, heads, eps=1e-12):
    """BERT (post-norm, erf GELU) on token ids [B, S] (0 is padding): the L2-normalised [CLS] state."""
    b, s = ids.shape
    real = (ids != 0).float()
    bias = ((1.0 - real) * torch.finfo(torch.float32).min)[:, None, None, :]
    e = "embeddings."
    h = (w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][:s]
         + w[e + "token_type_embeddings.weight"][0])
    d = h.shape[-1]
    dh = d // heads
    h = F.layer_norm(h, (d,), w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"], eps)
    i = 0
    while f"encoder.layer.{i}.output.dense.weight" in w:
        p = f"encoder.layer.{i}."

        def lin(x, name):
            return F.linear(x, w[p + name + ".weight"], w[p + name + ".bias"])

        def split(x):
            return x.view(b, s, heads, dh).transpose(1, 2)

        q, k, v = (split(lin(h, "attention.self." + n)) for n in ("query", "key", "value"))
        att = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(dh) + bias, dim=3)
        ctx = (att @ v).transpose(1, 2).reshape(b, s, d)
        h = F.layer_norm(h + lin(ctx, "attention.output.dense"), (d,),
                         w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        f = lin(F.gelu(lin(h, "intermediate.dense")), "output.dense")
        h = F.layer_norm(h + f, (d,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        i += 1
    return F.normalize(h[:, 0], dim=1)


def read_floats(path, cols):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(-1, cols))


def infonce(s, t, temperature=0.1):
    logits = F.normalize(s, dim=1) @ F.normalize(t, dim=1).T / temperature
    return F.cross_entropy(logits, torch.arange(len(s)))


def workflow_sentences(plan):
    """The teacher's embeddings of the training sentences, then one epoch of the text student on cosine plus
    InfoNCE through linear projections, and its validation, in seconds. The token ids, the ONNX teacher and
    Distillery's teacher embeddings come from the files Distillery's case wrote."""
    d = plan["dir"]
    ids = read_floats(f"{d}/train-ids.f32", plan["length"]).long()
    val_ids = read_floats(f"{d}/validation-ids.f32", plan["length"]).long()
    theirs = read_floats(f"{d}/teacher.f32", 384)
    w = onnx_bert(f"{d}/teacher.onnx")
    t0 = time.perf_counter()
    parts = []
    with torch.no_grad():
        for batch in ids.split(plan["teacher_batch"]):
            longest = int((batch != 0).sum(1).max())  # as ONNX Runtime is called: trimmed to the longest
            parts.append(bert_cls(w, batch[:, :longest], heads=12))
    teacher = torch.cat(parts)
    t1 = time.perf_counter()
    torch.manual_seed(1)
    student = Text(plan["vocab"], plan["length"], plan["width"], plan["depth"], plan["heads"], plan["ffn"],
                   plan["classes"])
    cos_proj, nce_proj = nn.Linear(plan["width"], 384), nn.Linear(plan["width"], 384)
    params = list(student.parameters()) + list(cos_proj.parameters()) + list(nce_proj.parameters())
    opt = torch.optim.Adam(params, lr=plan["learning_rate"])
    for idx in torch.randperm(len(ids), generator=torch.Generator().manual_seed(1)).split(plan["batch"]):
        opt.zero_grad(set_to_none=True)
        _, pooled = student(ids[idx])
        t = teacher[idx]
        loss = (1 - F.cosine_similarity(cos_proj(pooled), t, dim=1).mean()) + infonce(nce_proj(pooled), t)
        loss.backward()
        opt.step()
    with torch.no_grad():
        student(val_ids)[0].argmax(1)
    t2 = time.perf_counter()
    agreement = F.cosine_similarity(teacher, theirs, dim=1)
    return {"ms_per_step": t2 - t0, "unit": "seconds: the teacher's embeddings and one epoch",
            "teacher_s": t1 - t0, "epoch_s": t2 - t1,
            "teacher_cosine_to_distillery_min": agreement.min().item(),
            "teacher_max_abs_difference": (teacher - theirs).abs().max().item()}


WARMUP_SECONDS = 10.0


def time_steps(step, batches, warmup):
    """Warm-up passes over the batches (at least `warmup` steps and WARMUP_SECONDS), then one timed pass. Each
    step gathers its batch's rows, as Distillery's trainer does in its step."""
    warm, start = 0, time.perf_counter()
    while warm < warmup or time.perf_counter() - start < WARMUP_SECONDS:
        step(*batches[warm % len(batches)])
        warm += 1
    times = []
    for batch in batches:
        t0 = time.perf_counter()
        step(*batch)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"ms_per_step": statistics.median(times), "p10_ms": times[len(times) // 10],
            "p90_ms": times[len(times) * 9 // 10], "steps": len(times), "warmup_steps": warm}


def kd_case(sizes, warmup, steps):
    batch = 128
    n = batch * steps
    x, teacher = images(n), uniform(n, 10, 7, 4.0)
    labels = torch.arange(n) % 10
    model = Mlp(sizes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(idx):
        xb, tb, yb = x[idx], teacher[idx], labels[idx]
        opt.zero_grad(set_to_none=True)
        loss = hinton(model(xb), tb, yb)
        loss.backward()
        opt.step()
        return loss.item()

    perm = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    batches = [(idx,) for idx in perm.split(batch)]
    row = time_steps(step, batches, warmup)
    row["parameters"] = sum(p.numel() for p in model.parameters())
    return row


def cnn_case(warmup, steps):
    batch = 128
    n = batch * steps
    x = images(n)
    labels = torch.arange(n) % 10
    model = Cnn()
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(idx):
        xb, yb = x[idx], labels[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    perm = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    batches = [(idx,) for idx in perm.split(batch)]
    row = time_steps(step, batches, warmup)
    row["parameters"] = sum(p.numel() for p in model.parameters())
    return row


def transformer_case(warmup, steps):
    batch = 32
    n = batch * steps
    x = (uniform(n, 64 * 16, 5, 1.0) + 1) / 2
    teacher = uniform(n, 10, 7, 4.0)
    states = uniform(n, 64 * 128, 9, 1.0)
    labels = torch.arange(n) % 10
    model = Speech()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(idx):
        xb, tb, sb, yb = x[idx], teacher[idx], states[idx], labels[idx]
        opt.zero_grad(set_to_none=True)
        logits, last = model(xb)
        loss = hinton(logits, tb, yb) + F.mse_loss(last.reshape(len(xb), -1), sb)
        loss.backward()
        opt.step()
        return loss.item()

    perm = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    batches = [(idx,) for idx in perm.split(batch)]
    row = time_steps(step, batches, warmup)
    row["parameters"] = sum(p.numel() for p in model.parameters())
    return row


def gemm_case():
    shapes = [(128, 784, 256), (128, 784, 800), (128, 800, 800), (2048, 128, 512), (2048, 512, 128)]
    best, last, each = 0.0, 0.0, []
    for m, k, n in shapes:
        a, b = uniform(m, k, 3, 1.0), uniform(k, n, 4, 1.0)
        c = torch.empty(m, n)
        for _ in range(20):
            torch.mm(a, b, out=c)
        ms = []
        for _ in range(50):
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            ms.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(ms)
        gflops = 2.0 * m * k * n / (med / 1000) / 1e9
        best, last = max(best, gflops), med
        each.append({"shape": [m, k, n], "ms": med, "gflops": round(gflops, 1)})
    return {"ms_per_step": last, "gflops": round(best, 1), "shapes": each}


FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def fashion(part):
    """Fashion-MNIST's `train` or `t10k` images in [0, 1] and labels, read from the Debian package's files."""
    with gzip.open(f"{FASHION_DIR}/{part}-images-idx3-ubyte.gz", "rb") as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0
    with gzip.open(f"{FASHION_DIR}/{part}-labels-idx1-ubyte.gz", "rb") as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(x), torch.from_numpy(y)


def logits_of(model, x, batch=1024):
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(xb) for xb in x.split(batch)])
    model.train()
    return out


def fit(model, x, epochs, batch, loss_of, validation, seed):
    """`epochs` epochs of shuffled mini-batches with Adam (lr 1e-3), validation accuracy after each."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=g).split(batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_of(model(x[idx]), idx)
            loss.backward()
            opt.step()
        vx, vy = validation
        (logits_of(model, vx).argmax(1) == vy).float().mean().item()


def evaluate(model, test, teacher_logits=None):
    tx, ty = test
    z = logits_of(model, tx)
    row = {"accuracy": (z.argmax(1) == ty).float().mean().item()}
    if teacher_logits is not None:
        row["agreement"] = (z.argmax(1) == teacher_logits.argmax(1)).float().mean().item()
        row["kl"] = F.kl_div(F.log_softmax(z, 1), F.log_softmax(teacher_logits, 1), log_target=True,
                             reduction="batchmean").item()
    return row


def workflow_quickstart(plan):
    """The fast quickstart's work, epoch for epoch as Distillery's run trained it (the plan), in seconds."""
    t0 = time.perf_counter()
    train_x, train_y = fashion("train")
    test_x, test_y = fashion("t10k")
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(train_x), generator=g)
    val_idx, rest = perm[:5000][:plan["validation"]], perm[5000:][:plan["train"]]
    x, y = train_x[rest], train_y[rest]
    validation = (train_x[val_idx], train_y[val_idx])
    test_idx = torch.randperm(len(test_x), generator=g)[:plan["test"]]
    test = (test_x[test_idx], test_y[test_idx])
    labelled = torch.zeros(len(x), dtype=torch.bool)
    labelled[torch.randperm(len(x), generator=g)[:plan["labels"]]] = True
    batch = plan["batch"]

    torch.manual_seed(0)
    teacher = Cnn((16, 32), 64, 0.0)
    fit(teacher, x, plan["teacher_epochs"], batch, lambda z, idx: F.cross_entropy(z, y[idx]), validation, 0)
    evaluate(teacher, test)
    cached = logits_of(teacher, x)
    teacher_test = logits_of(teacher, test[0])
    results = []
    lx, ly = x[labelled], y[labelled]
    for seed, epochs in enumerate(plan["scratch_epochs"], start=1):
        torch.manual_seed(seed)
        student = Mlp([784, 64, 10])
        fit(student, lx, epochs, batch, lambda z, idx: F.cross_entropy(z, ly[idx]), validation, seed)
        results.append(evaluate(student, test))
    for seed, epochs in enumerate(plan["kd_epochs"], start=1):
        torch.manual_seed(seed)
        student = Mlp([784, 64, 10])

        def kd_loss(z, idx, t=4.0, alpha=0.1):
            mask = labelled[idx].float()
            ce = (F.cross_entropy(z, y[idx], reduction="none") * mask).sum() / (mask.sum() + 1e-8)
            log_ps, log_pt = F.log_softmax(z / t, 1), F.log_softmax(cached[idx] / t, 1)
            kl = (log_pt.exp() * (log_pt - log_ps)).sum(1).mean()
            return alpha * ce + (1 - alpha) * t * t * kl

        fit(student, x, epochs, batch, kd_loss, validation, seed)
        results.append(evaluate(student, test, teacher_test))
    return {"ms_per_step": time.perf_counter() - t0, "unit": "seconds for the whole job", "runs": results}


def workflow_sweep(plan):
    """The cached depth × width sweep: teacher outputs once, then one epoch per student, in seconds."""
    t0 = time.perf_counter()
    n = plan["train"] + plan["validation"] + plan["test"]
    x_all = images(n)
    y_all = torch.from_numpy(np.resize(fashion("t10k")[1].numpy(), n))
    a, b = plan["train"], plan["train"] + plan["validation"]
    x, y = x_all[:a], y_all[:a]
    validation, test = (x_all[a:b], y_all[a:b]), (x_all[b:], y_all[b:])
    torch.manual_seed(1)
    teacher = Cnn()
    cached = logits_of(teacher, x)
    teacher_test = logits_of(teacher, test[0])
    for spec in plan["students"]:
        hidden = [int(w) for w in spec.split(":")[1].split(",")[0].split("x")]
        torch.manual_seed(1)
        student = Mlp([784] + hidden + [10])
        fit(student, x, 1, plan["batch"], lambda z, idx: hinton(z, cached[idx], y[idx]), validation, 1)
        evaluate(student, test, teacher_test)
    return {"ms_per_step": time.perf_counter() - t0, "unit": "seconds per sweep"}


def startup(started):
    """From this process's start to the first kd-mlp-256 training step done, in seconds."""
    torch_ready = time.time() - started
    batch = 128
    x, teacher = images(1280), uniform(1280, 10, 7, 4.0)
    labels = torch.arange(1280) % 10
    model = Mlp([784, 256, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for idx in torch.randperm(1280, generator=torch.Generator().manual_seed(1)).split(batch):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        hinton(model(x[idx]), teacher[idx], labels[idx]).backward()
        opt.step()
        times.append((time.perf_counter() - t0) * 1000)
        if len(times) == 1:
            first_done = time.time() - started
    return {"ms_per_step": first_done, "unit": "seconds from process start to the first training step done",
            "torch_ready_s": torch_ready, "first_step_ms": times[0], "tenth_step_ms": times[-1]}


def blas_threads():
    """The thread count of the OpenBLAS that torch calls, read from the library itself."""
    try:
        import ctypes
        return ctypes.CDLL("libopenblas.so.0").openblas_get_num_threads()
    except (OSError, AttributeError):
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("case", choices=["kd-mlp-256", "kd-mlp-800x800", "teacher-cnn", "transformer-hidden", "gemm",
                                    "workflow-quickstart", "workflow-sweep", "workflow-sentences", "startup"])
    p.add_argument("--plan", help="the workflow's sizes and epochs, as JSON (Distillery's row gives it)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=10, help="at least this many warm-up steps (and 10 s)")
    p.add_argument("--steps", type=int, default=40)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    if a.case == "kd-mlp-256":
        row = kd_case([784, 256, 10], a.warmup, a.steps)
    elif a.case == "kd-mlp-800x800":
        row = kd_case([784, 800, 800, 10], a.warmup, a.steps)
    elif a.case == "teacher-cnn":
        row = cnn_case(a.warmup, a.steps)
    elif a.case == "transformer-hidden":
        row = transformer_case(a.warmup, a.steps)
    elif a.case == "workflow-quickstart":
        row = workflow_quickstart(json.loads(a.plan))
    elif a.case == "workflow-sweep":
        row = workflow_sweep(json.loads(a.plan))
    elif a.case == "workflow-sentences":
        row = workflow_sentences(json.loads(a.plan))
    elif a.case == "startup":
        row = startup(STARTED)
    else:
        row = gemm_case()
    row.update({"case": a.case, "impl": "pytorch " + torch.__version__, "threads": a.threads,
                "blas_threads": blas_threads(),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024})
    print(json.dumps(row))


if __name__ == "__main__":
    main()
