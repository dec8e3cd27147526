#!/usr/bin/env bash
# The GPU check of @seqmodel/backend-cuda, one command on a machine with an NVIDIA GPU, nvcc and (for the comparison)
# Python with a CUDA build of PyTorch, but no Node: run from a copy of the repository's working tree that has
# packages/backend-cuda/gpu-bundle (made by scripts/prepare-gpu-check.mjs) beside it.
#   1. unpacks the carried Node binary;
#   2. builds the CUDA addon with nvcc (the same sources and flags as binding.gyp; node-gyp needs npm, absent there);
#   3. runs the binding's conformance kits on seqmodel-cuda, with cuBLAS (where it loads) and with the tiled GEMM,
#      and seqmodel's layers on it (the layer conformance kit, a model trained with fit); then the plugin cells on
#      the compiled GPU kernel, its step programs compiled by NVRTC (compiled-kernel checks, times against the host
#      path and the generic loop);
#   4. compares LSTM and GRU at 64x100x64x256 and 256x512x512x1024 with PyTorch's cuDNN layers (outputs within
#      1e-4, gradients, forward and training-step times), with the tiled GEMM and, where a cuBLAS is found (the CUDA
#      installation's or PyTorch's wheels'), cuBLAS;
#   5. builds the addon for an older architecture only (sm_75: it runs here through PTX, kits again) and for a newer
#      one only (sm_100: isAvailable() must refuse it, naming the rebuild);
#   6. runs a small workload under compute-sanitizer (memcheck) with what is left of the time budget
#      (SEQMODEL_GPU_CHECK_BUDGET_S, default 540 s; the slowest step and the least predictable, so it comes last).
# SEQMODEL_GPU_CHECK_STEPS picks steps (default kits,layers,plugins,torch,arch,sanitizer; the build always runs).
# With SEQMODEL_GPU_CHECK_OUT (an absolute path) set, the log, the comparison's case files (JSON: sizes, loss,
# timings) and the sanitizer's report are kept there.
# Exits 0 when every selected step passed, 1 on a failure, 2 when the machine lacks what the check needs or a setting
# is malformed (said in one line), 3 when a step did not finish within the budget.
# SEQMODEL_GPU_CHECK_QUICK=1 skips the large size.
set -uo pipefail
cd "$(dirname "$0")/../../.." || exit 2
bundle=packages/backend-cuda/gpu-bundle
kernels=packages/native-kernels
started=$(date +%s)
say() { echo "gpu-check [$(($(date +%s) - started)) s]: $*"; }
stop() { say "$1"; exit "${2:-2}"; }
# The whole log too, when the results are kept (an absolute path: the script works from the repository's root).
if [ -n "${SEQMODEL_GPU_CHECK_OUT:-}" ]; then
  case "$SEQMODEL_GPU_CHECK_OUT" in
    /*) mkdir -p "$SEQMODEL_GPU_CHECK_OUT" && exec > >(tee "$SEQMODEL_GPU_CHECK_OUT/gpu-check.log") 2>&1 ;;
    *) stop "SEQMODEL_GPU_CHECK_OUT: expected an absolute path, received \"$SEQMODEL_GPU_CHECK_OUT\"" ;;
  esac
fi
budget=${SEQMODEL_GPU_CHECK_BUDGET_S:-540}
[[ "$budget" =~ ^[0-9]+$ ]] || stop "SEQMODEL_GPU_CHECK_BUDGET_S: expected a whole number of seconds, received \"$budget\""
known_steps=kits,layers,plugins,torch,arch,sanitizer
steps=${SEQMODEL_GPU_CHECK_STEPS:-$known_steps}
for step in ${steps//,/ }; do
  [[ ",$known_steps," == *",$step,"* ]] || stop "SEQMODEL_GPU_CHECK_STEPS: expected names from $known_steps, received \"$steps\" (\"$step\" is not one)"
done
want() { [[ ",$steps," == *",$1,"* ]]; }

[ -f "$bundle/check.mjs" ] || stop "$bundle/check.mjs is missing: run node packages/backend-cuda/scripts/prepare-gpu-check.mjs first and carry $bundle"
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  stop "no NVIDIA GPU here (nvidia-smi missing or failing): this check needs one"
fi
nvidia-smi -L
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true

work=$(mktemp -d /tmp/seqmodel-gpu-check.XXXXXX)
out=packages/backend-cuda/build/Release
# On any exit: the default addon back in place (the architecture step swaps in others), the scratch folder gone.
cleanup() {
  [ -f "$work/default.node" ] && cp "$work/default.node" "$out/seqmodel_cuda.node"
  rm -rf "$work"
}
trap cleanup EXIT
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
mkdir -p "$out"
# build_addon <output> [SEQMODEL_CUDA_ARCH value]: the addon with binding.gyp's command line and -gencode arguments
# (cuda-arch.mjs, which says what is wrong with the value, if anything).
build_addon() {
  local gencode=() flag
  while IFS= read -r flag; do gencode+=("$flag"); done < <(SEQMODEL_CUDA_ARCH=${2:-${SEQMODEL_CUDA_ARCH:-}} "$node" packages/backend-cuda/scripts/cuda-arch.mjs --flags)
  [ "${#gencode[@]}" -gt 0 ] || return 1
  say "building the CUDA addon with $("$nvcc" --version | tail -1) for ${2:-${SEQMODEL_CUDA_ARCH:-the default architectures}} (${gencode[*]})"
  local flags=(-std=c++17 -O3 "${gencode[@]}" -DSEQMODEL_TARGET_CUDA -Xcompiler -fPIC,-fvisibility=hidden
    -I"$kernels/include" -I"$kernels" -I"$bundle/node-include")
  "$nvcc" "${flags[@]}" -c packages/backend-cuda/addon/addon.cu -o "$work/addon.o" &
  local first=$!
  "$nvcc" "${flags[@]}" -c packages/backend-cuda/addon/device_sources.cu -o "$work/device_sources.o" || { wait "$first"; return 1; }
  wait "$first" || return 1
  "$nvcc" -shared -L"$cuda_home/lib64" "$work/addon.o" "$work/device_sources.o" -o "$1" \
    -lcudart_static -ldl -lrt -lpthread
}
build_addon "$out/seqmodel_cuda.node" || stop "building the addon failed (the lines above say why)" 1
say "addon built"

failures=0
incomplete=0
# run_check [VAR=value ...] <mode>: one mode of check.mjs with that environment; a failure is counted, and no usable
# GPU (its exit 2) ends the check.
run_check() {
  env "${@:1:$#-1}" "$node" "$bundle/check.mjs" "${@: -1}"
  case $? in
    0) ;;
    2) stop "the addon sees no usable GPU (the line above says why)" ;;
    *) failures=$((failures + 1)) ;;
  esac
}
if want kits; then
  say "conformance kits on seqmodel-cuda"
  run_check kits
  say "conformance kits on seqmodel-cuda with the tiled GEMM (ownKernelsOnly: odd shapes through its edge tiles)"
  run_check SEQMODEL_CUDA_OWN_KERNELS=1 kits
fi
if want layers; then
  say "seqmodel's layers on seqmodel-cuda (layer conformance kit, a model trained with fit)"
  run_check layers
fi
if want plugins; then
  say "plugin cells on seqmodel-cuda (the compiled GPU kernel, step programs compiled by NVRTC)"
  run_check plugins
fi

python=${SEQMODEL_PYTHON:-}
if want torch && [ -z "$python" ]; then
  # The first Python that imports torch: the one on PATH, else a system or conda one.
  for candidate in python3 python /usr/bin/python3 /opt/conda/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import torch" 2>/dev/null; then python=$(command -v "$candidate"); break; fi
  done
  python=${python:-python3}
fi
if ! want torch; then
  :
elif "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  # A cuBLAS for the second run: the addon's dlopen finds the CUDA installation's through the loader's path; else
  # the one PyTorch's wheels carry (nvidia/cublas/lib or nvidia/cu13/lib) goes on LD_LIBRARY_PATH.
  cublas_dir=$("$python" - <<'PY' 2>/dev/null
import glob, os, site, torch
roots = site.getsitepackages() + [site.getusersitepackages(), os.path.dirname(os.path.dirname(torch.__file__))]
for root in roots:
    for path in sorted(glob.glob(os.path.join(root, "nvidia", "**", "libcublas.so*"), recursive=True)):
        print(os.path.dirname(path))
        raise SystemExit
print(os.path.join(os.path.dirname(torch.__file__), "lib"))
PY
)
  cublas_libs=$(compgen -G "$cuda_home/lib64/libcublas.so*"; [ -n "$cublas_dir" ] && compgen -G "$cublas_dir/libcublas.so*")
  quick=${SEQMODEL_GPU_CHECK_QUICK:-0}
  gemms=(own)
  if [ -n "$cublas_libs" ]; then
    gemms+=(cublas)
    say "cuBLAS for the second run, found: $(echo $cublas_libs)"
  else say "no libcublas.so in $cuda_home/lib64 or ${cublas_dir:-the wheels of PyTorch}: the comparison runs on the tiled GEMM only"; fi
  for gemm in "${gemms[@]}"; do
    dir="$work/torch-$gemm"
    mkdir -p "$dir"
    if [ "$gemm" = own ]; then env_vars=(SEQMODEL_CUDA_OWN_KERNELS=1)
    else env_vars=("LD_LIBRARY_PATH=$cuda_home/lib64${cublas_dir:+:$cublas_dir}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    fi
    say "seqmodel-cuda LSTM/GRU cases ($gemm GEMM)"
    env "${env_vars[@]}" SEQMODEL_GPU_CHECK_QUICK="$quick" "$node" "$bundle/check.mjs" torch "$dir" || { failures=$((failures + 1)); continue; }
    say "PyTorch (cuDNN) on the same weights"
    "$python" packages/backend-cuda/gpu-check/compare.py "$dir" apps/bench/torch || failures=$((failures + 1))
    if [ -n "${SEQMODEL_GPU_CHECK_OUT:-}" ]; then mkdir -p "$SEQMODEL_GPU_CHECK_OUT/$gemm" && cp "$dir"/*.json "$SEQMODEL_GPU_CHECK_OUT/$gemm/"; fi
    rm -rf "$dir"
  done
else
  say "no Python with a CUDA PyTorch ($python): the comparison is skipped"
fi
# Architectures: an addon with only an older GPU's code runs here through its PTX (the driver compiles it), and one
# with only a newer GPU's code is refused by isAvailable() with the rebuild hint instead of failing at a launch.
capability=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' ')
major=${capability%%.*}
if ! want arch; then
  :
elif [ -n "$major" ] && [ "$major" -ge 8 ] && [ "$major" -lt 10 ]; then
  cp "$out/seqmodel_cuda.node" "$work/default.node"
  if build_addon "$out/seqmodel_cuda.node" sm_75; then
    say "conformance kits on the sm_75-only addon (PTX compiled by the driver for this GPU)"
    run_check kits
  else failures=$((failures + 1)); fi
  if build_addon "$out/seqmodel_cuda.node" sm_100; then
    say "the sm_100-only addon on this GPU: isAvailable() must refuse it with the rebuild hint"
    refusal=$("$node" "$bundle/check.mjs" kits 2>&1)
    echo "$refusal"
    case "$refusal" in
      *"no usable GPU: the CUDA addon has no code for this GPU"*"SEQMODEL_CUDA_ARCH=sm_${capability/./} "*) ;;
      *) say "FAIL: the refusal above is not the expected one"; failures=$((failures + 1)) ;;
    esac
  else failures=$((failures + 1)); fi
  cp "$work/default.node" "$out/seqmodel_cuda.node"
  rm -f "$work/default.node"
else
  say "architecture checks skipped: they are written for a compute capability 8.x or 9.x GPU (this one: ${major:-unknown})"
fi

sanitizer=$(command -v compute-sanitizer || echo "$cuda_home/bin/compute-sanitizer")
left=$((budget - ($(date +%s) - started)))
if ! want sanitizer; then
  :
elif [ ! -x "$sanitizer" ]; then
  say "compute-sanitizer not found at $sanitizer: skipped"
elif [ "$left" -lt 30 ]; then
  say "compute-sanitizer skipped: ${left} s left of the ${budget} s budget (SEQMODEL_GPU_CHECK_BUDGET_S)"
  incomplete=$((incomplete + 1))
else
  say "compute-sanitizer memcheck on the sanitizer workload (at most ${left} s)"
  report=${SEQMODEL_GPU_CHECK_OUT:-$work}/sanitizer.log
  mkdir -p "$(dirname "$report")"
  timeout -k 10 "$left" "$sanitizer" --tool memcheck --leak-check full --error-exitcode 3 "$node" "$bundle/check.mjs" sanitize >"$report" 2>&1
  status=$?
  # The findings' headers and the summary; the whole report (host backtraces) stays in $report.
  grep -E '^(kits:|FAIL|device:)|^========= (Invalid|Leaked|Program hit|ERROR SUMMARY|LEAK SUMMARY|Error)' "$report" | head -40
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    say "compute-sanitizer ran out of the budget: not finished"
    incomplete=$((incomplete + 1))
  elif [ "$status" -ne 0 ]; then failures=$((failures + 1)); fi
fi
# Exit 0 only when every selected step ran to its end and passed; a step cut short by the budget is not a pass.
say "done: $failures failing step(s), $incomplete not finished"
[ "$failures" -eq 0 ] || exit 1
[ "$incomplete" -eq 0 ] || exit 3
