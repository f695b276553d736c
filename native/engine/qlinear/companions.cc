#include "engine/qlinear/companions.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace mcs::engine::qlinear {

std::string dims_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::string role_name(const LinearSpec& spec, const std::string& role) { return spec.name + "." + role; }

const TensorView* find_role(const LinearSpec& spec, const std::string& role) {
  auto it = spec.extra.find(role);
  return it == spec.extra.end() ? nullptr : &it->second;
}

const TensorView& need_role(const LinearSpec& spec, const std::string& role, const std::string& why) {
  const TensorView* t = find_role(spec, role);
  if (!t) fail("linear layer '" + spec.name + "': tensor '" + role_name(spec, role) + "' is missing (" + why + ")");
  return *t;
}

void expect_dtype(const LinearSpec& spec, const std::string& role, const TensorView& t, std::initializer_list<DType> allowed) {
  for (DType d : allowed)
    if (t.dtype == d) return;
  std::string names;
  for (DType d : allowed) names += (names.empty() ? "" : " or ") + std::string(dtype_info(d).name);
  fail_file("tensor '" + role_name(spec, role) + "' is of type " + dtype_info(t.dtype).name + ", expected " + names);
}

void expect_shape(const LinearSpec& spec, const std::string& role, const TensorView& t, const std::vector<int64_t>& shape) {
  if (t.shape != shape)
    fail_file("tensor '" + role_name(spec, role) + "' has shape " + dims_text(t.shape) + ", expected " + dims_text(shape));
}

void refuse_unknown_roles(const LinearSpec& spec, std::initializer_list<const char*> known, const std::string& format) {
  for (const auto& [role, t] : spec.extra) {
    if (std::any_of(known.begin(), known.end(), [&](const char* k) { return role == k; })) continue;
    fail("linear layer '" + spec.name + "': tensor '" + role_name(spec, role) + "' is not part of the " + format +
         " layout the engine runs (unsupported variant)");
  }
}

std::vector<float> floats_of(const LinearSpec& spec, const std::string& role, const TensorView& t) {
  expect_dtype(spec, role, t, {DType::F32, DType::F16, DType::BF16});
  TensorView v = t;
  if (v.name.empty()) v.name = role_name(spec, role);
  v.validate();
  std::vector<float> out(static_cast<size_t>(v.numel()));
  if (!out.empty()) to_f32(v, 0, v.numel(), out.data());
  return out;
}

std::vector<int64_t> ints_of(const LinearSpec& spec, const std::string& role, const TensorView& t) {
  expect_dtype(spec, role, t, {DType::I8, DType::U8, DType::I16, DType::I32, DType::I64});
  TensorView v = t;
  if (v.name.empty()) v.name = role_name(spec, role);
  v.validate();
  const int64_t n = v.numel();
  const size_t es = dtype_info(v.dtype).size;
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* p = v.data + size_t(i) * es;
    switch (v.dtype) {
      case DType::I8: out[size_t(i)] = int8_t(*p); break;
      case DType::U8: out[size_t(i)] = *p; break;
      case DType::I16: { int16_t x; std::memcpy(&x, p, 2); out[size_t(i)] = x; break; }
      case DType::I32: { int32_t x; std::memcpy(&x, p, 4); out[size_t(i)] = x; break; }
      default: { int64_t x; std::memcpy(&x, p, 8); out[size_t(i)] = x; break; }
    }
  }
  return out;
}

}  // namespace mcs::engine::qlinear
