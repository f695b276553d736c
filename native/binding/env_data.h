// Per-environment state (the addon may load in several worker threads, each its
// own napi_env): constructors of wrapped classes, for instanceof checks.
#pragma once
#include <napi.h>

#include <map>
#include <string>

namespace mcs::binding {

struct EnvData {
  std::map<std::string, Napi::FunctionReference> classes;
};

EnvData& env_data(Napi::Env env);
void remember_class(Napi::Env env, const std::string& name, Napi::Function ctor);
bool is_instance(const Napi::Value& value, const std::string& class_name);

}  // namespace mcs::binding
