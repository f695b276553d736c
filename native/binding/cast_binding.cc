// castTensor(tensor, to: 'F32'|'F16'|'BF16', { reference?, signal?, onProgress? }) → Promise<ArrayBuffer>
#include <napi.h>

#include "binding/js_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "convert/cast.h"
#include "core/error.h"

namespace mcs::binding {
namespace {

class CastJob : public PromiseJob {
 public:
  CastJob(Napi::Env env, HeldTensor t, DType to, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), tensor_(std::move(t)), to_(to), reference_(reference) {
    out_ = out_buffer(env, static_cast<size_t>(tensor_.view.numel()) * dtype_info(to).size);
  }

 protected:
  void Run(const JobContext& ctx) override {
    if (reference_) convert::cast_ref(tensor_.view, to_, out_.data);
    else convert::cast(tensor_.view, to_, out_.data, ctx);
  }
  Napi::Value Result(Napi::Env) override { return out_.ref.Value(); }

 private:
  HeldTensor tensor_;
  DType to_;
  bool reference_;
  OutBuffer out_;
};

Napi::Value cast_tensor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  if (info.Length() < 2 || !info[1].IsString()) throw Napi::TypeError::New(env, "castTensor: target dtype must be a string");
  const std::string name = info[1].As<Napi::String>().Utf8Value();
  if (name != "F32" && name != "F16" && name != "BF16")
    throw Napi::TypeError::New(env, "castTensor: target dtype must be F32, F16 or BF16, got '" + name + "'");
  Napi::Value options = info.Length() > 2 ? info[2] : env.Undefined();
  bool reference = false;
  if (options.IsObject()) {
    if (auto v = opt_bool(options.As<Napi::Object>(), "reference")) reference = *v;
  }
  return PromiseJob::start(new CastJob(env, std::move(t), parse_dtype(name), reference, options));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("castTensor", Napi::Function::New(env, cast_tensor, "castTensor"));
}

}  // namespace

MCS_REGISTER_BINDING(cast, init);

}  // namespace mcs::binding
