// One linear layer on its own, for tests and benchmarks:
// engineLinear(weight | null, { bias?, extra?, inOut?, method?, threshold?, reference?, signal? }) → Promise<EngineLinear>
//   extra: { role: tensor } — companion tensors of a stored quantized weight
//   (weight_packed, weight_scale, absmax, bitmask, …); weight may be null
//   when the format has none (compressed-tensors pack-quantized, sparse-24).
// EngineLinear: forward(x: Float32Array, T, { out?: { y: Float32Array }, signal? }) → Promise<Float32Array>,
//               info() → { method, format, in, out, bytes }, stats() → { calls, tokens, outlierColumns,
//               maxOutlierColumns, columnHits }, resetStats()
#include <cstring>
#include <memory>

#include "binding/engine_binding.h"
#include "binding/env_data.h"
#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "engine/linear.h"

namespace mcs::binding {
namespace {

struct LinearHolder {
  std::unique_ptr<engine::Linear> linear;
  HeldTensor weight, bias;
  bool has_bias = false;
  std::vector<std::pair<std::string, HeldTensor>> extra;
};

class LinearWrap : public Napi::ObjectWrap<LinearWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  explicit LinearWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LinearWrap>(info) {
    if (info.Length() < 1 || !info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "EngineLinear objects come from engineLinear()");
    holder_.reset(info[0].As<Napi::External<LinearHolder>>().Data());
  }

 private:
  Napi::Value forward(const Napi::CallbackInfo& info);
  Napi::Value info(const Napi::CallbackInfo& info) { return linear_info_js(info.Env(), *holder_->linear); }
  Napi::Value stats(const Napi::CallbackInfo& info) { return linear_stats_js(info.Env(), holder_->linear->stats()); }
  Napi::Value reset_stats(const Napi::CallbackInfo& info) {
    holder_->linear->reset_stats();
    return info.Env().Undefined();
  }

  std::shared_ptr<LinearHolder> holder_;
};

class BuildJob : public PromiseJob {
 public:
  BuildJob(Napi::Env env, LinearHolder* h, engine::LinearSpec spec, engine::LinearOptions opt, const Napi::Value& options)
      : PromiseJob(env, options), holder_(h), spec_(std::move(spec)), opt_(std::move(opt)) {}
  ~BuildJob() override { delete holder_; }

 protected:
  void Run(const JobContext&) override {
    if (holder_->has_bias) spec_.bias = &holder_->bias.view;
    holder_->linear = engine::make_linear(spec_, opt_);
  }
  Napi::Value Result(Napi::Env env) override {
    LinearHolder* h = holder_;
    holder_ = nullptr;
    return env_data(env).classes["EngineLinear"].Value().New({Napi::External<LinearHolder>::New(env, h)});
  }

 private:
  LinearHolder* holder_;
  engine::LinearSpec spec_;
  engine::LinearOptions opt_;
};

class ForwardJob : public PromiseJob {
 public:
  ForwardJob(Napi::Env env, std::shared_ptr<LinearHolder> h, HeldArray<float> x, int64_t T, OutArray y,
             const Napi::Value& options)
      : PromiseJob(env, options), holder_(std::move(h)), x_(std::move(x)), T_(T), y_(std::move(y)) {}

 protected:
  void Run(const JobContext&) override { holder_->linear->forward(x_.data, T_, y_.as<float>()); }
  Napi::Value Result(Napi::Env env) override { return y_.value(env); }

 private:
  std::shared_ptr<LinearHolder> holder_;
  HeldArray<float> x_;
  int64_t T_;
  OutArray y_;
};

Napi::Value LinearWrap::forward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const engine::Linear& l = *holder_->linear;
  if (info.Length() < 2 || !info[1].IsNumber()) throw Napi::TypeError::New(env, "forward(x, T): T must be a number");
  const double Td = info[1].As<Napi::Number>().DoubleValue();
  if (!(Td >= 1) || Td != double(int64_t(Td)) || Td > double(1 << 24)) throw Napi::RangeError::New(env, "forward: T must be a positive integer");
  const int64_t T = int64_t(Td);
  auto x = typed_array_arg<float>(info[0], napi_float32_array, "Float32Array", "x", size_t(T * l.in_features()));
  Napi::Value options = info.Length() > 2 ? info[2] : env.Undefined();
  OutArray y = out_array(env, out_option(options, "y"), napi_float32_array, size_t(T * l.out_features()), "out.y");
  return PromiseJob::start(new ForwardJob(env, holder_, std::move(x), T, std::move(y), options));
}

void LinearWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "EngineLinear",
                                    {InstanceMethod<&LinearWrap::forward>("forward"), InstanceMethod<&LinearWrap::info>("info"),
                                     InstanceMethod<&LinearWrap::stats>("stats"),
                                     InstanceMethod<&LinearWrap::reset_stats>("resetStats")});
  remember_class(env, "EngineLinear", ctor);
  exports.Set("EngineLinear", ctor);
}

Napi::Value engine_linear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto h = std::make_unique<LinearHolder>();
  const bool no_weight = info.Length() < 1 || info[0].IsNull() || info[0].IsUndefined();
  if (!no_weight) h->weight = tensor_arg(info[0], "weight");
  Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  engine::LinearSpec spec;
  engine::LinearOptions opt;
  spec.name = h->weight.view.name.empty() ? "linear" : h->weight.view.name;
  if (options.IsObject()) {
    const Napi::Object o = options.As<Napi::Object>();
    const Napi::Value ev = o.Get("extra");
    if (ev.IsObject()) {
      const Napi::Object eo = ev.As<Napi::Object>();
      const Napi::Array keys = eo.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string role = keys.Get(i).As<Napi::String>().Utf8Value();
        HeldTensor t = tensor_arg(eo.Get(role), ("extra['" + role + "']").c_str());
        spec.extra.emplace(role, t.view);
        h->extra.emplace_back(role, std::move(t));
      }
    } else if (!ev.IsUndefined()) {
      throw Napi::TypeError::New(env, "extra must be an object of tensors");
    }
    if (auto n = opt_string(o, "name")) spec.name = *n;
    if (!o.Get("bias").IsUndefined()) {
      h->bias = tensor_arg(o.Get("bias"), "bias");
      h->has_bias = true;
    }
    spec.in_out = opt_bool(o, "inOut").value_or(false);
    if (auto m = opt_string(o, "method")) opt.method = *m;
    if (auto t = opt_number(o, "threshold")) opt.int8_threshold = float(*t);
    opt.reference = opt_bool(o, "reference").value_or(false);
  }
  if (no_weight && spec.extra.empty()) throw Napi::TypeError::New(env, "engineLinear: a weight or its companion tensors (extra) are required");
  spec.weight = h->weight.view;
  return PromiseJob::start(new BuildJob(env, h.release(), std::move(spec), std::move(opt), options));
}

void init(Napi::Env env, Napi::Object exports) {
  LinearWrap::init(env, exports);
  exports.Set("engineLinear", Napi::Function::New(env, engine_linear, "engineLinear"));
}

}  // namespace

MCS_REGISTER_BINDING(engine_linear, init);

}  // namespace mcs::binding
