#!/usr/bin/env bash
# The GPU check of @seqmodel/backend-cuda, one command on a machine with an NVIDIA GPU, nvcc and (for the comparison)
# Python with a CUDA build of PyTorch, but no Node: run from a copy of the repository's working tree that has
# packages/backend-cuda/gpu-bundle (made by scripts/prepare-gpu-check.mjs) beside it.
#   1. unpacks the carried Node binary;
#   2. builds the CUDA addon with nvcc (the same sources and flags as binding.gyp; node-gyp needs npm, absent there);
#   3. runs the binding's conformance kits on seqmodel-cuda;
#   4. runs a small workload under compute-sanitizer (memcheck);
#   5. compares LSTM and GRU at 64x100x64x256 and 256x512x512x1024 with PyTorch's cuDNN layers (outputs within
#      1e-4, gradients, forward and training-step times), with the tiled GEMM and, where PyTorch ships it, cuBLAS.
# Exits 0 when everything passed, 1 on a failure, 2 when the machine lacks what the check needs (said in one line).
# Stays under 10 minutes on an H200 (SEQMODEL_GPU_CHECK_QUICK=1 skips the large size).
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
bundle=packages/backend-cuda/gpu-bundle
kernels=packages/native-kernels
started=$(date +%s)
say() { echo "gpu-check [$(($(date +%s) - started)) s]: $*"; }
stop() { say "$1"; exit "${2:-2}"; }

[ -f "$bundle/check.mjs" ] || stop "$bundle/check.mjs is missing: run node packages/backend-cuda/scripts/prepare-gpu-check.mjs first and carry $bundle"
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  stop "no NVIDIA GPU here (nvidia-smi missing or failing): this check needs one"
fi
nvidia-smi -L
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

work=$(mktemp -d /tmp/seqmodel-gpu-check.XXXXXX)
if command -v node >/dev/null 2>&1; then
  node=$(command -v node)
else
  node="$work/node"
  if command -v xz >/dev/null 2>&1; then xz -dc "$bundle/node.xz" >"$node"
  else python3 -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], 'wb'))" "$bundle/node.xz" "$node"
  fi || stop "could not unpack $bundle/node.xz"
  chmod +x "$node"
fi
say "node $("$node" --version) at $node"

nvcc=${SEQMODEL_NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
[ -x "$nvcc" ] || stop "no nvcc (set SEQMODEL_NVCC): the addon is built here"
cuda_home=${SEQMODEL_CUDA_HOME:-${CUDA_HOME:-}}
for candidate in /usr/local/cuda "$(dirname "$(dirname "$(readlink -f "$nvcc")")")"; do
  [ -n "$cuda_home" ] || { [ -f "$candidate/lib64/libcudart_static.a" ] && cuda_home=$candidate; }
done
[ -n "$cuda_home" ] || stop "no CUDA installation with lib64/libcudart_static.a (set SEQMODEL_CUDA_HOME)"
arch=${SEQMODEL_CUDA_ARCH:-sm_90}
say "building the CUDA addon with $($nvcc --version | tail -1) for $arch"
out=packages/backend-cuda/build/Release
mkdir -p "$out"
flags=(-std=c++17 -O3 "-arch=$arch" -DSEQMODEL_TARGET_CUDA -Xcompiler -fPIC,-fvisibility=hidden
  -I"$kernels/include" -I"$kernels" -I"$bundle/node-include")
"$nvcc" "${flags[@]}" -c packages/backend-cuda/addon/addon.cu -o "$work/addon.o" &
first=$!
"$nvcc" "${flags[@]}" -c packages/backend-cuda/addon/device_sources.cu -o "$work/device_sources.o" || stop "nvcc failed" 1
wait "$first" || stop "nvcc failed" 1
"$nvcc" -shared "-arch=$arch" -L"$cuda_home/lib64" "$work/addon.o" "$work/device_sources.o" -o "$out/seqmodel_cuda.node" \
  -lcudart_static -ldl -lrt -lpthread || stop "linking the addon failed" 1
say "addon built"

failures=0
say "conformance kits on seqmodel-cuda"
"$node" "$bundle/check.mjs" kits
case $? in
  0) ;;
  2) stop "the addon sees no usable GPU (the line above says why)" ;;
  *) failures=$((failures + 1)) ;;
esac

sanitizer=$(command -v compute-sanitizer || echo "$cuda_home/bin/compute-sanitizer")
if [ -x "$sanitizer" ]; then
  say "compute-sanitizer memcheck on the sanitizer workload"
  "$sanitizer" --tool memcheck --leak-check full --error-exitcode 3 "$node" "$bundle/check.mjs" sanitize 2>&1 | tail -25
  [ "${PIPESTATUS[0]}" -eq 0 ] || failures=$((failures + 1))
else
  say "compute-sanitizer not found at $sanitizer: skipped"
fi

python=${SEQMODEL_PYTHON:-python3}
if "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  # PyTorch's wheels carry cuBLAS: put it where the addon's dlopen looks, for a second run on cuBLAS.
  cublas_dir=$("$python" -c "import nvidia.cublas, os; print(os.path.join(os.path.dirname(nvidia.cublas.__file__), 'lib'))" 2>/dev/null \
    || "$python" -c "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))")
  quick=${SEQMODEL_GPU_CHECK_QUICK:-0}
  for gemm in own cublas; do
    dir="$work/torch-$gemm"
    mkdir -p "$dir"
    if [ "$gemm" = own ]; then env_vars=(SEQMODEL_CUDA_OWN_KERNELS=1)
    else env_vars=("LD_LIBRARY_PATH=$cublas_dir:${LD_LIBRARY_PATH:-}")
    fi
    say "seqmodel-cuda LSTM/GRU cases ($gemm GEMM)"
    env "${env_vars[@]}" SEQMODEL_GPU_CHECK_QUICK="$quick" "$node" "$bundle/check.mjs" torch "$dir" || { failures=$((failures + 1)); continue; }
    say "PyTorch (cuDNN) on the same weights"
    "$python" packages/backend-cuda/gpu-check/compare.py "$dir" apps/bench/torch || failures=$((failures + 1))
  done
else
  say "no Python with a CUDA PyTorch ($python): the comparison is skipped"
fi
rm -rf "$work"
say "done: $failures failing step(s)"
[ "$failures" -eq 0 ]
