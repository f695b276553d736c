// engineLoad(config, tensors, { method?, threshold?, reference?, signal?, onProgress? }) → Promise<EngineModel>
// EngineModel: info(), linearStats(), resetLinearStats(), createSession(context), dispose()
// engineMethods() → the registered linear methods
#include "binding/engine_binding.h"

#include <cstring>

#include "binding/env_data.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "engine/linear.h"

namespace mcs::binding {
namespace {

Napi::TypeError type_error(Napi::Env env, const std::string& m) { return Napi::TypeError::New(env, m); }

int64_t int_field(const Napi::Object& o, const char* key) {
  const uint64_t v = index_prop(o, key);
  if (v > (uint64_t(1) << 31)) throw type_error(o.Env(), std::string("config.") + key + " is too large");
  return int64_t(v);
}

template <typename E>
E enum_field(const Napi::Object& o, const char* key, std::initializer_list<std::pair<const char*, E>> choices, E fallback) {
  const auto v = opt_string(o, key);
  if (!v) return fallback;
  std::string names;
  for (const auto& [name, value] : choices) {
    if (*v == name) return value;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  throw type_error(o.Env(), std::string("config.") + key + " must be one of " + names + ", got '" + *v + "'");
}

class LoadJob : public PromiseJob {
 public:
  LoadJob(Napi::Env env, engine::EngineConfig cfg, std::vector<std::pair<std::string, HeldTensor>> tensors,
          engine::ModelOptions opt, const Napi::Value& options)
      : PromiseJob(env, options), cfg_(std::move(cfg)), tensors_(std::move(tensors)), opt_(std::move(opt)) {}

 protected:
  void Run(const JobContext& ctx) override {
    engine::TensorMap map;
    for (auto& [name, t] : tensors_) map.emplace(name, t.view);
    model_ = std::make_shared<engine::Model>(cfg_, map, opt_, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    EngineModelWrap::Payload p;
    p.model = std::move(model_);
    for (auto& [name, t] : tensors_) p.tensors.push_back(std::move(t));
    return EngineModelWrap::wrap(env, std::move(p));
  }

 private:
  engine::EngineConfig cfg_;
  std::vector<std::pair<std::string, HeldTensor>> tensors_;
  engine::ModelOptions opt_;
  std::shared_ptr<engine::Model> model_;
};

Napi::Value engine_load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  engine::EngineConfig cfg = engine_config_arg(info[0]);
  const Napi::Object obj = object_arg(info, 1, "tensors");
  std::vector<std::pair<std::string, HeldTensor>> tensors;
  const Napi::Array keys = obj.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); ++i) {
    const std::string name = keys.Get(i).As<Napi::String>().Utf8Value();
    HeldTensor t = tensor_arg(obj.Get(name), ("tensors['" + name + "']").c_str());
    if (t.view.name.empty()) t.view.name = name;
    tensors.emplace_back(name, std::move(t));
  }
  Napi::Value options = info.Length() > 2 ? info[2] : env.Undefined();
  engine::ModelOptions opt;
  if (options.IsObject()) {
    const Napi::Object o = options.As<Napi::Object>();
    if (auto m = opt_string(o, "method")) opt.linear.method = *m;
    if (auto th = opt_number(o, "threshold")) opt.linear.int8_threshold = float(*th);
    if (auto r = opt_bool(o, "reference")) opt.linear.reference = opt.output_linear.reference = *r;
  }
  return PromiseJob::start(new LoadJob(env, std::move(cfg), std::move(tensors), std::move(opt), options));
}

Napi::Value engine_methods(const Napi::CallbackInfo& info) {
  const auto names = engine::linear_methods();
  Napi::Array a = Napi::Array::New(info.Env(), names.size());
  for (size_t i = 0; i < names.size(); ++i) a.Set(uint32_t(i), names[i]);
  return a;
}

}  // namespace

Napi::Object linear_stats_js(Napi::Env env, const engine::LinearStats& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("calls", double(s.calls));
  o.Set("tokens", double(s.tokens));
  o.Set("outlierColumns", double(s.outlier_columns));
  o.Set("maxOutlierColumns", double(s.max_outlier_columns));
  Napi::Uint32Array hits = Napi::Uint32Array::New(env, s.column_hits.size());
  if (!s.column_hits.empty()) std::memcpy(hits.Data(), s.column_hits.data(), s.column_hits.size() * 4);
  o.Set("columnHits", hits);
  return o;
}

Napi::Object linear_info_js(Napi::Env env, const engine::Linear& l) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("method", l.method());
  o.Set("format", l.format());
  o.Set("in", double(l.in_features()));
  o.Set("out", double(l.out_features()));
  o.Set("bytes", double(l.weight_bytes()));
  return o;
}

engine::EngineConfig engine_config_arg(const Napi::Value& value) {
  using namespace engine;
  if (!value.IsObject()) throw type_error(value.Env(), "config must be an object");
  const Napi::Object o = value.As<Napi::Object>();
  EngineConfig c;
  c.family = enum_field<Family>(o, "family", {{"llama", Family::Llama}, {"gpt2", Family::Gpt2}}, Family::Llama);
  c.architecture = opt_string(o, "architecture").value_or(c.family == Family::Gpt2 ? "gpt2" : "llama");
  c.hidden = int_field(o, "hidden");
  c.intermediate = int_field(o, "intermediate");
  c.layers = int_field(o, "layers");
  c.heads = int_field(o, "heads");
  c.kv_heads = int_field(o, "kvHeads");
  c.head_dim = int_field(o, "headDim");
  c.vocab = int_field(o, "vocab");
  c.max_positions = int_field(o, "maxPositions");
  c.norm_eps = number_prop(o, "normEps");
  c.rope.theta = opt_number(o, "ropeTheta").value_or(10000.0);
  c.rope.layout = enum_field<RopeLayout>(o, "ropeLayout", {{"half", RopeLayout::Half}, {"interleaved", RopeLayout::Interleaved}},
                                         RopeLayout::Half);
  const Napi::Value rs = o.Get("ropeScaling");
  if (rs.IsObject()) {
    const Napi::Object s = rs.As<Napi::Object>();
    c.rope.scaling = enum_field<RopeScaling>(s, "type", {{"linear", RopeScaling::Linear}, {"llama3", RopeScaling::Llama3}},
                                             RopeScaling::None);
    c.rope.factor = number_prop(s, "factor");
    if (c.rope.scaling == RopeScaling::Llama3) {
      c.rope.low_freq_factor = number_prop(s, "lowFreqFactor");
      c.rope.high_freq_factor = number_prop(s, "highFreqFactor");
      c.rope.original_max_positions = number_prop(s, "originalMaxPositions");
    }
  } else if (!rs.IsUndefined() && !rs.IsNull()) {
    throw type_error(o.Env(), "config.ropeScaling must be an object");
  }
  c.activation = enum_field<Activation>(o, "activation",
                                        {{"silu", Activation::Silu}, {"gelu_tanh", Activation::GeluTanh}, {"gelu", Activation::GeluErf}},
                                        c.family == Family::Gpt2 ? Activation::GeluTanh : Activation::Silu);
  c.tie_embeddings = opt_bool(o, "tieEmbeddings").value_or(false);
  c.weights_in_out = opt_bool(o, "weightsInOut").value_or(false);
  const Napi::Value windows = o.Get("attentionWindows");
  if (windows.IsArray()) {
    const Napi::Array a = windows.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) c.attention_windows.push_back(int64_t(index_prop(a, std::to_string(i).c_str())));
  } else if (!windows.IsUndefined() && !windows.IsNull()) {
    throw type_error(o.Env(), "config.attentionWindows must be an array");
  }
  js_checked(o.Env(), [&] { c.validate(); });
  return c;
}

void EngineModelWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "EngineModel",
                                    {InstanceMethod<&EngineModelWrap::info>("info"),
                                     InstanceMethod<&EngineModelWrap::linear_stats>("linearStats"),
                                     InstanceMethod<&EngineModelWrap::reset_linear_stats>("resetLinearStats"),
                                     InstanceMethod<&EngineModelWrap::create_session>("createSession"),
                                     InstanceMethod<&EngineModelWrap::dispose>("dispose")});
  remember_class(env, "EngineModel", ctor);
  exports.Set("EngineModel", ctor);
  exports.Set("engineLoad", Napi::Function::New(env, engine_load, "engineLoad"));
  exports.Set("engineMethods", Napi::Function::New(env, engine_methods, "engineMethods"));
  EngineSessionWrap::init(env, exports);
}

Napi::Object EngineModelWrap::wrap(Napi::Env env, Payload&& payload) {
  auto* p = new Payload(std::move(payload));
  Napi::Object o = env_data(env).classes["EngineModel"].Value().New({Napi::External<Payload>::New(env, p)});
  return o;
}

EngineModelWrap::EngineModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineModelWrap>(info) {
  if (info.Length() < 1 || !info[0].IsExternal()) throw type_error(info.Env(), "EngineModel objects come from engineLoad()");
  std::unique_ptr<Payload> p(info[0].As<Napi::External<Payload>>().Data());
  model_ = std::move(p->model);
  tensors_ = std::move(p->tensors);
}

std::shared_ptr<engine::Model> EngineModelWrap::live(Napi::Env env) const {
  if (!model_) {
    Napi::Error e = Napi::Error::New(env, "the model was disposed");
    e.Set("code", Napi::String::New(env, "EINVAL"));
    throw e;
  }
  return model_;
}

std::shared_ptr<engine::Model> EngineModelWrap::model_of(const Napi::Value& value) {
  if (!is_instance(value, "EngineModel")) throw type_error(value.Env(), "expected an EngineModel");
  return Unwrap(value.As<Napi::Object>())->live(value.Env());
}

Napi::Value EngineModelWrap::info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto m = live(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("bytesPerToken", double(m->bytes_per_token()));
  o.Set("sizeBytes", double(m->size_bytes()));
  o.Set("tiedOutput", m->tied());
  const auto ls = m->linears();
  Napi::Array arr = Napi::Array::New(env, ls.size());
  for (size_t i = 0; i < ls.size(); ++i) {
    Napi::Object e = linear_info_js(env, *ls[i].second);
    e.Set("name", ls[i].first);
    arr.Set(uint32_t(i), e);
  }
  o.Set("linears", arr);
  return o;
}

Napi::Value EngineModelWrap::linear_stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto ls = live(env)->linears();
  Napi::Array arr = Napi::Array::New(env, ls.size());
  for (size_t i = 0; i < ls.size(); ++i) {
    Napi::Object e = linear_stats_js(env, ls[i].second->stats());
    e.Set("name", ls[i].first);
    arr.Set(uint32_t(i), e);
  }
  return arr;
}

Napi::Value EngineModelWrap::reset_linear_stats(const Napi::CallbackInfo& info) {
  live(info.Env())->reset_linear_stats();
  return info.Env().Undefined();
}

Napi::Value EngineModelWrap::create_session(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto m = live(env);
  if (info.Length() < 1 || !info[0].IsNumber()) throw type_error(env, "createSession(context): context must be a number");
  const double ctx = info[0].As<Napi::Number>().DoubleValue();
  if (!(ctx >= 1) || ctx > double(1 << 24) || ctx != double(int64_t(ctx)))
    throw Napi::RangeError::New(env, "createSession(context): context must be an integer from 1 to 16777216");
  // The cache is allocated here: refuse more than half the machine's memory.
  const uint64_t bytes = engine::Session::cache_bytes(m->config(), int64_t(ctx));
  if (bytes > max_result_bytes()) {
    Napi::Error e = Napi::Error::New(env, "a KV cache of " + std::to_string(bytes) + " bytes for a context of " +
                                              std::to_string(int64_t(ctx)) + " is more than half of this machine's memory");
    e.Set("code", Napi::String::New(env, "ENOMEM"));
    throw e;
  }
  std::shared_ptr<engine::Session> s;
  try {
    s = js_checked(env, [&] { return std::make_shared<engine::Session>(m, int64_t(ctx)); });
  } catch (const std::bad_alloc&) {
    Napi::Error e = Napi::Error::New(env, "out of memory allocating a KV cache of " + std::to_string(bytes) + " bytes");
    e.Set("code", Napi::String::New(env, "ENOMEM"));
    throw e;
  }
  return EngineSessionWrap::create(env, info.This().As<Napi::Object>(), std::move(s));
}

Napi::Value EngineModelWrap::dispose(const Napi::CallbackInfo& info) {
  // Sessions keep their own reference; the weights go when the last one does.
  model_.reset();
  return info.Env().Undefined();
}

MCS_REGISTER_BINDING(engine, EngineModelWrap::init);

}  // namespace mcs::binding
