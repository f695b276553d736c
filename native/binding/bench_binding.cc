// Bandwidth baselines for `npm run bench` (native/bench/stream.h).
//
// streamCopy(src: TypedArray, dst: TypedArray, { repeats? }) → Promise<{ seconds, bytes }>
// streamRead(src: TypedArray, { repeats? }) → Promise<{ seconds, bytes }>
#include <napi.h>

#include <algorithm>

#include "bench/stream.h"
#include "binding/js_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"

namespace mcs::binding {
namespace {

struct Bytes {
  uint8_t* data;
  size_t size;
  Napi::ObjectReference ref;
};

Bytes bytes_arg(const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a TypedArray");
  const Napi::TypedArray ta = v.As<Napi::TypedArray>();
  return {static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength(), Napi::Persistent(ta.As<Napi::Object>())};
}

class StreamJob : public PromiseJob {
 public:
  StreamJob(Napi::Env env, Bytes src, Bytes dst, bool copy, int repeats, const Napi::Value& options)
      : PromiseJob(env, options), src_(std::move(src)), dst_(std::move(dst)), copy_(copy), repeats_(repeats) {}

 protected:
  void Run(const JobContext&) override {
    seconds_ = copy_ ? bench::stream_copy_seconds(src_.data, dst_.data, src_.size, repeats_)
                     : bench::stream_read_seconds(src_.data, src_.size, repeats_, &checksum_);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("seconds", seconds_);
    o.Set("bytes", double(src_.size));
    o.Set("checksum", double(checksum_ & 0xffffffffu));
    return o;
  }

 private:
  Bytes src_, dst_;
  bool copy_;
  int repeats_;
  double seconds_ = 0;
  uint64_t checksum_ = 0;
};

int repeats_of(const Napi::Value& options) {
  if (!options.IsObject()) return 3;
  const auto r = opt_number(options.As<Napi::Object>(), "repeats");
  return r ? std::clamp(int(*r), 1, 100) : 3;
}

Napi::Value stream_copy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src = bytes_arg(info[0], "src"), dst = bytes_arg(info[1], "dst");
  if (dst.size < src.size) throw Napi::TypeError::New(env, "dst must be at least as large as src");
  const Napi::Value options = info.Length() > 2 ? info[2] : env.Undefined();
  return PromiseJob::start(new StreamJob(env, std::move(src), std::move(dst), true, repeats_of(options), options));
}

Napi::Value stream_read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes src = bytes_arg(info[0], "src");
  const Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  return PromiseJob::start(new StreamJob(env, std::move(src), Bytes{nullptr, 0, {}}, false, repeats_of(options), options));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("streamCopy", Napi::Function::New(env, stream_copy, "streamCopy"));
  exports.Set("streamRead", Napi::Function::New(env, stream_read, "streamRead"));
}

}  // namespace

MCS_REGISTER_BINDING(bench, init);

}  // namespace mcs::binding
