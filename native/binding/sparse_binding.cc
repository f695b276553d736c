// compressed-tensors' bitmask sparse layouts (native/prune/bitmask.h).
//
// compressSparse24(tensor, { reference? }) → Promise<{ compressed: tensor [rows, cols/2],
//                                                      bitmask: Uint8Array, bitmaskShape, shape }>
// decompressSparse24({ compressed, bitmask, shape }) → Promise<tensor>
// compressBitmask(tensor) → Promise<{ compressed: tensor [nnz], bitmask, bitmaskShape,
//                                     rowOffsets: BigInt64Array, shape }>
// decompressBitmask({ compressed, bitmask, shape }) → Promise<tensor>
#include <napi.h>

#include <cstring>

#include "binding/js_args.h"
#include "binding/kernel_args.h"
#include "binding/promise_job.h"
#include "binding/registry.h"
#include "prune/bitmask.h"

namespace mcs::binding {
namespace {

Napi::Array dims_js(Napi::Env env, std::initializer_list<int64_t> d) {
  Napi::Array a = Napi::Array::New(env, d.size());
  uint32_t i = 0;
  for (int64_t v : d) a.Set(i++, double(v));
  return a;
}

Napi::ArrayBuffer copy_buffer(Napi::Env env, const std::vector<uint8_t>& v) {
  Napi::ArrayBuffer b = Napi::ArrayBuffer::New(env, v.size());
  if (!v.empty()) std::memcpy(b.Data(), v.data(), v.size());
  return b;
}

class Compress24Job : public PromiseJob {
 public:
  Compress24Job(Napi::Env env, HeldTensor t, prune::BitmaskShape s, bool reference, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), s_(s), reference_(reference) {
    values_ = out_buffer(env, size_t(s.rows * (s.cols / 2) * s.width));
    mask_ = out_buffer(env, size_t(s.rows * s.mask_cols()));
  }

 protected:
  void Run(const JobContext& ctx) override {
    if (reference_) prune::sparse24_compress_ref(t_.view, values_.data, mask_.data);
    else prune::sparse24_compress(t_.view, values_.data, mask_.data, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("compressed", tensor_js(env, values_.ref.Value(), t_.view.dtype, {s_.rows, s_.cols / 2}, ""));
    o.Set("bitmask", Napi::Uint8Array::New(env, mask_.size, mask_.ref.Value(), 0));
    o.Set("bitmaskShape", dims_js(env, {s_.rows, s_.mask_cols()}));
    o.Set("shape", dims_js(env, {s_.rows, s_.cols}));
    return o;
  }

 private:
  HeldTensor t_;
  prune::BitmaskShape s_;
  bool reference_;
  OutBuffer values_, mask_;
};

Napi::Value compress_sparse24(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const prune::BitmaskShape s = js_checked(env, [&] { return prune::sparse24_shape(t.view); });
  const Napi::Value options = info.Length() > 1 ? info[1] : env.Undefined();
  const bool reference = options.IsObject() && opt_bool(options.As<Napi::Object>(), "reference").value_or(false);
  return PromiseJob::start(new Compress24Job(env, std::move(t), s, reference, options));
}

// Reads { compressed: tensor, bitmask: Uint8Array, shape: [rows, cols] } with every size checked.
struct SparseIn {
  HeldTensor values;
  HeldArray<uint8_t> mask;
  prune::BitmaskShape s;
  DType dtype;
};

SparseIn sparse_in(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Napi::Object q = object_arg(info, 0, "compressed tensor");
  SparseIn in;
  in.values = tensor_arg(q.Get("compressed"), "compressed");
  const std::vector<int64_t> shape = shape_prop(q, "shape");
  if (shape.size() != 2) throw Napi::TypeError::New(env, "shape must be [rows, cols]");
  in.dtype = in.values.view.dtype;
  in.s = {shape[0], shape[1], in.dtype == DType::F32 ? 4 : 2};
  if (!(in.dtype == DType::F32 || in.dtype == DType::F16 || in.dtype == DType::BF16))
    throw Napi::TypeError::New(env, "compressed must be F32, F16 or BF16");
  if (in.s.rows > 0 && in.s.cols > (int64_t(1) << 40) / in.s.rows) throw Napi::TypeError::New(env, "shape is too large");
  in.mask = typed_array_arg<uint8_t>(q.Get("bitmask"), napi_uint8_array, "Uint8Array", "bitmask",
                                     size_t(in.s.rows * in.s.mask_cols()));
  return in;
}

class DecompressJob : public PromiseJob {
 public:
  DecompressJob(Napi::Env env, SparseIn in, bool sparse24, const Napi::Value& options)
      : PromiseJob(env, options), in_(std::move(in)), sparse24_(sparse24) {
    out_ = out_buffer(env, size_t(in_.s.rows * in_.s.cols * in_.s.width));
  }

 protected:
  void Run(const JobContext& ctx) override {
    if (sparse24_) prune::sparse24_decompress(in_.values.view.data, in_.mask.data, in_.s, out_.data, ctx);
    else prune::bitmask_decompress(in_.values.view.data, in_.values.view.numel(), in_.mask.data, in_.s, out_.data, ctx);
  }
  Napi::Value Result(Napi::Env env) override {
    return tensor_js(env, out_.ref.Value(), in_.dtype, {in_.s.rows, in_.s.cols}, "");
  }

 private:
  SparseIn in_;
  bool sparse24_;
  OutBuffer out_;
};

Napi::Value decompress_sparse24(const Napi::CallbackInfo& info) {
  SparseIn in = sparse_in(info);
  if (in.values.view.numel() != in.s.rows * (in.s.cols / 2) || in.s.cols % 4 != 0)
    throw Napi::TypeError::New(info.Env(), "compressed must hold rows × cols/2 values of a shape whose cols is a multiple of 4");
  return PromiseJob::start(new DecompressJob(info.Env(), std::move(in), true, info.Length() > 1 ? info[1] : info.Env().Undefined()));
}

Napi::Value decompress_bitmask(const Napi::CallbackInfo& info) {
  SparseIn in = sparse_in(info);
  if (in.values.view.numel() > in.s.rows * in.s.cols) throw Napi::TypeError::New(info.Env(), "more values than the shape holds");
  return PromiseJob::start(new DecompressJob(info.Env(), std::move(in), false, info.Length() > 1 ? info[1] : info.Env().Undefined()));
}

class CompressBitmaskJob : public PromiseJob {
 public:
  CompressBitmaskJob(Napi::Env env, HeldTensor t, prune::BitmaskShape s, const Napi::Value& options)
      : PromiseJob(env, options), t_(std::move(t)), s_(s) {}

 protected:
  void Run(const JobContext& ctx) override { c_ = prune::bitmask_compress(t_.view, ctx); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    const int64_t nnz = int64_t(c_.values.size()) / s_.width;
    o.Set("compressed", tensor_js(env, copy_buffer(env, c_.values), t_.view.dtype, {nnz}, ""));
    o.Set("bitmask", Napi::Uint8Array::New(env, c_.bitmask.size(), copy_buffer(env, c_.bitmask), 0));
    o.Set("bitmaskShape", dims_js(env, {s_.rows, s_.mask_cols()}));
    Napi::ArrayBuffer ob = Napi::ArrayBuffer::New(env, c_.row_offsets.size() * 8);
    if (!c_.row_offsets.empty()) std::memcpy(ob.Data(), c_.row_offsets.data(), c_.row_offsets.size() * 8);
    o.Set("rowOffsets", Napi::TypedArrayOf<int64_t>::New(env, c_.row_offsets.size(), ob, 0, napi_bigint64_array));
    o.Set("shape", dims_js(env, {s_.rows, s_.cols}));
    return o;
  }

 private:
  HeldTensor t_;
  prune::BitmaskShape s_;
  prune::BitmaskCompressed c_;
};

Napi::Value compress_bitmask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HeldTensor t = tensor_arg(info[0], "tensor");
  const prune::BitmaskShape s = js_checked(env, [&] { return prune::bitmask_shape(t.view); });
  return PromiseJob::start(new CompressBitmaskJob(env, std::move(t), s, info.Length() > 1 ? info[1] : env.Undefined()));
}

void init(Napi::Env env, Napi::Object exports) {
  exports.Set("compressSparse24", Napi::Function::New(env, compress_sparse24, "compressSparse24"));
  exports.Set("decompressSparse24", Napi::Function::New(env, decompress_sparse24, "decompressSparse24"));
  exports.Set("compressBitmask", Napi::Function::New(env, compress_bitmask, "compressBitmask"));
  exports.Set("decompressBitmask", Napi::Function::New(env, decompress_bitmask, "decompressBitmask"));
}

}  // namespace

MCS_REGISTER_BINDING(sparse, init);

}  // namespace mcs::binding
