#include "core/dtype.h"

#include "core/error.h"

namespace mcs {

static const DTypeInfo kInfos[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::F64, "F64", 8}, {DType::I8, "I8", 1},   {DType::U8, "U8", 1},
    {DType::I16, "I16", 2}, {DType::I32, "I32", 4}, {DType::I64, "I64", 8},
};

const DTypeInfo& dtype_info(DType dt) { return kInfos[static_cast<int>(dt)]; }

DType parse_dtype(const std::string& name) {
  for (const auto& info : kInfos)
    if (name == info.name) return info.dtype;
  fail("unknown dtype '" + name + "'");
}

}  // namespace mcs
