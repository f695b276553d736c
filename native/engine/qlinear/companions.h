// Reading the companion tensors of a stored quantized weight (scales, zero
// points, packed codes, masks) out of LinearSpec::extra, with the checks every
// format shares. Errors name the tensor as "<layer>.<role>" and say what was
// expected, so a bad file is reported, never read out of bounds.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "engine/linear.h"

namespace mcs::engine::qlinear {

// The tensor of `role`, or null when the layer has none.
const TensorView* find_role(const LinearSpec& spec, const std::string& role);
// The tensor of `role`; throws naming it when absent.
const TensorView& need_role(const LinearSpec& spec, const std::string& role, const std::string& why);
// "<layer>.<role>" for messages.
std::string role_name(const LinearSpec& spec, const std::string& role);

// Throws unless the tensor's dtype is one of `allowed`.
void expect_dtype(const LinearSpec& spec, const std::string& role, const TensorView& t, std::initializer_list<DType> allowed);
// Throws unless the tensor has exactly this shape.
void expect_shape(const LinearSpec& spec, const std::string& role, const TensorView& t, const std::vector<int64_t>& shape);
// Throws when extra holds a role outside `known` (a layout we do not run).
void refuse_unknown_roles(const LinearSpec& spec, std::initializer_list<const char*> known, const std::string& format);

// Small tensors as host values (validated first): any float type → float,
// any integer type → int64. `what` names the role for messages.
std::vector<float> floats_of(const LinearSpec& spec, const std::string& role, const TensorView& t);
std::vector<int64_t> ints_of(const LinearSpec& spec, const std::string& role, const TensorView& t);

std::string dims_text(const std::vector<int64_t>& s);

// Converts a stored float (F32/F16/BF16) tensor's elements to float.
inline bool is_float_type(DType dt) { return dt == DType::F32 || dt == DType::F16 || dt == DType::BF16; }

}  // namespace mcs::engine::qlinear
