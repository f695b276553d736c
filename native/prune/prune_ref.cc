// Plain references for pruning: values converted to float, compared as
// floats, groups sorted; zeros counted by looking at the output.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "prune/magnitude.h"
#include "prune/nm.h"

namespace mcs::prune {
namespace {

std::vector<float> as_floats(const TensorView& t) {
  std::vector<float> x(static_cast<size_t>(t.numel()));
  to_f32_ref(t, 0, t.numel(), x.data());
  return x;
}

int64_t count_zeros(const uint8_t* data, const TensorView& like) {
  TensorView v = like;
  v.data = data;
  const std::vector<float> y = as_floats(v);
  return std::count(y.begin(), y.end(), 0.0f);
}

}  // namespace

PruneStats apply_magnitude_ref(const TensorView& t, float threshold, int64_t ties, uint8_t* out, int64_t* ties_used) {
  check_float_tensor(t, "magnitude pruning");
  const int width = elem_bytes(t);
  const std::vector<float> x = as_floats(t);
  std::memcpy(out, t.data, t.nbytes);
  PruneStats st;
  st.numel = t.numel();
  *ties_used = 0;
  // Magnitude order with NaN above every number (NaN equals NaN).
  const bool t_nan = std::isnan(threshold);
  for (int64_t i = 0; i < st.numel; ++i) {
    const float a = std::fabs(x[i]);
    const bool a_nan = std::isnan(a);
    const bool below = t_nan ? !a_nan : (!a_nan && a < threshold);
    const bool equal = t_nan ? a_nan : a == threshold;
    const bool tie = equal && *ties_used < ties;
    if (below || tie) {
      zero_at(out, i, width);
      ++st.pruned;
      *ties_used += tie;
    }
  }
  st.zeros = count_zeros(out, t);
  return st;
}

PruneStats prune_nm_ref(const TensorView& t, const NmSpec& spec, uint8_t* out) {
  check_nm(t, spec);
  const int width = elem_bytes(t);
  const std::vector<float> x = as_floats(t);
  std::memcpy(out, t.data, t.nbytes);
  std::vector<int> order(static_cast<size_t>(spec.m));
  for (int64_t g = 0; g < t.numel() / spec.m; ++g) {
    const float* v = x.data() + g * spec.m;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
    for (int r = spec.n; r < spec.m; ++r) zero_at(out, g * spec.m + order[r], width);
  }
  PruneStats st;
  st.numel = t.numel();
  st.pruned = (t.numel() / spec.m) * (spec.m - spec.n);
  st.zeros = count_zeros(out, t);
  return st;
}

}  // namespace mcs::prune
