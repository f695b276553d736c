// Argument reading for bindings: every value from JavaScript is checked here and
// turned into plain C++ before any kernel sees it. Errors are TypeErrors that
// name the argument.
#pragma once
#include <napi.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/mapped_file.h"

namespace mcs::binding {

// A tensor argument: { dtype, shape, name?, data: TypedArray|Buffer } or
// { dtype, shape, name?, file: MappedFile, offset, byteLength }. Holds what keeps
// the bytes alive; create on the JS thread, destroy on the JS thread.
struct HeldTensor {
  TensorView view;
  std::shared_ptr<io::MappedFile> file;
  Napi::ObjectReference buffer;
};
HeldTensor tensor_arg(const Napi::Value& value, const char* what);

// A JS-owned ArrayBuffer the kernel writes into (allocated on the JS thread so it
// lives inside V8's heap; no external buffers, which Electron forbids).
struct OutBuffer {
  Napi::Reference<Napi::ArrayBuffer> ref;
  uint8_t* data = nullptr;
  size_t size = 0;
};
OutBuffer out_buffer(Napi::Env env, size_t bytes);
// Half the physical memory: the most a single result or cache may take.
uint64_t max_result_bytes();

Napi::Object object_arg(const Napi::CallbackInfo& info, size_t index, const char* what);
std::string string_prop(const Napi::Object& o, const char* key);
double number_prop(const Napi::Object& o, const char* key);
// Non-negative integer that fits exactly in a double (≤ 2^53).
uint64_t index_prop(const Napi::Object& o, const char* key);
std::vector<int64_t> shape_prop(const Napi::Object& o, const char* key);
std::optional<double> opt_number(const Napi::Object& o, const char* key);
std::optional<bool> opt_bool(const Napi::Object& o, const char* key);
std::optional<std::string> opt_string(const Napi::Object& o, const char* key);

}  // namespace mcs::binding
