// A linear layer y = x·Wᵀ (+ b) in the arithmetic of its stored format. The
// engine only sees this interface; each weight format (dense F32/F16/BF16,
// LLM.int8(), and later W8A16, W4A16, NF4, GGUF blocks, 2:4 sparse) is a
// subclass registered under a method name, chosen per weight by make_linear.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace mcs::engine {

// What a weight is made of. `weight` is [out, in] (PyTorch nn.Linear order)
// unless `in_out` (GPT-2 Conv1D, [in, out]). Formats that need companion
// tensors (scales, zero points, masks) find them in `extra` by role name.
struct LinearSpec {
  std::string name;  // e.g. "blk.3.attn_q", for messages
  TensorView weight;
  const TensorView* bias = nullptr;  // [out] or null
  bool in_out = false;
  std::map<std::string, TensorView> extra;
};

struct LinearOptions {
  // "auto": the first registered format that accepts the weight as stored;
  // otherwise a method by name ("dense", "llm_int8", ...).
  std::string method = "auto";
  float int8_threshold = 6.0f;  // LLM.int8(): outlier magnitude
  bool reference = false;       // run the scalar reference kernels (tests)
};

// Counters a format may keep across forward calls (LLM.int8() outliers).
struct LinearStats {
  uint64_t calls = 0;
  uint64_t tokens = 0;
  uint64_t outlier_columns = 0;      // Σ over calls of outlier columns taken out
  uint64_t max_outlier_columns = 0;  // most in one call
  std::vector<uint32_t> column_hits;  // per input feature: calls in which it was an outlier
};

class Linear {
 public:
  Linear(int64_t in, int64_t out) : in_(in), out_(out) {}
  virtual ~Linear() = default;
  Linear(const Linear&) = delete;
  Linear& operator=(const Linear&) = delete;

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

  // y[T, out] = x[T, in] · Wᵀ + b. x and y do not overlap. Threaded inside;
  // results do not depend on the thread count. Safe to call concurrently.
  virtual void forward(const float* x, int64_t T, float* y) const = 0;

  virtual std::string method() const = 0;  // registry name, e.g. "dense"
  virtual std::string format() const = 0;  // what runs, e.g. "F16", "int8+F32 outliers"
  virtual uint64_t weight_bytes() const = 0;  // bytes of weight data read per forward
  virtual LinearStats stats() const { return {}; }
  virtual void reset_stats() const {}

 private:
  int64_t in_, out_;
};

using LinearFactory = std::function<std::unique_ptr<Linear>(const LinearSpec&, const LinearOptions&)>;

struct LinearFormat {
  std::string method;
  // Whether "auto" picks this format for `spec` (e.g. by weight dtype and the
  // companion tensors present). Formats only reached by name return false.
  std::function<bool(const LinearSpec&)> auto_accepts;
  LinearFactory create;
  int priority = 0;  // "auto" tries higher priorities first
};

// Registers a format (call from a static initialiser in the format's .cc).
void register_linear_format(LinearFormat format);
// Builds the linear layer for `spec`; throws mcs::Error naming the weight when
// no registered format accepts it or the method is unknown.
std::unique_ptr<Linear> make_linear(const LinearSpec& spec, const LinearOptions& options);
std::vector<std::string> linear_methods();

// Shape checks every format shares: weight 2-D with the given in/out, bias [out].
void check_linear_shapes(const LinearSpec& spec, int64_t& in, int64_t& out);

// Static registration helper: `static LinearRegistration reg({...});`
struct LinearRegistration {
  explicit LinearRegistration(LinearFormat f) { register_linear_format(std::move(f)); }
};

}  // namespace mcs::engine
