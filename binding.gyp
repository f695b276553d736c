# Native addon: kernels in native/<area>/*.cc; files ending in _avx2.cc are built
# separately with AVX2/FMA/F16C enabled and chosen at run time from cpuid, so one
# binary runs on any x86-64 CPU. -ffp-contract=off: no fused multiply-adds the
# source did not ask for, so the SIMD paths round exactly as the scalar references.
{
  "variables": {
    "mcs_common_cflags": ["-O3", "-fno-math-errno", "-ffp-contract=off", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"]
  },
  "targets": [
    {
      "target_name": "mcs_avx2",
      "type": "static_library",
      "cflags_cc": ["-std=c++17", "<@(mcs_common_cflags)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "include_dirs": ["native"],
      "conditions": [
        ["target_arch=='x64' or target_arch=='ia32'", {
          "sources": ["<!@(node scripts/list-native-sources.mjs avx2)"],
          "cflags_cc": ["-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-ffp-contract=off", "-mavx2", "-mfma", "-mf16c"], "GCC_ENABLE_CPP_EXCEPTIONS": "YES" },
          "msvs_settings": { "VCCLCompilerTool": { "EnableEnhancedInstructionSet": "5", "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } }
        }, {
          "sources": ["native/core/empty.cc"]
        }]
      ]
    },
    {
      "target_name": "mcs_native",
      "dependencies": ["mcs_avx2"],
      "sources": ["<!@(node scripts/list-native-sources.mjs generic)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "<@(mcs_common_cflags)", "-pthread"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } }
    }
  ]
}
