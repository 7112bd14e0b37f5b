#!/bin/bash
# On a GPU machine, from .gpu-pack/ (built by bench/gpu/pack.sh): gankit on tfjs-webgpu (Dawn/Vulkan)
# against PyTorch CUDA, then wasm against PyTorch CPU on the same cores. Writes JSON to $OUT (or .).
cd "$(dirname "$0")"
OUT=${OUT:-$PWD}
for f in gl/*.deb; do dpkg -x $f /; done; ldconfig
gunzip -c node.gz > /tmp/node && chmod +x /tmp/node
mkdir -p node_modules/webgpu/dist/linux-x64 && gunzip -c dawn.node.gz > node_modules/webgpu/dist/linux-x64/dawn.node
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
cat > /tmp/probe.mjs <<'P'
import { create, globals } from '/tmp/dev/node_modules/webgpu/index.js';
Object.assign(globalThis, globals);
const a = await create([]).requestAdapter();
console.log('adapter', a ? JSON.stringify({ vendor: a.info?.vendor, arch: a.info?.architecture, desc: a.info?.description }) : null);
P
ln -sfn "$PWD" /tmp/dev
timeout 60 /tmp/node /tmp/probe.mjs 2>&1 | grep -v '^ *at ' | head -20
export GANKIT_PYTHON=python3
echo "=== webgpu vs PyTorch CUDA"
GANKIT_TORCH_DEVICE=cuda timeout 200 /tmp/node speed.mjs --backend webgpu --steps 10 --warmup 3 --out $OUT/webgpu_cuda.json 2>&1 | grep -v '^ *at '
echo "=== webgpu, all ops on the GPU (no CPU hand-off)"
GANKIT_TF_FLAGS='{"WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD":0}' timeout 120 /tmp/node speed.mjs --backend webgpu --steps 10 --warmup 3 --no-torch --out $OUT/webgpu_nohandoff.json 2>&1 | grep -v '^ *at '
echo "=== wasm vs PyTorch CPU, same 16 cores"
timeout 150 /tmp/node speed.mjs --backend wasm --steps 6 --warmup 2 --out $OUT/wasm_cpu.json 2>&1 | grep -v '^ *at '
