// ggufQuantize(tensor, type, { reference?, signal?, onProgress? }) → Promise<ArrayBuffer>
//   GGML blocks of a float tensor (F32/F16/BF16/F64); type Q8_0|Q4_0|Q4_1|Q5_0|Q5_1.
// ggufDequantize(tensor, { rowBegin?, rowCount?, reference?, signal?, onProgress? }) → Promise<Float32Array>
//   floats of a block tensor (any GGML block type), all rows or a row range.
#include <napi.h>

#include <algorithm>

#include "binding/js_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "quant/gguf/gguf_blocks.h"

namespace mcs::binding {
namespace {

DType quant_type_arg(const Napi::Value& v) {
  const Napi::Env env = v.Env();
  if (!v.IsString()) throw Napi::TypeError::New(env, "type must be a string such as 'Q8_0'");
  const std::string name = v.As<Napi::String>().Utf8Value();
  DType type;
  try {
    type = parse_dtype(name);
  } catch (const mcs::Error&) {
    throw Napi::TypeError::New(env, "unknown GGUF type '" + name + "'");
  }
  if (!gguf::can_quantize(type))
    throw Napi::TypeError::New(env, "cannot quantize to " + name + ": Q8_0, Q4_0, Q4_1, Q5_0 and Q5_1 are supported");
  return type;
}

OutBuffer checked_out_buffer(Napi::Env env, uint64_t bytes, const std::string& who) {
  try {
    return out_buffer(env, static_cast<size_t>(bytes));
  } catch (const Napi::Error&) {
    Napi::Error err = Napi::Error::New(env, who + ": cannot allocate " + std::to_string(bytes) +
                                                " bytes for the result; convert it in row ranges");
    err.Set("code", Napi::String::New(env, "ENOMEM"));
    throw err;
  }
}

std::string who(const HeldTensor& t) { return t.view.name.empty() ? "tensor" : "tensor '" + t.view.name + "'"; }

class QuantizeJob : public PromiseJob {
 public:
  QuantizeJob(Napi::Env env, HeldTensor t, DType type, OutBuffer out, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), type_(type), out_(std::move(out)), reference_(reference) {}

 protected:
  void Run(const JobContext& ctx) override {
    gguf::quantize_tensor(t_.view, type_, out_.data, out_.size, reference_, ctx);
  }
  Napi::Value Result(Napi::Env) override { return out_.ref.Value(); }

 private:
  HeldTensor t_;
  DType type_;
  OutBuffer out_;
  bool reference_;
};

class DequantizeJob : public PromiseJob {
 public:
  DequantizeJob(Napi::Env env, HeldTensor t, int64_t row0, int64_t rows, OutBuffer out, bool reference,
                const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), row0_(row0), rows_(rows), out_(std::move(out)),
        reference_(reference) {}

 protected:
  void Run(const JobContext& ctx) override {
    gguf::dequantize_tensor(t_.view, row0_, rows_, reinterpret_cast<float*>(out_.data), reference_, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    return Napi::Float32Array::New(env, out_.size / 4, out_.ref.Value(), 0);
  }

 private:
  HeldTensor t_;
  int64_t row0_, rows_;
  OutBuffer out_;
  bool reference_;
};

bool reference_opt(const Napi::Value& options) {
  if (!options.IsObject()) return false;
  return opt_bool(options.As<Napi::Object>(), "reference").value_or(false);
}

Napi::Value quantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const DType type = quant_type_arg(info[1]);
  const Napi::Value options = info.Length() > 2 ? info[2] : env.Undefined();
  if (t.view.cols() % 32 != 0)
    throw Napi::TypeError::New(env, who(t) + ": rows of " + std::to_string(t.view.cols()) +
                                        " elements are not a multiple of the " + dtype_info(type).name + " block of 32");
  OutBuffer out = checked_out_buffer(env, gguf::quantized_bytes(type, t.view.numel()), who(t));
  return PromiseJob::start(new QuantizeJob(env, std::move(t), type, std::move(out), reference_opt(options), options));
}

Napi::Value dequantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  if (!gguf::can_dequantize(t.view.dtype))
    throw Napi::TypeError::New(env, who(t) + ": " + dtype_info(t.view.dtype).name + " is not a GGML block type");
  const int64_t rows = t.view.rows();
  int64_t row0 = 0, count = rows;
  if (options.IsObject()) {
    const Napi::Object o = options.As<Napi::Object>();
    if (!o.Get("rowBegin").IsUndefined()) row0 = static_cast<int64_t>(index_prop(o, "rowBegin"));
    count = rows - std::min(row0, rows);
    if (!o.Get("rowCount").IsUndefined()) count = static_cast<int64_t>(index_prop(o, "rowCount"));
  }
  if (row0 > rows || count > rows - row0)
    throw Napi::RangeError::New(env, who(t) + ": rows " + std::to_string(row0) + "+" + std::to_string(count) +
                                         " are outside its " + std::to_string(rows) + " rows");
  const uint64_t bytes = static_cast<uint64_t>(count) * static_cast<uint64_t>(t.view.cols()) * 4;
  OutBuffer out = checked_out_buffer(env, bytes, who(t));
  return PromiseJob::start(
      new DequantizeJob(env, std::move(t), row0, count, std::move(out), reference_opt(options), options));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("ggufQuantize", Napi::Function::New(env, quantize, "ggufQuantize"));
  exports.Set("ggufDequantize", Napi::Function::New(env, dequantize, "ggufDequantize"));
}

}  // namespace

MCS_REGISTER_BINDING(gguf, init);

}  // namespace mcs::binding
