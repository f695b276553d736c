#include "core/dtype.h"

#include "core/error.h"

namespace mcs {

// Block sizes and GGUF ids from ggml's ggml-common.h / gguf spec; the block
// structs in quant/gguf/blocks.h static_assert the same byte counts.
static const DTypeInfo kInfos[] = {
    {DType::F32, "F32", 4, 1, 0},      {DType::F16, "F16", 2, 1, 1},      {DType::BF16, "BF16", 2, 1, 30},
    {DType::F64, "F64", 8, 1, 28},     {DType::I8, "I8", 1, 1, 24},       {DType::U8, "U8", 1, 1, -1},
    {DType::I16, "I16", 2, 1, 25},     {DType::I32, "I32", 4, 1, 26},     {DType::I64, "I64", 8, 1, 27},
    {DType::Q4_0, "Q4_0", 18, 32, 2},  {DType::Q4_1, "Q4_1", 20, 32, 3},  {DType::Q5_0, "Q5_0", 22, 32, 6},
    {DType::Q5_1, "Q5_1", 24, 32, 7},  {DType::Q8_0, "Q8_0", 34, 32, 8},  {DType::Q8_1, "Q8_1", 36, 32, 9},
    {DType::Q2_K, "Q2_K", 84, 256, 10}, {DType::Q3_K, "Q3_K", 110, 256, 11}, {DType::Q4_K, "Q4_K", 144, 256, 12},
    {DType::Q5_K, "Q5_K", 176, 256, 13}, {DType::Q6_K, "Q6_K", 210, 256, 14}, {DType::Q8_K, "Q8_K", 292, 256, 15},
    {DType::IQ4_NL, "IQ4_NL", 18, 32, 20}, {DType::IQ4_XS, "IQ4_XS", 136, 256, 23},
};
static_assert(sizeof(kInfos) / sizeof(kInfos[0]) == static_cast<size_t>(DType::IQ4_XS) + 1, "one entry per DType");

const DTypeInfo& dtype_info(DType dt) { return kInfos[static_cast<int>(dt)]; }

DType parse_dtype(const std::string& name) {
  for (const auto& info : kInfos)
    if (name == info.name) return info.dtype;
  fail("unknown dtype '" + name + "'");
}

}  // namespace mcs
