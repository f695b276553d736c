// CancelToken: a JS object holding the atomic flag that kernels poll. The TS
// wrapper ties it to an AbortSignal.
#pragma once
#include <napi.h>

#include <memory>

#include "core/job.h"

namespace mcs::binding {

class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  explicit CancelToken(const Napi::CallbackInfo& info);
  // Throws a TypeError unless `value` is a CancelToken.
  static std::shared_ptr<CancelFlag> flag_of(const Napi::Value& value);

 private:
  Napi::Value cancel(const Napi::CallbackInfo& info);
  Napi::Value cancelled(const Napi::CallbackInfo& info);
  std::shared_ptr<CancelFlag> flag_ = std::make_shared<CancelFlag>();
};

}  // namespace mcs::binding
