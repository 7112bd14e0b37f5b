#!/bin/bash
# On a GPU machine, from .gpu-pack/ (built by bench/gpu/pack.sh): first the webgpu parity suite's
# worker on this GPU (parity.txt); only if every comparison holds, gankit on tfjs-webgpu (Dawn/Vulkan)
# against PyTorch CUDA, the dispatch counts, then wasm against PyTorch CPU on the same cores.
# Writes to $OUT (or .): a number from the GPU path is reported only after parity passed here.
cd "$(dirname "$0")"
OUT=${OUT:-$PWD}
# The Vulkan loader and glvnd's libraries (libGLX, libEGL, …) next to NVIDIA's driver libraries.
for f in gl/*.deb; do dpkg -x $f /; done; ldconfig
gunzip -c node.gz > /tmp/node && chmod +x /tmp/node
mkdir -p node_modules/webgpu/dist/linux-x64 && gunzip -c dawn.node.gz > node_modules/webgpu/dist/linux-x64/dawn.node
tar xzf mnist.tgz -C node_modules
# The loader wants all 60000/10000 images: tile the carried 3000/1000 (timing only; contents don't
# matter). Never over a real copy of the dataset.
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || mkdir -p /usr/share/datasets/fashion-mnist && [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || python3 - <<'PY'
import gzip, struct
for name, full in [('train-images-idx3-ubyte.gz', 60000), ('train-labels-idx1-ubyte.gz', 60000), ('t10k-images-idx3-ubyte.gz', 10000), ('t10k-labels-idx1-ubyte.gz', 10000)]:
    raw = gzip.open('data/' + name).read()
    rank = raw[3]; dims = list(struct.unpack('>' + 'I' * rank, raw[4:4 + 4 * rank])); body = raw[4 + 4 * rank:]
    reps = full // dims[0]
    gzip.open('/usr/share/datasets/fashion-mnist/' + name, 'wb', compresslevel=1).write(raw[:4] + struct.pack('>' + 'I' * rank, full, *dims[1:]) + body * reps)
PY
nvidia-smi -L; /tmp/node --version; nproc
for d in /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do ls $d 2>/dev/null; done
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; fi
if [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json; fi
cat > /tmp/probe.mjs <<'P'
import { create, globals } from '/tmp/dev/node_modules/webgpu/index.js';
Object.assign(globalThis, globals);
const a = await create([]).requestAdapter();
console.log('adapter', a ? JSON.stringify({ vendor: a.info?.vendor, arch: a.info?.architecture, desc: a.info?.description }) : null);
P
ln -sfn "$PWD" /tmp/dev
timeout 60 /tmp/node /tmp/probe.mjs 2>&1 | grep -v '^ *at ' | head -20
export GANKIT_PYTHON=python3
echo "=== parity: webgpu against tfjs-cpu on this GPU (test/webgpu.parity.test.ts's bounds)"
timeout 500 /tmp/node parity.mjs > $OUT/parity.txt 2> $OUT/parity.err
/tmp/node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("PARITY ")).map((l) => JSON.parse(l.slice(7)));
const bad = lines.filter((l) => l.error || l.unavailable || (l.rel !== undefined && !l.stockBug && (!l.finite || (l.bound !== null && !(l.rel <= (l.bound ?? 1e-4))))));
const done = lines.find((l) => l.done);
console.log(`adapter ${lines.find((l) => l.adapter)?.adapter}; ${lines.filter((l) => l.rel !== undefined).length} comparisons; ${bad.length} off; ${done ? "ran to the end" : "did not finish"}`);
for (const l of bad.slice(0, 20)) console.log(JSON.stringify(l));
process.exit(bad.length || !done ? 1 : 0);
' $OUT/parity.txt || { echo "parity did not pass on this GPU: no GPU timings are taken (see $OUT/parity.txt)"; exit 1; }
echo "=== dispatches per step"
timeout 200 /tmp/node kernels.mjs --steps 5 --batch 64 --json $OUT/kernels.json 2>&1 | grep -v '^ *at '
echo "=== webgpu vs PyTorch CUDA"
GANKIT_TORCH_DEVICE=cuda timeout 200 /tmp/node speed.mjs --backend webgpu --steps 10 --warmup 3 --out $OUT/webgpu_cuda.json 2>&1 | grep -v '^ *at '
echo "=== webgpu, all ops on the GPU (no CPU hand-off)"
GANKIT_TF_FLAGS='{"WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD":0}' timeout 120 /tmp/node speed.mjs --backend webgpu --steps 10 --warmup 3 --no-torch --out $OUT/webgpu_nohandoff.json 2>&1 | grep -v '^ *at '
echo "=== wasm vs PyTorch CPU, same 16 cores"
timeout 150 /tmp/node speed.mjs --backend wasm --steps 6 --warmup 2 --out $OUT/wasm_cpu.json 2>&1 | grep -v '^ *at '
