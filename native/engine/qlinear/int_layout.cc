#include "engine/qlinear/int_layout.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/qlinear/companions.h"

namespace mcs::engine::qlinear {
namespace {

int64_t words_for(int64_t n, int b) { return (n * b + 31) / 32; }

int bits_of(const LinearSpec& spec, int64_t cols, int64_t words) {
  if (const TensorView* nb = find_role(spec, "num_bits")) {
    const auto v = ints_of(spec, "num_bits", *nb);
    if (v.size() != 1 || v[0] < 2 || v[0] > 8)
      fail_file("tensor '" + role_name(spec, "num_bits") + "' must hold one bit width from 2 to 8");
    return int(v[0]);
  }
  int found = 0, count = 0;
  for (int b = 2; b <= 8; ++b)
    if (words_for(cols, b) == words) found = b, ++count;
  if (count == 0)
    fail_file("tensor '" + role_name(spec, "weight_packed") + "' has " + std::to_string(words) + " words per row, which fits no bit width from 2 to 8 for " + std::to_string(cols) + " columns");
  if (count > 1)
    fail("linear layer '" + spec.name + "': the bit width of '" + role_name(spec, "weight_packed") + "' is ambiguous from its shape; pass num_bits (from quantization_config)");
  return found;
}

// Scales → [rows, groups] floats; sets the group size.
void read_scales(const LinearSpec& spec, IntLayout& L) {
  IntWeights& w = L.w;
  const TensorView& s = need_role(spec, "weight_scale", "quantized weights need their scales");
  std::vector<float> v = floats_of(spec, "weight_scale", s);
  const bool tensor = s.numel() == 1 && (s.shape.size() <= 1 || (s.shape.size() == 2 && w.out != 1 && s.shape[0] == 1));
  if (tensor) {
    w.groups = 1;
    w.scale.assign(size_t(w.out), v[0]);
    L.granularity = "per-tensor";
  } else {
    if (s.shape.size() != 2 || s.shape[0] != w.out || s.shape[1] < 1)
      fail_file("tensor '" + role_name(spec, "weight_scale") + "' has shape " + dims_text(s.shape) + ", expected [" + std::to_string(w.out) + ", groups]");
    w.groups = s.shape[1];
    if (w.in % w.groups != 0)
      fail("linear layer '" + spec.name + "': " + std::to_string(w.groups) + " scale groups do not divide " + std::to_string(w.in) + " columns (groups that do not divide the row are not supported)");
    w.scale = std::move(v);
    L.granularity = w.groups == 1 ? "per-channel" : "g" + std::to_string(w.in / w.groups);
  }
  w.group = w.in / w.groups;
  for (float f : w.scale)
    if (!std::isfinite(f)) fail_file("tensor '" + role_name(spec, "weight_scale") + "' holds a non-finite scale");
}

// Zero points (asymmetric) → offsets base + z per [row, group].
void read_zero_points(const LinearSpec& spec, IntLayout& L) {
  IntWeights& w = L.w;
  const TensorView* zt = find_role(spec, "weight_zero_point");
  L.symmetric = zt == nullptr;
  if (!zt) return;
  const int64_t rows = w.out, groups = w.groups;
  const int b = L.bits;
  std::vector<int64_t> z(size_t(rows * groups), 0);
  if (zt->numel() == 1 && L.granularity == "per-tensor") {
    z.assign(z.size(), ints_of(spec, "weight_zero_point", *zt)[0]);
  } else if (zt->dtype == DType::I32 && L.packed) {
    // Packed along the rows: column g holds rows' codes + 2^(b−1) as a bit stream over words [w, g].
    expect_shape(spec, "weight_zero_point", *zt, {words_for(rows, b), groups});
    TensorView v = *zt;
    v.validate();
    const int64_t nw = zt->shape[0];
    auto word = [&](int64_t i, int64_t g) -> uint64_t {
      if (i >= nw) return 0;
      uint32_t u;
      std::memcpy(&u, v.data + size_t(i * groups + g) * 4, 4);
      return u;
    };
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t bit = r * b, i = bit >> 5;
        const uint64_t both = word(i, g) | (word(i + 1, g) << 32);
        z[size_t(r * groups + g)] = int64_t((both >> (bit & 31)) & ((1u << b) - 1)) - (int64_t(1) << (b - 1));
      }
  } else {
    expect_dtype(spec, "weight_zero_point", *zt, {DType::I8, DType::I32, DType::I64});
    if (zt->numel() != rows * groups)
      fail_file("tensor '" + role_name(spec, "weight_zero_point") + "' has shape " + dims_text(zt->shape) + ", expected " + std::to_string(rows * groups) + " zero points");
    z = ints_of(spec, "weight_zero_point", *zt);
  }
  const int64_t lo = -(int64_t(1) << (b - 1)), hi = (int64_t(1) << (b - 1)) - 1;
  w.offset.resize(z.size());
  for (size_t i = 0; i < z.size(); ++i) {
    if (z[i] < lo || z[i] > hi)
      fail_file("tensor '" + role_name(spec, "weight_zero_point") + "' holds " + std::to_string(z[i]) + ", outside the " + std::to_string(b) + "-bit range");
    w.offset[i] = w.base + float(z[i]);
  }
}

// Rows of the packed bit stream → the held layout (U4 interleaved, or U8 bytes).
void repack(const uint8_t* packed, int64_t row_bytes, IntLayout& L) {
  IntWeights& w = L.w;
  const int b = L.bits;
  const int64_t K = w.in, half = int64_t(1) << (b - 1);
  const int64_t held_base = w.layout == CodeLayout::U4 ? 8 : 128;
  w.stride = w.layout == CodeLayout::U4 ? (K + 15) / 16 * 8 : K;
  L.owned.assign(size_t(w.out * w.stride), 0);
  // Empty nibbles of a partial last chunk hold code 0 (never read by the kernels).
  uint8_t* dst = L.owned.data();
  cpu::parallel_for(size_t(w.out), 16, [&](size_t nb, size_t ne) {
    for (int64_t n = int64_t(nb); n < int64_t(ne); ++n) {
      const uint8_t* src = packed + n * row_bytes;
      uint8_t* out = dst + n * w.stride;
      for (int64_t k = 0; k < K; ++k) {
        const uint8_t u = uint8_t(int64_t(bit_field(src, row_bytes, k, b)) - half + held_base);
        if (w.layout == CodeLayout::U8) {
          out[k] = u;
        } else {
          uint8_t& byte = out[(k >> 4) * 8 + (k & 7)];
          byte = (k & 8) ? uint8_t((byte & 0x0f) | (u << 4)) : uint8_t((byte & 0xf0) | u);
        }
      }
    }
  });
  w.data = L.owned.data();
}

}  // namespace

bool is_pack_quantized(const LinearSpec& spec) { return find_role(spec, "weight_packed") != nullptr; }

bool is_int_quantized(const LinearSpec& spec) {
  return spec.weight.data != nullptr && spec.weight.dtype == DType::I8 && find_role(spec, "weight_scale") != nullptr;
}

IntLayout read_int_layout(const LinearSpec& spec) {
  IntLayout L;
  IntWeights& w = L.w;
  if (spec.in_out) fail("linear layer '" + spec.name + "': quantized weights stored [in, out] are not supported");
  if (is_pack_quantized(spec)) {
    refuse_unknown_roles(spec, {"weight_packed", "weight_scale", "weight_zero_point", "weight_shape", "num_bits"}, "compressed-tensors pack-quantized");
    const TensorView& p = need_role(spec, "weight_packed", "");
    const auto shape = ints_of(spec, "weight_shape", need_role(spec, "weight_shape", "pack-quantized weights record their shape"));
    if (shape.size() != 2 || shape[0] <= 0 || shape[1] <= 0 || shape[0] > (int64_t(1) << 31) || shape[1] > (int64_t(1) << 31))
      fail_file("tensor '" + role_name(spec, "weight_shape") + "' must hold two positive dimensions");
    w.out = shape[0], w.in = shape[1];
    expect_dtype(spec, "weight_packed", p, {DType::I32});
    if (p.shape.size() != 2 || p.shape[0] != w.out)
      fail_file("tensor '" + role_name(spec, "weight_packed") + "' has shape " + dims_text(p.shape) + ", expected [" + std::to_string(w.out) + ", words]");
    TensorView pv = p;
    if (pv.name.empty()) pv.name = role_name(spec, "weight_packed");
    pv.validate();
    L.bits = bits_of(spec, w.in, p.shape[1]);
    expect_shape(spec, "weight_packed", p, {w.out, words_for(w.in, L.bits)});
    const int64_t row_bytes = p.shape[1] * 4;
    if (L.bits == 8) {
      w.layout = CodeLayout::U8, w.data = p.data, w.stride = row_bytes, w.base = 128.0f;
    } else {
      w.layout = L.bits <= 4 ? CodeLayout::U4 : CodeLayout::U8;
      w.base = w.layout == CodeLayout::U4 ? 8.0f : 128.0f;
      repack(p.data, row_bytes, L);
    }
  } else {
    refuse_unknown_roles(spec, {"weight_scale", "weight_zero_point"}, "compressed-tensors int-quantized");
    L.packed = false;
    const auto& s = spec.weight.shape;
    if (s.size() != 2 || s[0] <= 0 || s[1] <= 0) fail_file("tensor '" + spec.name + ".weight' must be a matrix");
    TensorView v = spec.weight;
    if (v.name.empty()) v.name = spec.name + ".weight";
    v.validate();
    w.out = s[0], w.in = s[1], w.layout = CodeLayout::S8, w.data = v.data, w.stride = w.in, w.base = 0.0f;
  }
  read_scales(spec, L);
  read_zero_points(spec, L);
  return L;
}

}  // namespace mcs::engine::qlinear
