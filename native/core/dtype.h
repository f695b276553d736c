// Element types of tensors as stored in files. Block-quantized GGUF types are
// described by their block size and bytes per block.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace mcs {

// Plain types, then the GGML block types (GGUF spelling). Values are ours, not
// GGML's type ids: those are in DTypeInfo::ggml_type.
enum class DType : int {
  F32, F16, BF16, F64, I8, U8, I16, I32, I64,
  Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL, IQ4_XS,
};

struct DTypeInfo {
  DType dtype;
  const char* name;  // safetensors spelling (GGUF spelling for block types)
  size_t size;       // bytes per block (per element for plain types)
  int64_t block;     // elements per block: 1 for plain types, 32 or 256 for GGML blocks
  int ggml_type;     // GGUF tensor type id, -1 where GGUF has none
};

const DTypeInfo& dtype_info(DType dt);
inline bool is_block_type(DType dt) { return dtype_info(dt).block > 1; }
// Throws mcs::Error naming the offending string when unknown.
DType parse_dtype(const std::string& name);

}  // namespace mcs
