// The engine in JavaScript: engineLoad(config, tensors, options) → EngineModel,
// model.createSession(context) → EngineSession, session.eval(tokens, options).
// A session keeps its model's wrapper (and so the tensors' buffers and maps)
// alive; a running eval keeps its session alive.
#pragma once
#include <napi.h>

#include <memory>
#include <vector>

#include "binding/js_args.h"
#include "engine/model.h"
#include "engine/session.h"

namespace mcs::binding {

class EngineModelWrap : public Napi::ObjectWrap<EngineModelWrap> {
 public:
  struct Payload {
    std::shared_ptr<engine::Model> model;
    std::vector<HeldTensor> tensors;
  };
  static void init(Napi::Env env, Napi::Object exports);
  // Wraps a loaded model (JS thread).
  static Napi::Object wrap(Napi::Env env, Payload&& payload);
  explicit EngineModelWrap(const Napi::CallbackInfo& info);
  // Throws a TypeError unless `value` is a live EngineModel.
  static std::shared_ptr<engine::Model> model_of(const Napi::Value& value);

 private:
  Napi::Value info(const Napi::CallbackInfo& info);
  Napi::Value linear_stats(const Napi::CallbackInfo& info);
  Napi::Value reset_linear_stats(const Napi::CallbackInfo& info);
  Napi::Value create_session(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);
  std::shared_ptr<engine::Model> live(Napi::Env env) const;

  std::shared_ptr<engine::Model> model_;
  std::vector<HeldTensor> tensors_;
};

class EngineSessionWrap : public Napi::ObjectWrap<EngineSessionWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  static Napi::Object create(Napi::Env env, Napi::Object model_wrap, std::shared_ptr<engine::Session> session);
  explicit EngineSessionWrap(const Napi::CallbackInfo& info);

  // Called by the eval job when it ends (JS thread).
  void finish_eval() { busy_ = false; }

 private:
  Napi::Value eval(const Napi::CallbackInfo& info);
  Napi::Value position(const Napi::CallbackInfo& info);
  Napi::Value context(const Napi::CallbackInfo& info);
  Napi::Value truncate(const Napi::CallbackInfo& info);
  Napi::Value dispose(const Napi::CallbackInfo& info);
  std::shared_ptr<engine::Session> live(Napi::Env env) const;

  std::shared_ptr<engine::Session> session_;
  Napi::ObjectReference model_ref_;
  bool busy_ = false;
};

// { calls, tokens, outlierColumns, maxOutlierColumns, columnHits: Uint32Array }
Napi::Object linear_stats_js(Napi::Env env, const engine::LinearStats& s);
// { method, format, in, out, bytes }
Napi::Object linear_info_js(Napi::Env env, const engine::Linear& l);

// config object → EngineConfig (TypeErrors name the field).
engine::EngineConfig engine_config_arg(const Napi::Value& value);

}  // namespace mcs::binding
