#include "engine/linear.h"

#include <algorithm>
#include <mutex>

#include "core/error.h"

namespace mcs::engine {
namespace {

std::mutex& registry_mutex() {
  static std::mutex mu;
  return mu;
}
std::vector<LinearFormat>& registry() {
  static std::vector<LinearFormat> formats;  // function-local: safe across static init order
  return formats;
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

}  // namespace

void register_linear_format(LinearFormat format) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  auto& r = registry();
  r.push_back(std::move(format));
  std::stable_sort(r.begin(), r.end(), [](const LinearFormat& a, const LinearFormat& b) { return a.priority > b.priority; });
}

std::vector<std::string> linear_methods() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& f : registry()) names.push_back(f.method);
  return names;
}

std::unique_ptr<Linear> make_linear(const LinearSpec& spec, const LinearOptions& options) {
  const LinearFormat* chosen = nullptr;
  {
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (const auto& f : registry()) {
      if (options.method == "auto" ? f.auto_accepts && f.auto_accepts(spec) : f.method == options.method) {
        chosen = &f;
        break;
      }
    }
  }
  if (chosen == nullptr) {
    if (options.method != "auto") {
      std::string known;
      for (const auto& m : linear_methods()) known += (known.empty() ? "" : ", ") + m;
      fail("linear layer '" + spec.name + "': unknown method '" + options.method + "' (known: " + known + ")");
    }
    fail("linear layer '" + spec.name + "': no kernel runs weights of type " + dtype_info(spec.weight.dtype).name);
  }
  return chosen->create(spec, options);
}

void check_linear_shapes(const LinearSpec& spec, int64_t& in, int64_t& out) {
  if (spec.weight.data == nullptr && !spec.extra.empty()) {
    // A stored quantized/sparse layout (weight_packed, compressed, …) reached a method that needs a plain weight.
    std::string roles;
    for (const auto& [role, t] : spec.extra) roles += (roles.empty() ? "" : ", ") + role;
    fail("linear layer '" + spec.name + "' has no plain weight (it is stored as " + roles + "); this method needs a float or GGML block weight");
  }
  const auto& s = spec.weight.shape;
  if (s.size() != 2 || s[0] <= 0 || s[1] <= 0)
    fail("linear layer '" + spec.name + "': weight has shape " + shape_text(s) + ", expected a non-empty matrix");
  out = spec.in_out ? s[1] : s[0];
  in = spec.in_out ? s[0] : s[1];
  if (spec.bias) {
    const auto& b = spec.bias->shape;
    if (b.size() != 1 || b[0] != out)
      fail("linear layer '" + spec.name + "': bias has shape " + shape_text(b) + ", expected [" + std::to_string(out) + "]");
  }
}

}  // namespace mcs::engine
