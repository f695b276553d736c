#include "binding/cancel_token.h"

#include "binding/env_data.h"
#include "binding/registry.h"

namespace mcs::binding {

void CancelToken::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "CancelToken",
                                    {InstanceMethod<&CancelToken::cancel>("cancel"),
                                     InstanceAccessor<&CancelToken::cancelled>("cancelled")});
  remember_class(env, "CancelToken", ctor);
  exports.Set("CancelToken", ctor);
}

CancelToken::CancelToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelToken>(info) {}

Napi::Value CancelToken::cancel(const Napi::CallbackInfo& info) {
  flag_->cancelled.store(true);
  return info.Env().Undefined();
}

Napi::Value CancelToken::cancelled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), flag_->cancelled.load());
}

std::shared_ptr<CancelFlag> CancelToken::flag_of(const Napi::Value& value) {
  if (!is_instance(value, "CancelToken"))
    throw Napi::TypeError::New(value.Env(), "signal must be a CancelToken");
  return Unwrap(value.As<Napi::Object>())->flag_;
}

MCS_REGISTER_BINDING(cancel_token, CancelToken::init);

}  // namespace mcs::binding
