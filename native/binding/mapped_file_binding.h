// MappedFile in JavaScript: `new MappedFile(path)` maps a file read-only; tensor
// arguments refer to it with { file, offset, byteLength }. close() drops this
// handle's mapping; jobs already running keep theirs until they finish.
#pragma once
#include <napi.h>

#include <memory>

#include "io/mapped_file.h"

namespace mcs::binding {

class MappedFileWrap : public Napi::ObjectWrap<MappedFileWrap> {
 public:
  static void init(Napi::Env env, Napi::Object exports);
  explicit MappedFileWrap(const Napi::CallbackInfo& info);
  // Throws a TypeError unless `value` is an open MappedFile.
  static std::shared_ptr<io::MappedFile> file_of(const Napi::Value& value);

 private:
  Napi::Value size(const Napi::CallbackInfo& info);
  Napi::Value path(const Napi::CallbackInfo& info);
  Napi::Value read(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);
  std::shared_ptr<io::MappedFile> file_;
};

}  // namespace mcs::binding
