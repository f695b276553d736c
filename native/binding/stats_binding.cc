// tensorStats(tensor, { bins?, outlierSigma?, perChannel?, histRange?: [lo, hi], reference?, signal?, onProgress? })
//   → Promise<{ count, nonfinite, zeros, min, max, absmax, mean, std, kurtosis,
//               outlierShare, histLo, histHi, histogram: Float64Array, channelAbsmax: Float32Array }>
#include <napi.h>

#include <cstring>

#include "binding/js_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "stats/tensor_stats.h"

namespace mcs::binding {
namespace {

class StatsJob : public PromiseJob {
 public:
  StatsJob(Napi::Env env, HeldTensor t, stats::StatsOptions opt, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), tensor_(std::move(t)), opt_(opt), reference_(reference) {}

 protected:
  void Run(const JobContext& ctx) override {
    result_ = reference_ ? stats::tensor_stats_ref(tensor_.view, opt_) : stats::tensor_stats(tensor_.view, opt_, ctx);
  }

  Napi::Value Result(Napi::Env env) override {
    const stats::TensorStats& s = result_;
    Napi::Object o = Napi::Object::New(env);
    o.Set("count", double(s.count));
    o.Set("nonfinite", double(s.nonfinite));
    o.Set("zeros", double(s.zeros));
    o.Set("min", s.min);
    o.Set("max", s.max);
    o.Set("absmax", s.absmax);
    o.Set("mean", s.mean);
    o.Set("std", s.std);
    o.Set("kurtosis", s.kurtosis);
    o.Set("outlierShare", s.outlier_share);
    o.Set("histLo", s.hist_lo);
    o.Set("histHi", s.hist_hi);
    Napi::Float64Array hist = Napi::Float64Array::New(env, s.histogram.size());
    for (size_t i = 0; i < s.histogram.size(); ++i) hist[i] = double(s.histogram[i]);
    o.Set("histogram", hist);
    Napi::Float32Array ch = Napi::Float32Array::New(env, s.channel_absmax.size());
    if (!s.channel_absmax.empty()) std::memcpy(ch.Data(), s.channel_absmax.data(), s.channel_absmax.size() * 4);
    o.Set("channelAbsmax", ch);
    return o;
  }

 private:
  HeldTensor tensor_;
  stats::StatsOptions opt_;
  bool reference_;
  stats::TensorStats result_;
};

Napi::Value tensor_stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  stats::StatsOptions opt;
  bool reference = false;
  if (options.IsObject()) {
    const Napi::Object o = options.As<Napi::Object>();
    if (auto v = opt_number(o, "bins")) opt.bins = static_cast<int>(*v);
    if (auto v = opt_number(o, "outlierSigma")) opt.outlier_sigma = *v;
    if (auto v = opt_bool(o, "perChannel")) opt.per_channel = *v;
    if (auto v = opt_bool(o, "reference")) reference = *v;
    const Napi::Value range = o.Get("histRange");
    if (!range.IsUndefined()) {
      const bool ok = range.IsArray() && range.As<Napi::Array>().Length() == 2 && range.As<Napi::Array>().Get(0u).IsNumber() &&
                      range.As<Napi::Array>().Get(1u).IsNumber();
      if (!ok) throw Napi::TypeError::New(env, "histRange must be [low, high]");
      opt.fixed_range = true;
      opt.range_lo = range.As<Napi::Array>().Get(0u).As<Napi::Number>().DoubleValue();
      opt.range_hi = range.As<Napi::Array>().Get(1u).As<Napi::Number>().DoubleValue();
    }
  }
  return PromiseJob::start(new StatsJob(env, std::move(t), opt, reference, options));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("tensorStats", Napi::Function::New(env, tensor_stats, "tensorStats"));
}

}  // namespace

MCS_REGISTER_BINDING(stats, init);

}  // namespace mcs::binding
