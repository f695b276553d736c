// ggufQuantize(tensor, type, { out?, reference?, importance?, iq4NlRowRef?, signal?, onProgress? })
//   → Promise<ArrayBuffer | out>: GGML blocks of a float tensor (F32/F16/BF16/F64); type Q8_0, Q4_0,
//   Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, Q8_K, IQ4_NL, IQ4_XS. `importance` (Float32Array, one weight per
//   column) gives llama-quantize's imatrix path; `iq4NlRowRef` ggml's quantize_row_iq4_nl_ref.
// ggufDequantize(tensor, { rowBegin?, rowCount?, out?, reference?, signal?, onProgress? }) → Promise<Float32Array>
//   floats of a block tensor (any GGML block type), all rows or a row range.
// `out` (a TypedArray of exactly the result's size) is written in place of a new
// buffer, so callers can reuse one buffer tensor after tensor.
#include <napi.h>

#include <algorithm>
#include <vector>

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
    throw Napi::TypeError::New(env, "cannot quantize to " + name +
                                        ": Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K…Q6_K, Q8_K, IQ4_NL and IQ4_XS are supported");
  return type;
}

OutBuffer checked_out_buffer(Napi::Env env, uint64_t bytes, const std::string& who) {
  try {
    return out_buffer(env, static_cast<size_t>(bytes));
  } catch (const Napi::Error&) {
    Napi::Error err = Napi::Error::New(env, who + ": cannot allocate the " + std::to_string(bytes) +
                                                " bytes of the result; convert it in row ranges");
    err.Set("code", Napi::String::New(env, "ENOMEM"));
    throw err;
  }
}

// The result buffer: the caller's `out` view when given (checked for size), else a new one.
struct ResultBuffer {
  OutBuffer buf;
  Napi::ObjectReference view;  // the caller's view, returned as the result
};

ResultBuffer result_buffer(Napi::Env env, const Napi::Value& options, uint64_t bytes, const std::string& who,
                     bool want_float32) {
  ResultBuffer r;
  const Napi::Value out = options.IsObject() ? options.As<Napi::Object>().Get("out") : env.Undefined();
  if (out.IsUndefined() || out.IsNull()) {
    r.buf = checked_out_buffer(env, bytes, who);
    return r;
  }
  if (!out.IsTypedArray() || (want_float32 && out.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array))
    throw Napi::TypeError::New(env, std::string("out must be a ") + (want_float32 ? "Float32Array" : "TypedArray or Buffer"));
  const Napi::TypedArray ta = out.As<Napi::TypedArray>();
  if (ta.ByteLength() != bytes)
    throw Napi::RangeError::New(env, who + ": out has " + std::to_string(ta.ByteLength()) + " bytes, the result needs " +
                                         std::to_string(bytes));
  Napi::ArrayBuffer ab = ta.ArrayBuffer();
  r.buf.data = static_cast<uint8_t*>(ab.Data()) + ta.ByteOffset();
  r.buf.size = bytes;
  r.buf.ref = Napi::Persistent(ab);
  r.view = Napi::Persistent(ta.As<Napi::Object>());
  return r;
}

std::string who(const HeldTensor& t) { return t.view.name.empty() ? "tensor" : "tensor '" + t.view.name + "'"; }

// Importance weights copied out of a Float32Array of one weight per column.
std::vector<float> importance_arg(const Napi::Value& options, int64_t cols, const std::string& who) {
  if (!options.IsObject()) return {};
  const Napi::Value v = options.As<Napi::Object>().Get("importance");
  if (v.IsUndefined() || v.IsNull()) return {};
  const Napi::Env env = v.Env();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(env, "importance must be a Float32Array of one weight per column");
  const Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) != cols)
    throw Napi::RangeError::New(env, who + ": importance has " + std::to_string(a.ElementLength()) +
                                         " weights, the tensor has " + std::to_string(cols) + " columns");
  return std::vector<float>(a.Data(), a.Data() + a.ElementLength());
}

class QuantizeJob : public PromiseJob {
 public:
  QuantizeJob(Napi::Env env, HeldTensor t, DType type, ResultBuffer out, gguf::QuantizeOptions opt,
              std::vector<float> importance, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), type_(type), out_(std::move(out)), opt_(opt),
        importance_(std::move(importance)) {
    opt_.importance = importance_.empty() ? nullptr : importance_.data();
  }

 protected:
  void Run(const JobContext& ctx) override {
    gguf::quantize_tensor(t_.view, type_, out_.buf.data, out_.buf.size, opt_, ctx);
  }
  Napi::Value Result(Napi::Env) override { return out_.view.IsEmpty() ? out_.buf.ref.Value() : out_.view.Value(); }

 private:
  HeldTensor t_;
  DType type_;
  ResultBuffer out_;
  gguf::QuantizeOptions opt_;
  std::vector<float> importance_;
};

class DequantizeJob : public PromiseJob {
 public:
  DequantizeJob(Napi::Env env, HeldTensor t, int64_t row0, int64_t rows, ResultBuffer out, bool reference,
                const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), row0_(row0), rows_(rows), out_(std::move(out)),
        reference_(reference) {}

 protected:
  void Run(const JobContext& ctx) override {
    gguf::dequantize_tensor(t_.view, row0_, rows_, reinterpret_cast<float*>(out_.buf.data), reference_, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    if (!out_.view.IsEmpty()) return out_.view.Value();
    return Napi::Float32Array::New(env, out_.buf.size / 4, out_.buf.ref.Value(), 0);
  }

 private:
  HeldTensor t_;
  int64_t row0_, rows_;
  ResultBuffer out_;
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
  const int64_t block = dtype_info(type).block;
  if (t.view.cols() % block != 0)
    throw Napi::TypeError::New(env, who(t) + ": rows of " + std::to_string(t.view.cols()) +
                                        " elements are not a multiple of the " + dtype_info(type).name + " block of " +
                                        std::to_string(block));
  std::vector<float> importance = importance_arg(options, t.view.cols(), who(t));
  gguf::QuantizeOptions opt;
  opt.reference = reference_opt(options);
  opt.iq4_nl_row_ref = options.IsObject() && opt_bool(options.As<Napi::Object>(), "iq4NlRowRef").value_or(false);
  ResultBuffer out = result_buffer(env, options, gguf::quantized_bytes(type, t.view.numel()), who(t), false);
  return PromiseJob::start(
      new QuantizeJob(env, std::move(t), type, std::move(out), opt, std::move(importance), options));
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
  ResultBuffer out = result_buffer(env, options, bytes, who(t), true);
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
