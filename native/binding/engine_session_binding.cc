// EngineSession: eval(tokens: Int32Array, { logits?: 'last'|'all'|'none'|Int32Array, hidden?: boolean,
//                     signal?, onProgress? }) → Promise<{ logits: Float32Array, rows: Int32Array, hidden?: Float32Array }>
//   `rows` are the batch indices whose logits came back (row i of `logits`);
//   `hidden` is [layers, T, hidden_size], the residual stream after each block.
// position, context, truncate(n), dispose()
#include <cstring>

#include "binding/engine_binding.h"
#include "binding/env_data.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"

namespace mcs::binding {
namespace {

// Misuse of a session (disposed, busy) is the caller's mistake: EINVAL.
Napi::Error misuse(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, "EINVAL"));
  return e;
}

class EvalJob : public PromiseJob {
 public:
  EvalJob(Napi::Env env, EngineSessionWrap* owner, Napi::Object self, std::shared_ptr<engine::Session> session,
          std::vector<int32_t> tokens, std::vector<int64_t> rows, bool hidden, const Napi::Value& options)
      : PromiseJob(env, options), owner_(owner), session_(std::move(session)), tokens_(std::move(tokens)),
        rows_(std::move(rows)) {
    self_ = Napi::Persistent(self);
    const engine::EngineConfig& c = session_->model().config();
    logits_ = out_buffer(env, rows_.size() * size_t(c.vocab) * sizeof(float));
    if (hidden) hidden_ = out_buffer(env, size_t(c.layers) * tokens_.size() * size_t(c.hidden) * sizeof(float));
    want_hidden_ = hidden;
  }
  ~EvalJob() override { owner_->finish_eval(); }

 protected:
  void Run(const JobContext& ctx) override {
    engine::EvalOutputs out;
    out.logit_rows = rows_;
    out.logits = reinterpret_cast<float*>(logits_.data);
    out.hidden = want_hidden_ ? reinterpret_cast<float*>(hidden_.data) : nullptr;
    session_->eval(tokens_.data(), int64_t(tokens_.size()), out, ctx);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("logits", Napi::Float32Array::New(env, logits_.size / 4, logits_.ref.Value(), 0));
    Napi::Int32Array rows = Napi::Int32Array::New(env, rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i) rows[i] = int32_t(rows_[i]);
    o.Set("rows", rows);
    if (want_hidden_) o.Set("hidden", Napi::Float32Array::New(env, hidden_.size / 4, hidden_.ref.Value(), 0));
    return o;
  }

 private:
  EngineSessionWrap* owner_;
  Napi::ObjectReference self_;  // keeps the session wrapper (and its model) alive while running
  std::shared_ptr<engine::Session> session_;
  std::vector<int32_t> tokens_;
  std::vector<int64_t> rows_;
  OutBuffer logits_, hidden_;
  bool want_hidden_ = false;
};

}  // namespace

void EngineSessionWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "EngineSession",
                                    {InstanceMethod<&EngineSessionWrap::eval>("eval"),
                                     InstanceAccessor<&EngineSessionWrap::position>("position"),
                                     InstanceAccessor<&EngineSessionWrap::context>("context"),
                                     InstanceMethod<&EngineSessionWrap::truncate>("truncate"),
                                     InstanceMethod<&EngineSessionWrap::dispose>("dispose")});
  remember_class(env, "EngineSession", ctor);
  exports.Set("EngineSession", ctor);
}

Napi::Object EngineSessionWrap::create(Napi::Env env, Napi::Object model_wrap, std::shared_ptr<engine::Session> session) {
  auto* p = new std::shared_ptr<engine::Session>(std::move(session));
  return env_data(env).classes["EngineSession"].Value().New(
      {Napi::External<std::shared_ptr<engine::Session>>::New(env, p), model_wrap});
}

EngineSessionWrap::EngineSessionWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineSessionWrap>(info) {
  if (info.Length() < 2 || !info[0].IsExternal() || !info[1].IsObject())
    throw Napi::TypeError::New(info.Env(), "EngineSession objects come from EngineModel.createSession()");
  std::unique_ptr<std::shared_ptr<engine::Session>> p(info[0].As<Napi::External<std::shared_ptr<engine::Session>>>().Data());
  session_ = std::move(*p);
  model_ref_ = Napi::Persistent(info[1].As<Napi::Object>());
}

std::shared_ptr<engine::Session> EngineSessionWrap::live(Napi::Env env) const {
  if (!session_) throw misuse(env, "the session was disposed");
  return session_;
}

Napi::Value EngineSessionWrap::eval(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = live(env);
  if (busy_) throw misuse(env, "the session is already evaluating (await the previous eval first)");
  auto toks = typed_array_arg<int32_t>(info[0], napi_int32_array, "Int32Array", "tokens");
  std::vector<int32_t> tokens(toks.data, toks.data + toks.length);
  if (tokens.empty()) throw Napi::TypeError::New(env, "tokens must not be empty");
  const int64_t T = int64_t(tokens.size());
  Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  std::vector<int64_t> rows{T - 1};
  bool hidden = false;
  if (options.IsObject()) {
    const Napi::Object o = options.As<Napi::Object>();
    const Napi::Value l = o.Get("logits");
    if (l.IsString()) {
      const std::string mode = l.As<Napi::String>().Utf8Value();
      if (mode == "all") {
        rows.resize(size_t(T));
        for (int64_t i = 0; i < T; ++i) rows[size_t(i)] = i;
      } else if (mode == "none") {
        rows.clear();
      } else if (mode != "last") {
        throw Napi::TypeError::New(env, "logits must be 'last', 'all', 'none' or an Int32Array of batch indices");
      }
    } else if (l.IsTypedArray()) {
      auto r = typed_array_arg<int32_t>(l, napi_int32_array, "Int32Array", "logits");
      rows.assign(r.data, r.data + r.length);
      for (size_t i = 0; i < rows.size(); ++i)
        if (rows[i] < 0 || rows[i] >= T || (i > 0 && rows[i] <= rows[i - 1]))
          throw Napi::RangeError::New(env, "logits rows must be ascending indices into the batch");
    } else if (!l.IsUndefined()) {
      throw Napi::TypeError::New(env, "logits must be 'last', 'all', 'none' or an Int32Array of batch indices");
    }
    hidden = opt_bool(o, "hidden").value_or(false);
  }
  if (s->position() + T > s->context()) {
    Napi::Error e = Napi::Error::New(env, std::to_string(T) + " tokens at position " + std::to_string(s->position()) +
                                              " do not fit the session's context of " + std::to_string(s->context()));
    e.Set("code", Napi::String::New(env, "EINVAL"));
    throw e;
  }
  auto* job = new EvalJob(env, this, info.This().As<Napi::Object>(), s, std::move(tokens), std::move(rows), hidden, options);
  busy_ = true;
  return PromiseJob::start(job);
}

Napi::Value EngineSessionWrap::position(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), session_ ? double(session_->position()) : 0.0);
}

Napi::Value EngineSessionWrap::context(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), session_ ? double(session_->context()) : 0.0);
}

Napi::Value EngineSessionWrap::truncate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto s = live(env);
  if (busy_) throw misuse(env, "the session is evaluating");
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "truncate(n): n must be a number");
  const double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 0) || n > double(s->position()) || n != double(int64_t(n)))
    throw Napi::RangeError::New(env, "truncate(n): n must be an integer from 0 to the position (" + std::to_string(s->position()) + ")");
  s->truncate(int64_t(n));
  return env.Undefined();
}

Napi::Value EngineSessionWrap::dispose(const Napi::CallbackInfo& info) {
  if (busy_) throw misuse(info.Env(), "the session is evaluating; cancel it and wait before disposing");
  session_.reset();
  model_ref_.Reset();
  return info.Env().Undefined();
}

}  // namespace mcs::binding
