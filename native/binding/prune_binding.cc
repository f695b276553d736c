// Magnitude and N:M pruning (native/prune/magnitude.h, nm.h).
//
// magnitudeThreshold(tensors: tensor[], { sparsity, signal?, onProgress? })
//   → Promise<{ threshold, ties, target, total }>
// pruneMagnitude(tensor, { sparsity | threshold, ties?, reference?, out?, … })
//   → Promise<{ tensor, pruned, tiesUsed, zeros, numel, sparsity }>
// pruneNM(tensor, { n, m, reference? … }) → Promise<{ tensor, pruned, zeros, numel, sparsity }>
// `tensor` in the results has the input's dtype, shape and name; `out` (Float32Array for
// F32, Uint16Array for F16/BF16, numel long) receives its data instead of a new array.
#include <napi.h>

#include <optional>

#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "prune/magnitude.h"
#include "prune/nm.h"

namespace mcs::binding {
namespace {

Napi::Object stats_js(Napi::Env env, const prune::PruneStats& s, const OutArray& out, const TensorView& like) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tensor", tensor_js(env, out, like.dtype, like.shape, like.name));
  o.Set("pruned", double(s.pruned));
  o.Set("zeros", double(s.zeros));
  o.Set("numel", double(s.numel));
  o.Set("sparsity", s.sparsity());
  return o;
}

// The pruned copy: options.out (a Float32Array for F32, Uint16Array for F16/BF16) or a new array.
OutArray output_for(Napi::Env env, const TensorView& t, const Napi::Value& options) {
  const Napi::Value given = options.IsObject() ? options.As<Napi::Object>().Get("out") : env.Undefined();
  return out_array(env, given, typed_array_type_for(t.dtype), size_t(t.numel()), "out");
}

class ThresholdJob : public PromiseJob {
 public:
  ThresholdJob(Napi::Env env, std::vector<HeldTensor> ts, double sparsity, const Napi::Value& options)
      : PromiseJob(env, options), ts_(std::move(ts)), sparsity_(sparsity) {}

 protected:
  void Run(const JobContext& ctx) override {
    std::vector<const TensorView*> views;
    for (const HeldTensor& t : ts_) views.push_back(&t.view);
    r_ = prune::magnitude_threshold(views, sparsity_, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("threshold", double(r_.threshold));
    o.Set("ties", double(r_.ties));
    o.Set("target", double(r_.target));
    o.Set("total", double(r_.total));
    return o;
  }

 private:
  std::vector<HeldTensor> ts_;
  double sparsity_;
  prune::MagnitudeThreshold r_;
};

Napi::Value magnitude_threshold(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "tensors must be an array");
  const Napi::Array a = info[0].As<Napi::Array>();
  std::vector<HeldTensor> ts;
  for (uint32_t i = 0; i < a.Length(); ++i) ts.push_back(tensor_arg(a.Get(i), ("tensors[" + std::to_string(i) + "]").c_str()));
  const Napi::Object o = object_arg(info, 1, "options");
  const double sparsity = number_prop(o, "sparsity");
  js_checked(env, [&] {
    MCS_CHECK(sparsity >= 0 && sparsity <= 1, "sparsity must be between 0 and 1");
    for (const HeldTensor& t : ts) prune::check_float_tensor(t.view, "magnitude pruning");
  });
  return PromiseJob::start(new ThresholdJob(env, std::move(ts), sparsity, info[1]));
}

class MagnitudeJob : public PromiseJob {
 public:
  MagnitudeJob(Napi::Env env, HeldTensor t, std::optional<double> sparsity, float threshold, int64_t ties, bool reference,
               const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), sparsity_(sparsity), threshold_(threshold), ties_(ties),
        reference_(reference) {
    out_ = output_for(env, t_.view, options);
  }

 protected:
  void Run(const JobContext& ctx) override {
    if (sparsity_) {
      const prune::MagnitudeThreshold r = prune::magnitude_threshold({&t_.view}, *sparsity_, ctx);
      threshold_ = r.threshold;
      ties_ = r.ties;
    }
    st_ = reference_ ? prune::apply_magnitude_ref(t_.view, threshold_, ties_, out_.data, &used_)
                     : prune::apply_magnitude(t_.view, threshold_, ties_, out_.data, &used_, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = stats_js(env, st_, out_, t_.view);
    o.Set("tiesUsed", double(used_));
    o.Set("threshold", double(threshold_));
    return o;
  }

 private:
  HeldTensor t_;
  std::optional<double> sparsity_;
  float threshold_;
  int64_t ties_, used_ = 0;
  bool reference_;
  OutArray out_;
  prune::PruneStats st_;
};

Napi::Value prune_magnitude(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const Napi::Object o = object_arg(info, 1, "options");
  const std::optional<double> sparsity = opt_number(o, "sparsity");
  const std::optional<double> threshold = opt_number(o, "threshold");
  if (sparsity.has_value() == threshold.has_value())
    throw Napi::TypeError::New(env, "give either sparsity or threshold (with ties) to pruneMagnitude");
  const int64_t ties = o.Get("ties").IsUndefined() ? 0 : int64_t(index_prop(o, "ties"));
  js_checked(env, [&] {
    prune::check_float_tensor(t.view, "magnitude pruning");
    if (sparsity) MCS_CHECK(*sparsity >= 0 && *sparsity <= 1, "sparsity must be between 0 and 1");
    if (threshold) MCS_CHECK(*threshold >= 0, "threshold must be a magnitude (≥ 0)");
  });
  return PromiseJob::start(new MagnitudeJob(env, std::move(t), sparsity, float(threshold.value_or(0)), ties,
                                            opt_bool(o, "reference").value_or(false), info[1]));
}

class NmJob : public PromiseJob {
 public:
  NmJob(Napi::Env env, HeldTensor t, prune::NmSpec spec, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), spec_(spec), reference_(reference) {
    out_ = output_for(env, t_.view, options);
  }

 protected:
  void Run(const JobContext& ctx) override {
    st_ = reference_ ? prune::prune_nm_ref(t_.view, spec_, out_.data) : prune::prune_nm(t_.view, spec_, out_.data, ctx);
  }
  Napi::Value Result(Napi::Env env) override { return stats_js(env, st_, out_, t_.view); }

 private:
  HeldTensor t_;
  prune::NmSpec spec_;
  bool reference_;
  OutArray out_;
  prune::PruneStats st_;
};

Napi::Value prune_nm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const Napi::Object o = object_arg(info, 1, "options");
  prune::NmSpec spec;
  spec.n = static_cast<int>(number_prop(o, "n"));
  spec.m = static_cast<int>(number_prop(o, "m"));
  js_checked(env, [&] { prune::check_nm(t.view, spec); });
  return PromiseJob::start(new NmJob(env, std::move(t), spec, opt_bool(o, "reference").value_or(false), info[1]));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("magnitudeThreshold", Napi::Function::New(env, magnitude_threshold, "magnitudeThreshold"));
  exports.Set("pruneMagnitude", Napi::Function::New(env, prune_magnitude, "pruneMagnitude"));
  exports.Set("pruneNM", Napi::Function::New(env, prune_nm, "pruneNM"));
}

}  // namespace

MCS_REGISTER_BINDING(prune, init);

}  // namespace mcs::binding
