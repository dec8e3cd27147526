{
  "targets": [
    {
      "target_name": "seqmodel_native",
      "sources": ["addon/host_sources.cc"],
      "include_dirs": [
        "<!(node -p \"require('@seqmodel/native-kernels/paths').includeDirectory\")",
        "<!(node -p \"require('path').dirname(require('@seqmodel/native-kernels/paths').includeDirectory)\")"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      # -fno-trapping-math lets GCC if-convert the float comparisons of the gate loops (clamps, ReLU), without which
      # they do not vectorize; nothing here relies on floating-point exceptions or errno.
      "cflags_cc": [
        "-std=c++17",
        "-O3",
        "-fno-trapping-math",
        "-fno-math-errno",
        "-fexceptions",
        "-fvisibility=hidden",
        "-pthread"
      ],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] } },
      "conditions": [
        ["OS!='win' and '<!(node -e \"process.stdout.write(process.env.SEQMODEL_NATIVE_SANITIZE || '')\")'=='address'", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
