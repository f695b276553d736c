// "bnb4": bitsandbytes 4-bit weights (NF4/FP4, with or without double
// quantization) as our exporter and transformers store them:
//   weight                              uint8, two codes a byte (first element in the high nibble)
//   weight.absmax                       float32 [blocks] | uint8 [blocks] (double quant)
//   weight.quant_map                    float32 [16]: the value of each code
//   weight.nested_absmax / nested_quant_map   float32 (double quant)
//   weight.quant_state.bitsandbytes__<t>      JSON: quant_type, blocksize, shape, nested_*
// Blocks run over the flattened weight. ŵ = quant_map[code] · absmax, absmax
// decoded once at load (map[q] · nested + offset under double quant). The codes
// are repacked per row (still 4 bits); when blocks tile the rows (cols a
// multiple of the block, the block a multiple of 16) the SIMD kernels of
// int_kernels.h run them with a 16-entry table lookup, else a scalar path.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "cpu/thread_pool.h"
#include "engine/linear.h"
#include "engine/qlinear/companions.h"
#include "engine/qlinear/flat_json.h"
#include "engine/qlinear/int_kernels.h"
#include "engine/weight_rows.h"
#include "quant/bnb4_codes.h"

namespace mcs::engine::qlinear {
namespace {

const char* const kRoles[] = {"weight.absmax", "weight.quant_map", "weight.nested_absmax", "weight.nested_quant_map"};

std::string state_role(const LinearSpec& spec) {
  std::string found;
  for (const auto& [role, t] : spec.extra)
    if (role.rfind("weight.quant_state.", 0) == 0) {
      if (!found.empty()) fail_file("linear layer '" + spec.name + "' has two quantization states ('" + found + "', '" + role + "')");
      found = role;
    }
  return found;
}

struct Bnb4 {
  IntWeights w;                // codes (T4 layout) and, when aligned, absmax as per-row group scales
  std::vector<uint8_t> owned;  // repacked codes
  std::vector<float> absmax;   // per flat block (unaligned path)
  int64_t blocksize = 64;
  bool aligned = false, double_quant = false;
  std::string type;            // "NF4", "FP4" or "4-bit code book"
};

int64_t int_field(const std::map<std::string, JsonValue>& s, const std::string& key, const std::string& what) {
  auto it = s.find(key);
  if (it == s.end() || it->second.kind != JsonValue::Number || it->second.number != std::floor(it->second.number) ||
      it->second.number < 1 || it->second.number > double(1 << 30))
    fail_file(what + ": '" + key + "' must be a positive integer");
  return int64_t(it->second.number);
}

Bnb4 read_bnb4(const LinearSpec& spec) {
  Bnb4 B;
  IntWeights& w = B.w;
  const std::string srole = state_role(spec);
  const std::string sname = role_name(spec, srole);
  {
    std::vector<std::string> known(std::begin(kRoles), std::end(kRoles));
    for (const auto& [role, t] : spec.extra)
      if (role != srole && std::find(known.begin(), known.end(), role) == known.end())
        fail("linear layer '" + spec.name + "': tensor '" + role_name(spec, role) + "' is not part of the bitsandbytes 4-bit layout the engine runs");
  }
  const TensorView& st = *find_role(spec, srole);
  expect_dtype(spec, srole, st, {DType::U8});
  const auto state = parse_flat_json(st.data, st.nbytes, "tensor '" + sname + "'");
  const auto qt = state.find("quant_type");
  const std::string suffix = srole.substr(srole.rfind("__") + 2);
  if (qt == state.end() || qt->second.kind != JsonValue::String || qt->second.text != suffix || (suffix != "nf4" && suffix != "fp4"))
    fail_file("tensor '" + sname + "': quant_type must be '" + suffix + "' (nf4 or fp4)");
  B.blocksize = int_field(state, "blocksize", "tensor '" + sname + "'");
  const auto sh = state.find("shape");
  if (sh == state.end() || sh->second.kind != JsonValue::Numbers || sh->second.numbers.size() != 2)
    fail_file("tensor '" + sname + "': 'shape' must be the two dimensions of the weight");
  for (double d : sh->second.numbers)
    if (!(d >= 1 && d <= double(1 << 30)) || d != std::floor(d)) fail_file("tensor '" + sname + "': 'shape' must hold positive integers");
  w.out = int64_t(sh->second.numbers[0]), w.in = int64_t(sh->second.numbers[1]);
  if (spec.in_out) fail("linear layer '" + spec.name + "': bitsandbytes weights stored [in, out] are not supported");

  const int64_t numel = w.out * w.in, blocks = (numel + B.blocksize - 1) / B.blocksize;
  TensorView pw = spec.weight;
  if (pw.name.empty()) pw.name = spec.name + ".weight";
  expect_dtype(spec, "weight", pw, {DType::U8});
  pw.validate();
  if (int64_t(pw.nbytes) != (numel + 1) / 2)
    fail_file("tensor '" + pw.name + "' holds " + std::to_string(pw.nbytes) + " bytes; a " + std::to_string(w.out) + "×" + std::to_string(w.in) +
              " weight at 4 bits needs " + std::to_string((numel + 1) / 2));

  const auto map = floats_of(spec, "weight.quant_map", need_role(spec, "weight.quant_map", "the value of each 4-bit code"));
  if (map.size() != 16) fail_file("tensor '" + role_name(spec, "weight.quant_map") + "' must hold 16 values");
  for (int i = 0; i < 16; ++i) {
    if (!std::isfinite(map[size_t(i)])) fail_file("tensor '" + role_name(spec, "weight.quant_map") + "' holds a non-finite value");
    w.table[i] = map[size_t(i)];
  }
  B.type = "4-bit code book";
  for (auto [t, name] : {std::pair{quant::Bnb4Type::NF4, "NF4"}, std::pair{quant::Bnb4Type::FP4, "FP4"}})
    if (std::memcmp(quant::bnb4_codebook(t).value, w.table, sizeof(w.table)) == 0) B.type = name;

  const TensorView& am = need_role(spec, "weight.absmax", "one scale per block");
  if (am.numel() != blocks) fail_file("tensor '" + role_name(spec, "weight.absmax") + "' holds " + std::to_string(am.numel()) + " values, expected " + std::to_string(blocks) + " blocks of " + std::to_string(B.blocksize));
  if (am.dtype == DType::U8) {
    B.double_quant = true;
    const int64_t nbs = int_field(state, "nested_blocksize", "tensor '" + sname + "'");
    const auto off = state.find("nested_offset");
    if (off == state.end() || off->second.kind != JsonValue::Number || !std::isfinite(off->second.number))
      fail_file("tensor '" + sname + "': double quantization needs a numeric 'nested_offset'");
    const float offset = float(off->second.number);
    const auto nested = floats_of(spec, "weight.nested_absmax", need_role(spec, "weight.nested_absmax", "double quantization"));
    const auto nmap = floats_of(spec, "weight.nested_quant_map", need_role(spec, "weight.nested_quant_map", "double quantization"));
    if (int64_t(nested.size()) != (blocks + nbs - 1) / nbs)
      fail_file("tensor '" + role_name(spec, "weight.nested_absmax") + "' holds " + std::to_string(nested.size()) + " values, expected " + std::to_string((blocks + nbs - 1) / nbs));
    if (nmap.size() != 256) fail_file("tensor '" + role_name(spec, "weight.nested_quant_map") + "' must hold 256 values");
    TensorView v = am;
    v.validate();
    B.absmax.resize(size_t(blocks));
    for (int64_t b = 0; b < blocks; ++b) B.absmax[size_t(b)] = nmap[v.data[b]] * nested[size_t(b / nbs)] + offset;  // as bitsandbytes decodes
  } else {
    B.absmax = floats_of(spec, "weight.absmax", am);
  }
  for (float a : B.absmax)
    if (!std::isfinite(a)) fail_file("tensor '" + role_name(spec, "weight.absmax") + "' decodes to a non-finite scale");

  // Codes → per-row interleaved nibbles (int_kernels.h's U4 order).
  w.layout = CodeLayout::T4;
  w.stride = (w.in + 15) / 16 * 8;
  B.owned.assign(size_t(w.out * w.stride), 0);
  const uint8_t* src = pw.data;
  uint8_t* dst = B.owned.data();
  const int64_t K = w.in;
  cpu::parallel_for(size_t(w.out), 16, [&](size_t nb, size_t ne) {
    for (int64_t n = int64_t(nb); n < int64_t(ne); ++n)
      for (int64_t k = 0; k < K; ++k) {
        const int64_t e = n * K + k;
        const uint8_t c = (e & 1) ? src[e >> 1] & 15 : src[e >> 1] >> 4;
        uint8_t& byte = dst[n * w.stride + (k >> 4) * 8 + (k & 7)];
        byte = (k & 8) ? uint8_t((byte & 0x0f) | (c << 4)) : uint8_t((byte & 0xf0) | c);
      }
  });
  w.data = B.owned.data();
  B.aligned = w.in % B.blocksize == 0 && B.blocksize % 16 == 0;
  if (B.aligned) {
    w.groups = w.in / B.blocksize, w.group = B.blocksize;
    w.scale = std::move(B.absmax);
    B.absmax.clear();
  }
  return B;
}

class Bnb4Linear final : public Linear {
 public:
  Bnb4Linear(Bnb4 b, const LinearSpec& spec, const LinearOptions& opt)
      : Linear(b.w.in, b.w.out), B_(std::move(b)), bias_(bias_f32(spec, B_.w.out)), reference_(opt.reference) {
    B_.w.data = B_.owned.data();
  }

  void forward(const float* x, int64_t T, float* y) const override {
    const IntWeights& w = B_.w;
    const int64_t K = w.in, N = w.out;
    const size_t grain = size_t(std::max<int64_t>(4, 65536 / std::max<int64_t>(K * T, 1)) / 4 * 4);
    if (B_.aligned) {
      std::vector<float> xsum(size_t(T * w.groups));
      group_sums(x, T, K, w.groups, w.group, xsum.data());
      const IntCall call{&w, x, T, xsum.data(), y, N};
      cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) {
        if (reference_) int_rows_ref(call, int64_t(b), int64_t(e));
        else int_rows(call, int64_t(b), int64_t(e));
      });
    } else {
      cpu::parallel_for(size_t(N), grain, [&](size_t b, size_t e) { unaligned_rows(x, T, y, int64_t(b), int64_t(e)); });
    }
    add_bias(bias_, T, y);
  }

  std::string method() const override { return "bnb4"; }
  std::string format() const override { return B_.type + " b" + std::to_string(B_.blocksize) + (B_.double_quant ? " + double quant" : ""); }
  uint64_t weight_bytes() const override {
    return uint64_t(B_.w.out * B_.w.stride) + 4 * uint64_t(B_.aligned ? B_.w.scale.size() : B_.absmax.size());
  }

 private:
  // Blocks that straddle rows: each element finds its block in the flattened order.
  void unaligned_rows(const float* x, int64_t T, float* y, int64_t n0, int64_t n1) const {
    const IntWeights& w = B_.w;
    const int64_t K = w.in, N = w.out, bs = B_.blocksize;
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t t = 0; t < T; ++t) {
        const float* xt = x + t * K;
        double ref = 0.0;
        float total = 0.0f;
        for (int64_t k = 0; k < K;) {
          const int64_t b = (n * K + k) / bs, end = std::min(K, (b + 1) * bs - n * K);
          const float s = B_.absmax[size_t(b)];
          float a = 0.0f;
          for (; k < end; ++k) {
            if (reference_) ref += double(w.value(n, k) * s) * double(xt[k]);
            else a += w.value(n, k) * xt[k];
          }
          total += s * a;
        }
        y[t * N + n] = reference_ ? float(ref) : total;
      }
  }

  Bnb4 B_;
  std::vector<float> bias_;
  bool reference_;
};

bool accepts(const LinearSpec& spec) { return !state_role(spec).empty() && spec.weight.data != nullptr; }

LinearRegistration registration({
    "bnb4",
    accepts,
    [](const LinearSpec& spec, const LinearOptions& opt) -> std::unique_ptr<Linear> {
      if (state_role(spec).empty()) fail("linear layer '" + spec.name + "': no bitsandbytes quantization state (weight.quant_state.bitsandbytes__nf4|fp4)");
      return std::make_unique<Bnb4Linear>(read_bnb4(spec), spec, opt);
    },
    50,
});

}  // namespace
}  // namespace mcs::engine::qlinear
