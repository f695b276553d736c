#include "binding/mapped_file_binding.h"

#include <cstring>

#include "binding/env_data.h"
#include "binding/registry.h"
#include "core/error.h"

namespace mcs::binding {

void MappedFileWrap::init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "MappedFile",
                                    {InstanceAccessor<&MappedFileWrap::size>("size"),
                                     InstanceAccessor<&MappedFileWrap::path>("path"),
                                     InstanceMethod<&MappedFileWrap::read>("read"),
                                     InstanceMethod<&MappedFileWrap::close>("close")});
  remember_class(env, "MappedFile", ctor);
  exports.Set("MappedFile", ctor);
}

MappedFileWrap::MappedFileWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MappedFileWrap>(info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "MappedFile(path): path must be a string");
  try {
    file_ = io::MappedFile::open(info[0].As<Napi::String>().Utf8Value());
  } catch (const mcs::Error& e) {
    Napi::Error err = Napi::Error::New(info.Env(), e.what());
    err.Set("code", Napi::String::New(info.Env(), "EBADFILE"));
    throw err;
  }
}

std::shared_ptr<io::MappedFile> MappedFileWrap::file_of(const Napi::Value& value) {
  if (!is_instance(value, "MappedFile")) throw Napi::TypeError::New(value.Env(), "file must be a MappedFile");
  auto file = Unwrap(value.As<Napi::Object>())->file_;
  if (!file) throw Napi::Error::New(value.Env(), "the MappedFile was closed");
  return file;
}

Napi::Value MappedFileWrap::size(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), file_ ? static_cast<double>(file_->size()) : 0.0);
}

Napi::Value MappedFileWrap::path(const Napi::CallbackInfo& info) {
  return file_ ? Napi::String::New(info.Env(), file_->path()) : info.Env().Undefined();
}

// read(offset, length) → Buffer: a bounds-checked copy of a small range (headers).
Napi::Value MappedFileWrap::read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!file_) throw Napi::Error::New(env, "the MappedFile was closed");
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "read(offset, length) takes two numbers");
  const double off = info[0].As<Napi::Number>().DoubleValue(), len = info[1].As<Napi::Number>().DoubleValue();
  if (!(off >= 0) || !(len >= 0) || len > 256.0 * 1024 * 1024)
    throw Napi::RangeError::New(env, "read: offset and length must be non-negative and length at most 256 MiB");
  try {
    const uint8_t* p = file_->span(static_cast<uint64_t>(off), static_cast<uint64_t>(len), "read");
    return Napi::Buffer<uint8_t>::Copy(env, p, static_cast<size_t>(len));
  } catch (const mcs::Error& e) {
    Napi::Error err = Napi::Error::New(env, e.what());
    err.Set("code", Napi::String::New(env, "EBADFILE"));
    throw err;
  }
}

Napi::Value MappedFileWrap::close(const Napi::CallbackInfo& info) {
  file_.reset();
  return info.Env().Undefined();
}

MCS_REGISTER_BINDING(mapped_file, MappedFileWrap::init);

}  // namespace mcs::binding
