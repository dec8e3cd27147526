{
  # The CUDA addon: @seqmodel/native-kernels' napi/addon.cc with the device target and its device sources, compiled
  # by nvcc (the rule below; scripts/build-addon.mjs finds nvcc and the CUDA installation and passes them in the
  # environment) and linked by the host compiler with the static CUDA runtime, which loads the driver
  # (libcuda.so.1) at run time: the addon loads on machines without a GPU and says so.
  "variables": {
    "nvcc%": "<!(node -e \"process.stdout.write(process.env.SEQMODEL_NVCC || 'nvcc')\")",
    "cuda_home%": "<!(node -e \"process.stdout.write(process.env.SEQMODEL_CUDA_HOME || '/usr/local/cuda')\")",
    # nvcc's -gencode arguments for SEQMODEL_CUDA_ARCH (default sm_75,sm_80,sm_90 and PTX of the last).
    "cuda_gencode%": ["<!@(node scripts/cuda-arch.mjs --flags)"],
    "kernels_include%": "<!(node -p \"require('@seqmodel/native-kernels/paths').includeDirectory\")",
    "kernels_root%": "<!(node -p \"require('path').dirname(require('@seqmodel/native-kernels/paths').includeDirectory)\")"
  },
  "targets": [
    {
      "target_name": "seqmodel_cuda",
      "sources": ["addon/addon.cu", "addon/device_sources.cu"],
      "rules": [
        {
          "rule_name": "nvcc",
          "extension": "cu",
          "inputs": ["<(RULE_INPUT_PATH)"],
          "outputs": ["<(INTERMEDIATE_DIR)/<(RULE_INPUT_ROOT).o"],
          "message": "nvcc <(RULE_INPUT_PATH)",
          "process_outputs_as_sources": 1,
          "action": [
            "<(nvcc)", "-std=c++17", "-O3", "<@(cuda_gencode)", "-DSEQMODEL_TARGET_CUDA",
            "-Xcompiler", "-fPIC,-fvisibility=hidden",
            "-I<(kernels_include)", "-I<(kernels_root)", "-I<(node_root_dir)/include/node",
            "-c", "<(RULE_INPUT_PATH)", "-o", "<@(_outputs)"
          ]
        }
      ],
      "library_dirs": ["<(cuda_home)/lib64"],
      "libraries": ["-lcudart_static", "-ldl", "-lrt", "-lpthread"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"]
    }
  ]
}
