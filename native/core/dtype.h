// Element types of tensors as stored in files. Block-quantized GGUF types are
// described by their block size and bytes per block.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace mcs {

enum class DType : int { F32, F16, BF16, F64, I8, U8, I16, I32, I64 };

struct DTypeInfo {
  DType dtype;
  const char* name;  // safetensors spelling
  size_t size;
};

const DTypeInfo& dtype_info(DType dt);
// Throws mcs::Error naming the offending string when unknown.
DType parse_dtype(const std::string& name);

}  // namespace mcs
